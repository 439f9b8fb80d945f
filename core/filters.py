"""Filter pieces shared by every list."""

import re
from dataclasses import dataclass

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelChoiceField
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


# The range of a 64-bit id (BigAutoField, the default primary key): a larger number is refused with
# a 400 before it reaches the database, where SQLite would raise OverflowError (a 500).
ID_MIN, ID_MAX = 1, 2**63 - 1


WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class WholeNumberField(forms.IntegerField):
    """Digits only, as the schema's integer says: Django's IntegerField also takes "21.0"."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not WHOLE_NUMBER.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)



@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    """A whole number within the bounds it is given (`min_value`, `max_value`): one outside them is a
    400 naming the filter (a NumberFilter takes 1.5, and any size, which the database may not hold)."""

    field_class = WholeNumberField


class IdFilter(IntegerFilter):
    """A row's id, matched as it is: an id that no row has, or that only rows the caller may not see
    have, matches nothing (200 and an empty list) — the filter never says whether a row exists."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class Code:
    """Reference data named by its code in a filter, not yet looked up."""

    code: str


class CodeChoiceField(ModelChoiceField):
    """A row by its code, kept as the code (`Code`): the filter finds the row inside the list's own
    statement. A value the database cannot even compare (a NUL character on PostgreSQL) is an error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        code = str(value)
        if "\x00" in code:
            message = self.error_messages["invalid_choice"]
            raise ValidationError(message, code="invalid_choice", params={"value": value})
        return Code(code)


class CodeFilter(filters.ModelChoiceFilter):
    """Reference data (units, industries, indicators) by its code, as ids are matched: a code that no
    row has matches nothing (200 and an empty list), the answer an id that matches nothing gets.

    The row is found by a subquery of the list's own statement (`unit_id IN (SELECT id FROM unit WHERE
    code = …)`), not by a query of its own first: one round trip and one ORM statement fewer on
    every filtered request, and the list still compares a key."""

    field_class = CodeChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        named = self.queryset.filter(**{self.extra["to_field_name"]: value.code}).values("pk")
        if self.distinct:
            qs = qs.distinct()
        return self.get_method(qs)(**{f"{self.field_name}__in": named})


def integer_range(field: models.Field) -> dict:
    """The bounds of an integer column, the same on every database (SQLite's own are 64-bit)."""
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    return {"min_value": low, "max_value": high}


INTEGER_FIELDS = (
    models.SmallIntegerField, models.IntegerField, models.BigIntegerField, models.PositiveSmallIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField, models.SmallAutoField, models.AutoField,
    models.BigAutoField,
)  # fmt: skip


class FilterSet(filters.FilterSet):
    """The base of every list's filters, declared or generated from `filterset_fields`:
    - a boolean filter refuses a value it does not know instead of ignoring it;
    - an integer filter refuses a number its column cannot hold (400, not an overflow);
    - a relation is filtered by id (IdFilter): an id that no row has, and the id of a row the caller
      may not see (projects, land), both match nothing (200 and an empty list), so that a filter never
      tells whether a row exists. Reference data named by code does the same (CodeFilter)."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        **{field: {"filter_class": IntegerFilter, "extra": integer_range} for field in INTEGER_FIELDS},
    }

    # Off by default: a page or the browsable API renders the form, which needs a field for every
    # filter. FilterBackend.filter_queryset (the lists' JSON) turns it on.
    form_from_data_only = False

    def __init__(self, data=None, queryset=None, *, form_from_data_only: bool = False, **kwargs):
        """`form_from_data_only=True`: see get_form_class. django-filter's own __init__ deep-copies
        every declared filter for the instance; given the flag, it copies only the filters the form
        will have (the instance's `base_filters` are narrowed to them first), which on the project
        list was a twentieth of a request."""
        if form_from_data_only:
            self.form_from_data_only = True
            self.base_filters = _form_filters(type(self).base_filters, data or {}, kwargs.get("prefix"))
        super().__init__(data, queryset, **kwargs)

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if isinstance(field, models.ForeignKey):
            return IdFilter(field_name=field_name, lookup_expr=lookup_expr or "exact")
        return super().filter_for_field(field, field_name, lookup_expr)

    def get_form_class(self):
        """With `form_from_data_only`, the form has a field only for the filters the query names (and
        any required one). A filter the query leaves out cleans to an empty value, which every filter
        skips, so the list is the same; building and copying the other fields cost about a quarter
        of a filtered list request."""
        if not self.form_from_data_only:
            return super().get_form_class()
        named = _form_filters(self.filters, self.data, self.form_prefix)
        fields = {name: filter_.field for name, filter_ in named.items()}
        return type(f"{type(self).__name__}Form", (self._meta.form,), fields)


def _form_filters(filters: dict, data, prefix: str | None) -> dict:
    """The filters a query-only form has: those the query names, and any required one."""
    keys = list(data.keys())
    return {name: f for name, f in filters.items() if f.extra["required"] or _is_named(name, keys, prefix)}


def _is_named(name: str, keys: list[str], prefix: str | None) -> bool:
    """Whether a query key may belong to the filter's widget: a widget reads its own name, and a
    multi-value one (a range, Django's MultiWidget, django-filter's SuffixedMultiWidget) reads
    `name_<suffix>`. Matching a little too much only keeps a field that cleans to empty."""
    key = f"{prefix}-{name}" if prefix else name
    return any(k == key or k.startswith(f"{key}_") for k in keys)


class FilterBackend(DjangoFilterBackend):
    """DEFAULT_FILTER_BACKENDS: lists that name only `filterset_fields` get a FilterSet of this base."""

    filterset_base = FilterSet
    form_from_data_only = False

    def filter_queryset(self, request, queryset, view):
        # DRF makes a backend for each call, so this holds for filtering only; to_html (the
        # browsable API's filter form) builds its filterset with the full form.
        self.form_from_data_only = True
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if self.form_from_data_only:
            kwargs["form_from_data_only"] = True
        return kwargs


class IsoTimeField(forms.DateTimeField):
    """An ISO 8601 time such as `2026-12-03T10:15:00.123456+08:00` (or `…Z`); a naive one is read in
    the site's time zone. A `+` left unencoded in a query string arrives as a space: it is read back."""

    def to_python(self, value):
        if isinstance(value, str) and "T" in value and " " in value.strip():
            value = value.strip().replace(" ", "+")
        return super().to_python(value)


class IsoTimeFilter(filters.DateTimeFilter):
    field_class = IsoTimeField
