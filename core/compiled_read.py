"""A faster `to_representation` for the serializers of long lists, with the same output as DRF's.

DRF walks every field object of every row through generic machinery: attribute lookup by source,
PKOnlyObject wrappers, a timezone lookup and a decimal context copy per value. On a page of 50
projects that was most of the request. Here each serializer class is planned once: every readable
field becomes where its raw value is found (an attribute of an instance, a key of a `values()` row)
and how that value becomes its representation. Most columns need nothing (a text column is already
the string DRF would answer); dates, times and amounts get a converter that does what DRF's field
does, without its per-call set-up.

`tests/api/test_compiled_read.py` holds every planned serializer to DRF's own output.
"""

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings
from rest_framework.utils import encoders

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class FieldRead:
    name: str
    read_instance: Callable[[Any], Any]  # the raw value from a model instance
    row_key: str | None  # where a values() row holds the raw value; None: a row cannot hold it
    convert: Convert | None  # raw value (never None) → representation; None: the value is its own
    # A time shown in the current zone (the zone is passed per page); this is DRF's representation,
    # used for a time without a zone.
    time: Convert | None
    column: str | None  # the values() lookup that reads it, if it is a column


class ReadPlan:
    """A serializer's field reads, arranged once for the per-row loops of `to_representation`."""

    def __init__(self, reads: list[FieldRead]):
        self.columns = [read.column for read in reads if read.column]
        self.instance_reads = [(read.name, read.read_instance) for read in reads]
        self.row_keys = [(read.name, read.row_key) for read in reads if read.row_key]
        self.conversions = [(read.name, read.convert) for read in reads if read.convert]
        self.times = [(read.name, read.time) for read in reads if read.time]
        self.rows_readable = all(read.row_key for read in reads)
        self.reads = reads


class CompiledReadMixin:
    """A serializer's reads, planned once per class (with `Meta.list_serializer_class =
    CompiledListSerializer`, a list passes its rows the time zone).

    Reads a model instance or a dict from `queryset.values(*serializer.value_columns())`; the
    latter spares a long list the making of model instances. Values that are not columns (a computed
    total) are added to the dict by the caller under the field's name."""

    _plans: dict = {}

    def to_representation(self, instance, zone=None):
        """`zone`, the current time zone, is looked up here unless a list passes it for its rows."""
        compiled = self._compiled()
        if isinstance(instance, dict):
            if not compiled.rows_readable:
                raise TypeError(f"{type(self).__name__} has fields that a values() row cannot hold")
            out = {name: instance[key] for name, key in compiled.row_keys}
        else:
            out = {name: read(instance) for name, read in compiled.instance_reads}
        for name, convert in compiled.conversions:
            value = out[name]
            if value is not None:
                out[name] = convert(value)
        if compiled.times:
            zone = zone or timezone.get_current_timezone()
            for name, represent in compiled.times:
                value = out[name]
                if value is not None:
                    out[name] = _time_text(value, zone, represent)
        return out

    def json_writer(self, keys: list[str], zone) -> Callable[[tuple], str]:
        """What writes a `values_list(*keys)` row as the JSON object `to_representation(row, zone)`
        would give, as DRF's JSON renderer writes it (UTF-8 text, no spaces).

        For a full pull of a million rows: no dict per row and no walk of the encoder over one; each
        field's key is encoded once, and each value by one function chosen for its field, with the
        json module's own string encoder. `tests/api/test_compiled_read.py` holds it to that output."""
        compiled = self._compiled()
        if not compiled.rows_readable:
            raise TypeError(f"{type(self).__name__} has fields that a values() row cannot hold")
        position = {key: index for index, key in enumerate(keys)}
        fields = [
            (f"{encode_basestring(read.name)}:", position[read.row_key], _value_writer(read, zone))
            for read in compiled.reads
        ]

        def write(row: tuple) -> str:
            return "{" + ",".join([key + encode(row[index]) for key, index, encode in fields]) + "}"

        return write

    def value_columns(self) -> list[str]:
        """The `values()` lookups that hold this serializer's column fields."""
        return self._compiled().columns

    def _compiled(self) -> ReadPlan:
        key = type(self)
        if key not in CompiledReadMixin._plans:
            reads = [
                _field_read(name, field, self.Meta.model) for name, field in self.fields.items() if not field.write_only
            ]
            CompiledReadMixin._plans[key] = ReadPlan(reads)
        return CompiledReadMixin._plans[key]


def _field_read(name: str, field, model) -> FieldRead:
    source = field.source
    if "." in source or source == "*" or not _drf_own(field, type(field), "get_attribute", base=_attribute_base(field)):
        # Left to DRF whole: it answers the representation itself, so nothing is converted after.
        return _drf_whole(name, field)
    if _drf_own(field, serializers.PrimaryKeyRelatedField, "to_representation", "use_pk_only_optimization") and (
        field.pk_field is None
    ):
        attname = model._meta.get_field(source).attname
        return FieldRead(name, attrgetter(attname), attname, None, None, attname)
    if _drf_own(field, serializers.SlugRelatedField, "to_representation"):
        lookup = f"{source}__{field.slug_field}"
        return FieldRead(name, _related_attribute(source, field.slug_field), lookup, None, None, lookup)
    column = _column(model, source)
    if isinstance(field, (serializers.RelatedField, serializers.BaseSerializer)) or (column and column.is_relation):
        return _drf_whole(name, field)  # a relation shown otherwise than by its key or a slug
    lookup = source if column else None
    if type(field) is serializers.DateTimeField and _datetime_is_plain(field):
        return FieldRead(name, attrgetter(source), source, None, field.to_representation, lookup)
    return FieldRead(name, attrgetter(source), source, _converter(field, column), None, lookup)


def _drf_whole(name: str, field) -> FieldRead:
    """A field read and represented by DRF's own methods; a values() row cannot hold it."""
    return FieldRead(name, lambda instance: _drf_read(field, instance), None, None, None, None)


def _attribute_base(field) -> type:
    return serializers.RelatedField if isinstance(field, serializers.RelatedField) else serializers.Field


def _drf_own(field, kind: type, *methods: str, base: type | None = None) -> bool:
    """Whether `field` is a `kind` whose `methods` are those of DRF's `base` (default: `kind`): a
    subclass that changes one is left to DRF, since a plan would skip the change."""
    base = base or kind
    return isinstance(field, kind) and all(getattr(type(field), method) is getattr(base, method) for method in methods)


def _related_attribute(relation: str, name: str) -> Callable:
    def read(instance):
        related = getattr(instance, relation)
        return None if related is None else getattr(related, name)

    return read


def _column(model, name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


# Serializer fields whose representation of a value of the paired model field is the value itself.
_SAME_VALUE = [
    ((serializers.CharField, serializers.ChoiceField), (models.CharField, models.TextField)),
    ((serializers.IntegerField,), (models.IntegerField,)),
    ((serializers.BooleanField,), (models.BooleanField,)),
]


def _converter(field, column: models.Field | None) -> Convert | None:
    """What turns a non-null value of `column` into `field`'s representation, exactly as
    `field.to_representation` does; None where the value is already its representation."""
    kind = type(field)
    if column is not None:
        for field_kinds, column_kinds in _SAME_VALUE:
            if kind in field_kinds and isinstance(column, column_kinds) and not column.is_relation:
                return None
    if kind is serializers.DecimalField and _decimal_is_plain(field):
        return _decimal_text(field)
    if kind is serializers.DateField and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return _date_text(field.to_representation)
    return field.to_representation


def _decimal_is_plain(field) -> bool:
    """A string of the quantized value: not a Decimal, not localized, not normalized."""
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    return coerce and not field.localize and not field.normalize_output


def _decimal_text(field) -> Convert:
    """DecimalField's representation with its context built once, not copied for every value."""
    represent = field.to_representation
    if field.decimal_places is None:
        return represent
    quantum = decimal.Decimal(1).scaleb(-field.decimal_places)
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits

    def text(value):
        if type(value) is not decimal.Decimal:
            return represent(value)
        return format(value.quantize(quantum, rounding=field.rounding, context=context), "f")

    return text


def _date_text(represent: Convert) -> Convert:
    def text(value):
        return value.isoformat() if type(value) is datetime.date else represent(value)

    return text


def _datetime_is_plain(field) -> bool:
    iso = getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
    return iso and not hasattr(field, "timezone") and settings.USE_TZ


def _time_text(value, zone, represent: Convert):
    """An aware time in the current time zone, as DRF answers it (UTC written as Z)."""
    if value.tzinfo is None:
        return represent(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CompiledListSerializer(serializers.ListSerializer):
    """A list of a CompiledReadMixin serializer: the current time zone is looked up once a page."""

    def to_representation(self, data):
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        zone = timezone.get_current_timezone()
        represent = self.child.to_representation
        return [represent(row, zone) for row in rows]


_JSON_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,  # the C encoder json.dumps itself uses with ensure_ascii=False
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def _value_writer(read: FieldRead, zone) -> Callable[[Any], str]:
    """A field's raw value → its representation written as JSON (null stays null)."""
    convert, represent = read.convert, read.time
    if represent is not None:
        return lambda value: "null" if value is None else json_value(_time_text(value, zone, represent))
    if convert is not None:
        return lambda value: "null" if value is None else json_value(convert(value))
    return json_value


# What DRF's JSONRenderer writes with (UNICODE_JSON, COMPACT_JSON): dates, decimals and the like too.
_DRF_ENCODER = encoders.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_value(value) -> str:
    """`value` as DRF's JSON renderer writes it; the common kinds without the encoder's set-up, any
    other (a float, a list, a date a field left as it is) by DRF's encoder itself."""
    encode = _JSON_SCALARS.get(type(value))
    return encode(value) if encode is not None else _DRF_ENCODER.encode(value)


def _drf_read(field, instance):
    """As DRF's Serializer.to_representation reads one field (a key-only relation to nothing is None)."""
    value = field.get_attribute(instance)
    empty = value.pk if isinstance(value, PKOnlyObject) else value
    return None if empty is None else field.to_representation(value)
