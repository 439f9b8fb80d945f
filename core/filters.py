"""Filter pieces shared by every list."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
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


class FilterSet(filters.FilterSet):
    """The base of every list's filters, declared or generated from `filterset_fields`: a boolean
    filter refuses a value it does not know instead of ignoring it."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }


class FilterBackend(DjangoFilterBackend):
    """DEFAULT_FILTER_BACKENDS: lists that name only `filterset_fields` get a FilterSet of this base."""

    filterset_base = FilterSet
