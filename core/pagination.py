"""Page-number pagination for every list (DEFAULT_PAGINATION_CLASS): `page` ≥ 1, `page_size` 1–200.

Both are checked, not guessed: DRF's own paginator answers `page=0` or `page=abc` with 404 and
quietly serves its default page size for `page_size=0` or 201 rows as 200. Here a value outside the
bounds the OpenAPI schema states is a 400 naming the parameter, so that the API and its schema agree.
A page past the last one is still 404 (the page does not exist).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 200


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    # `page=last` is DRF's alias of the last page: not in the schema, so not accepted either.
    last_page_strings = ()
    page_query_description = _("页码，从 1 开始；超过最后一页时 404。")
    page_size_query_description = _("每页条数，1–200，缺省 50。")

    def paginate_queryset(self, queryset, request, view=None):
        self.checked = self._checked_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        return self.checked.get(self.page_query_param, 1)

    def get_page_size(self, request):
        return self.checked.get(self.page_size_query_param, self.page_size)

    def _checked_parameters(self, request) -> dict[str, int]:
        """`page` and `page_size` as whole numbers within their bounds, or a 400 naming each bad one."""
        form = PageForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return {name: value for name, value in form.cleaned_data.items() if value is not None}

    def get_schema_operation_parameters(self, view):
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE, "default": self.page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
