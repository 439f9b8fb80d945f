"""Pagination of every list (DEFAULT_PAGINATION_CLASS): page numbers for people, keyset cursors for
programs.

Page numbers: `page` ≥ 1, `page_size` 1–200. Both are checked, not guessed: DRF's own paginator
answers `page=0` or `page=abc` with 404 and quietly serves its default page size for `page_size=0`
or 201 rows as 200. Here a value outside the bounds the OpenAPI schema states is a 400 naming the
parameter, so that the API and its schema agree. A page past the last one is still 404.

The `count` of a list whose SQL has no filter of the caller's (only the visibility rule, if any) is
PostgreSQL's planner estimate once that estimate passes `API_COUNT_ESTIMATE_THRESHOLD`: counting a
million rows exactly costs a scan of the table on every page. `count_exact=1` asks for the exact
count; a filtered list's count is always exact. The answer says which (`Count-Estimated`).

Cursors (`?cursor=`, empty for the first page): keyset pages on the view's `cursor_ordering`
(projects: `updated_at, id`; other lists: `id`), with `next`/`previous` links and no `count`, so
any page costs the same as the first. A cursor is signed (django.core.signing) with the list's
other parameters: a forged one, one made for another list or other filters, or one older than
`API_CURSOR_MAX_AGE` is refused with a 400.
"""

import hashlib
import json

from django import forms
from django.conf import settings
from django.core import paginator as django_paginator
from django.core import signing
from django.db import connection
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import replace_query_param

from core.filters import StrictNullBooleanField

MAX_PAGE_SIZE = 200
CURSOR_SALT = "investpro.cursor"
# Parameters that shape a page, not the set of rows: they do not make a list "filtered".
PAGE_PARAMETERS = {"page", "page_size", "ordering", "format", "count_exact", "cursor"}


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
    count_exact = StrictNullBooleanField(required=False)


def _checked_parameters(request) -> dict:
    """`page`, `page_size` (whole numbers within their bounds) and `count_exact`, or a 400."""
    form = PageForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return {name: value for name, value in form.cleaned_data.items() if value is not None}


class EstimatedCountPaginator(django_paginator.Paginator):
    """Django's paginator whose count may be the planner's estimate (see the module docstring)."""

    estimate_allowed = False
    estimated = False

    @cached_property
    def count(self) -> int:
        if self.estimate_allowed and connection.vendor == "postgresql":
            guess = planner_estimate(_plain(self.object_list))
            if guess >= settings.API_COUNT_ESTIMATE_THRESHOLD:
                self.estimated = True
                return guess
        return super().count


def planner_estimate(queryset) -> int:
    """The number of rows PostgreSQL's planner expects the queryset to return (from pg_class.reltuples
    and the column statistics), read with EXPLAIN: no row is read."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    # `page=last` is DRF's alias of the last page: not in the schema, so not accepted either.
    last_page_strings = ()
    page_query_description = _("页码，从 1 开始；超过最后一页时 404。")
    page_size_query_description = _("每页条数，1–200，缺省 50。")
    keyset = None

    def paginate_queryset(self, queryset, request, view=None):
        self.checked = _checked_parameters(request)
        if uses_cursor(request, view):
            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view, page_size=self.get_page_size(request))
        self.unfiltered = not (set(request.query_params) - PAGE_PARAMETERS)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        """DRF's hook, as a method: whether the count may be estimated is this request's question."""
        paginator = EstimatedCountPaginator(object_list, per_page)
        paginator.estimate_allowed = self.unfiltered and not self.checked.get("count_exact")
        return paginator

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        response = super().get_paginated_response(data)
        if self.page.paginator.estimated:
            response["Count-Estimated"] = "true"
        return response

    def get_page_number(self, request, paginator):
        return self.checked.get(self.page_query_param, 1)

    def get_page_size(self, request):
        return self.checked.get(self.page_size_query_param, self.page_size)

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]  # cursor pages have no count
        paged["properties"]["count"]["description"] = (
            "页码分页时的总条数；游标分页（cursor）时不返回。未加筛选条件的大列表为 PostgreSQL 的估算值"
            "（响应头 Count-Estimated: true），加 count_exact=1 取精确值；有筛选条件时总是精确值。"
        )
        return paged

    def get_schema_operation_parameters(self, view):
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE, "default": self.page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        ordering = ", ".join(getattr(view, "cursor_ordering", DEFAULT_CURSOR_ORDERING))
        return [
            *parameters,
            {
                "name": "count_exact",
                "required": False,
                "in": "query",
                "description": "1：未加筛选条件的大列表也返回精确总条数（默认为 PostgreSQL 的估算值，见 count）。",
                "schema": {"type": "boolean"},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": (
                    f"游标分页：给出（首页为空值 `cursor=`）即按 ({ordering}) 升序分页，响应只有 next、previous "
                    "和 results，无 count，任何深度的页同样快；之后沿 next 链接翻页。游标已签名，"
                    "伪造、过期或换了筛选条件的游标答 400。"
                ),
                "schema": {"type": "string"},
            },
        ]


DEFAULT_CURSOR_ORDERING = ("id",)


def uses_cursor(request, view) -> bool:
    """Keyset pages when the caller sends `cursor` (even empty) or a parameter the view walks by cursor."""
    wanted = {"cursor", *getattr(view, "cursor_parameters", ())}
    return bool(wanted & set(request.query_params))


class KeysetPagination(CursorPagination):
    """Keyset pages on `view.cursor_ordering` (ascending, the last field unique), DRF's cursor page
    answer and links, with signed cursors of our own: DRF's position/offset cursor is only base64
    and skips ties by an offset, which a row inserted among them shifts.

    A view may cap the walk with `cursor_ceiling()`: a (field, value) pair, rows above it left to a
    later page (the projects' sync horizon, core.sync)."""

    invalid_cursor_message = _("游标无效或已过期，请从首页（cursor=）重新开始。")

    def paginate_queryset(self, queryset, request, view=None, *, page_size=50):
        self.request, self.page_size = request, page_size
        self.base_url = request.build_absolute_uri()
        self.fields = tuple(getattr(view, "cursor_ordering", DEFAULT_CURSOR_ORDERING))
        self.scope = cursor_scope(request.path, request.query_params.lists())
        position, backwards = self._decode(request.query_params.get(self.cursor_query_param, ""))
        ceiling = view.cursor_ceiling() if hasattr(view, "cursor_ceiling") else None
        self.response_headers = {}
        keys = _plain(queryset)
        if ceiling is not None:
            field, value = ceiling
            self.response_headers["Sync-Horizon"] = value.isoformat()
            keys = keys.filter(**{f"{field}__lte": value})
        # The page's positions and keys first, from the list's own table alone, then its rows by
        # those keys: the planner then always walks the index from the position, whatever it guesses
        # of the rows left (a guess of one row, with joins, made it sort every row after the
        # position). The next cursor is made of the positions read here, not of the rows: a row
        # changed in between must not move the walk past the rows still to serve.
        found = list(self._after(keys, position, backwards).values_list(*self.fields, "pk")[: page_size + 1])
        more = len(found) > page_size
        found = found[:page_size]
        if backwards:
            found.reverse()
        page = _rows_by_keys(queryset, [row[-1] for row in found])
        self.keys = [_position(row[:-1]) for row in (found[0], found[-1])] if found else []
        self.has_next = more if not backwards else position is not None
        self.has_previous = position is not None if not backwards else more
        return page

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        for name, value in self.response_headers.items():
            response[name] = value
        return response

    def _order(self, backwards: bool) -> list[str]:
        return [f"-{f}" for f in self.fields] if backwards else list(self.fields)

    def _after(self, rows, position, backwards):
        """The rows past `position` (after it, or before it going backwards), nearest first."""
        rows = rows.order_by(*self._order(backwards))
        if position is None:
            return rows
        return rows.filter(keyset_beyond(self.fields, position, backwards))

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.keys:  # an empty page reached backwards: start again from the beginning
            return self.encode_cursor_value(None, backwards=False)
        return self.encode_cursor_value(self.keys[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous or not self.keys:
            return None
        return self.encode_cursor_value(self.keys[0], backwards=True)

    def encode_cursor_value(self, key, *, backwards: bool) -> str:
        token = cursor_token(key, scope=self.scope, backwards=backwards)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _decode(self, token: str):
        if not token:
            return None, False
        try:
            payload = signing.loads(token, salt=CURSOR_SALT, max_age=settings.API_CURSOR_MAX_AGE)
        except signing.BadSignature:  # SignatureExpired included
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        if payload.get("s") != self.scope:
            raise ValidationError(
                {self.cursor_query_param: [_("游标属于另一个列表或另一组筛选条件，请从首页重新开始。")]}
            )
        key = payload.get("k")
        if key is not None and (not isinstance(key, list) or len(key) != len(self.fields)):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return key, bool(payload.get("b"))



def keyset_beyond(fields: tuple[str, ...], position: list, backwards: bool) -> Q:
    """Rows strictly after `position` in the order of `fields` (before it when `backwards`).

    A row comparison, `(updated_at, id) > (…, …)`, which PostgreSQL answers by starting its index
    scan at the position (many rows may share the first value: the benchmark's million share one);
    Django writes it out as ORs where the database has no row comparison (SQLite), and the leading
    range on the first field lets that index scan start at the position too."""
    first, value = fields[0], position[0]
    if len(fields) == 1:
        return Q(**{f"{first}__{'lt' if backwards else 'gt'}": value})
    compare = TupleLessThan if backwards else TupleGreaterThan
    beyond = compare(Tuple(*(F(field) for field in fields)), list(position))
    return Q(**{f"{first}__{'lte' if backwards else 'gte'}": value}) & Q(beyond)


def _position(values) -> list:
    """A row's ordering values as a cursor holds them (times as ISO text)."""
    return [value.isoformat() if hasattr(value, "isoformat") else value for value in values]


def _rows_by_keys(rows, keys: list) -> list:
    """The rows of `keys`, in that order: from a queryset, or from a row source that reads them
    itself (projects.selectors.ProjectRows)."""
    if hasattr(rows, "by_keys"):
        return rows.by_keys(keys)
    found = {row.pk: row for row in rows.filter(pk__in=keys)}
    return [found[key] for key in keys if key in found]


def _plain(rows):
    """The queryset behind a row source (projects.selectors.ProjectRows), or the queryset itself."""
    return getattr(rows, "queryset", rows)


def cursor_scope(path: str, parameters) -> str:
    """What a cursor is bound to: the list's path and its parameters (`(name, [values])` pairs) other
    than the cursor and the page size."""
    skipped = {"cursor", "page_size", "format"}
    items = sorted((k, v) for k, values in parameters for v in values if k not in skipped)
    text = path + "?" + json.dumps(items)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cursor_token(key: list | None, *, scope: str, backwards: bool = False) -> str:
    """A signed cursor: the page starts after the row whose ordering values are `key` (before it
    when `backwards`; from the start when None)."""
    return signing.dumps({"k": key, "b": backwards, "s": scope}, salt=CURSOR_SALT, compress=True)
