"""Filter pieces shared by every list."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
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


# The range of a 64-bit id (BigAutoField, the default primary key): a larger number is refused with
# a 400 before it reaches the database, where SQLite would raise OverflowError (a 500).
ID_MIN, ID_MAX = 1, 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    """A whole number within the bounds it is given (`min_value`, `max_value`): one outside them is a
    400 naming the filter (a NumberFilter takes 1.5, and any size, which the database may not hold)."""

    field_class = forms.IntegerField


class IdFilter(IntegerFilter):
    """A row's id, matched as it is: an id that no row has, or that only rows the caller may not see
    have, matches nothing (200 and an empty list) — the filter never says whether a row exists."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


def integer_range(field: models.Field) -> dict:
    """The bounds of an integer column, the same on every database (SQLite's own are 64-bit)."""
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    return {"min_value": low, "max_value": high}


INTEGER_FIELDS = (
    models.SmallIntegerField, models.IntegerField, models.BigIntegerField, models.PositiveSmallIntegerField,
    models.PositiveIntegerField, models.PositiveBigIntegerField, models.SmallAutoField, models.AutoField,
    models.BigAutoField,
)  # fmt: skip


def has_visibility_rules(model: type[models.Model]) -> bool:
    """Rows that some callers may not see: their manager scopes them (`visible_to(user)`)."""
    return hasattr(model._default_manager, "visible_to")


class FilterSet(filters.FilterSet):
    """The base of every list's filters, declared or generated from `filterset_fields`:
    - a boolean filter refuses a value it does not know instead of ignoring it;
    - an integer filter refuses a number its column cannot hold (400, not an overflow);
    - a relation to rows with visibility rules (projects, land) is filtered by id (IdFilter): a row
      that does not exist and a row the caller may not see both match nothing, so that a filter
      cannot confirm a hidden id. A relation to rows everyone sees (chambers, contacts) checks that
      the row exists: an unknown one is a 400 naming the filter."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        **{field: {"filter_class": IntegerFilter, "extra": integer_range} for field in INTEGER_FIELDS},
    }

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if isinstance(field, models.ForeignKey) and has_visibility_rules(field.related_model):
            return IdFilter(field_name=field_name, lookup_expr=lookup_expr or "exact")
        return super().filter_for_field(field, field_name, lookup_expr)


class FilterBackend(DjangoFilterBackend):
    """DEFAULT_FILTER_BACKENDS: lists that name only `filterset_fields` get a FilterSet of this base."""

    filterset_base = FilterSet
