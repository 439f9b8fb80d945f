"""Filter pieces shared by every list."""

import copy

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering that always ends on the primary key, so that pages never repeat or skip rows
    when many rows share a value (e.g. the same signing date)."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        tiebreak = "-pk" if ordering and ordering[-1].startswith("-") else "pk"
        return qs.order_by(*ordering, tiebreak)


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """Hands the value over as sent, so that the field can refuse one it does not know."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); empty or "unknown" means "any". Anything else is an error: Django's own
    field reads it as "any", which silently answers `mountain_sea=yes` with every project."""

    widget = RawNullBooleanSelect

    def to_python(self, value):
        if value in (None, "", "unknown"):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise ValidationError(_("请填写 true 或 false。"), code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictNullBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """A row's id: a whole number (a NumberFilter takes 1.5 and matches the row with id 1)."""

    field_class = forms.IntegerField


class SharedFields(dict):
    """A filter form's fields, shared by every instance of the form instead of deep-copied into each.

    Django copies a form's fields per instance so that one instance may change its own (narrow a
    queryset for a user, say). A filter form never does: its fields depend on the filterset class
    alone, and cleaning a value changes nothing on the field. The copy was a tenth of a list request.
    """

    def __deepcopy__(self, memo):
        return dict(self)


class FilterSet(filters.FilterSet):
    """The base of every list's filters, declared or generated from `filterset_fields`: a boolean
    filter refuses a value it does not know instead of ignoring it.

    A filterset is made on every list request, so the class does once what can be done once: its
    form class is built on first use and its fields are shared (`SharedFields`); each instance gets
    shallow copies of the filters, which it marks as its own.
    """

    _form_classes: dict = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but for one line: it deep-copies every filter (querysets,
        # choices and labels included) only to set `model` and `parent` on the copies, for which a
        # shallow copy of each suffices.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = self._meta.model._default_manager.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: self._own_copy(filter_) for name, filter_ in self.base_filters.items()}

    def _own_copy(self, base: filters.Filter) -> filters.Filter:
        filter_ = copy.copy(base)
        if base.method is not None:
            filter_.method = base.method  # binds a `method=` filter to this copy, not to the base
        filter_.model = self.queryset.model
        filter_.parent = self
        return filter_

    def get_form_class(self):
        key = type(self)
        if key not in FilterSet._form_classes:
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            FilterSet._form_classes[key] = form_class
        return FilterSet._form_classes[key]

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }


class FilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet
