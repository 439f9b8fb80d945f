"""A faster `to_representation` for the serializers of long lists, with the same output as DRF's.

DRF walks every field object of every row through generic machinery: attribute lookup by source,
PKOnlyObject wrappers, a timezone lookup and a decimal context copy per value. On a page of 50
projects that was most of the request. Here each serializer class is planned once: every readable
field becomes where its raw value is found (an attribute of an instance, a key of a `values()` row)
and how that value becomes its representation. Most columns need nothing (a text column is already
the string DRF would answer); dates, times and amounts get a converter that does what DRF's field
does, without its per-call set-up.

A full pull goes further on PostgreSQL (`json_statement`): the database itself writes each row as
the JSON object DRF would answer, so that no value of a million rows becomes a Python object.

`tests/api/test_compiled_read.py` holds every planned serializer to DRF's own output.
"""

import datetime
import decimal
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import F, Func
from django.db.models.functions import Cast
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
    sql: "SqlWrite | None" = None  # how PostgreSQL writes the representation; None: it cannot


@dataclass(frozen=True)
class SqlWrite:
    """How PostgreSQL's `row_to_json` writes a field's representation, as DRF's JSON renderer would.

    `value`: the raw value is the representation (a number, a boolean, a text); `date`: JSON's own
    date is ISO 8601, as DRF's; `decimal`: the amount as text with its places; `datetime`: see
    `IsoTime`. Whether the source's type allows it is known only with the query (`_sql_value`)."""

    kind: str
    max_digits: int | None = None
    decimal_places: int | None = None


class ReadPlan:
    """A serializer's field reads, arranged once for the per-row loops of `to_representation`."""

    def __init__(self, reads: list[FieldRead]):
        self.columns = [read.column for read in reads if read.column]
        self.instance_reads = [(read.name, read.read_instance) for read in reads]
        self.row_keys = [(read.name, read.row_key) for read in reads if read.row_key]
        self.conversions = [(read.name, read.convert) for read in reads if read.convert]
        self.times = [(read.name, read.time) for read in reads if read.time]
        self.rows_readable = all(read.row_key for read in reads)
        self.sql_writable = all(read.row_key and read.sql for read in reads)
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

    def json_statement(self, queryset, zone) -> tuple[str, list] | None:
        """A statement whose rows are the rows of `queryset` (a queryset of this serializer's model,
        with any value that is not a column annotated under its field's source), each one text:
        the JSON object `json_writer` would write. None where PostgreSQL cannot write one of the
        fields exactly as DRF does, or `zone`, the current time zone, has no name it knows.

        Times are written in the session's time zone: run the statement with the TimeZone setting
        made `zone_name(zone)` (a cursor declared WITH HOLD is computed whole when its transaction
        commits, so a setting local to that transaction is the one its rows are written in).

        Each value is computed by PostgreSQL as text (`row_to_json` writes text as a JSON string)
        or left as the number, boolean or date it is: Python then only passes each line on. The
        object's keys are the subquery's column names, so the values are first selected under names
        of their own (a field may share its name with a column of the model, `unit`)."""
        compiled = self._compiled()
        if connection.vendor != "postgresql" or not compiled.sql_writable or zone_name(zone) is None:
            return None
        values = [_sql_value(read, queryset) for read in compiled.reads]
        if any(value is None for value in values):
            return None
        query = queryset.values_list(*values).query
        select, params = query.get_compiler(using=queryset.db).as_sql()
        quote = connection.ops.quote_name
        names = ", ".join(quote(read.name) for read in compiled.reads)
        # The subquery keeps its ORDER BY: PostgreSQL reads a sorted subquery out in its order.
        return f"SELECT row_to_json(written)::text FROM ({select}) AS written({names})", list(params)

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
        return FieldRead(name, attrgetter(attname), attname, None, None, attname, SqlWrite("value"))
    if _drf_own(field, serializers.SlugRelatedField, "to_representation"):
        lookup = f"{source}__{field.slug_field}"
        read = _related_attribute(source, field.slug_field)
        return FieldRead(name, read, lookup, None, None, lookup, SqlWrite("value"))
    column = _column(model, source)
    if isinstance(field, (serializers.RelatedField, serializers.BaseSerializer)) or (column and column.is_relation):
        return _drf_whole(name, field)  # a relation shown otherwise than by its key or a slug
    lookup = source if column else None
    if type(field) is serializers.DateTimeField and _datetime_is_plain(field):
        return FieldRead(name, attrgetter(source), source, None, field.to_representation, lookup, SqlWrite("datetime"))
    convert, sql = _converter(field, column)
    return FieldRead(name, attrgetter(source), source, convert, None, lookup, sql)


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
    ((serializers.IntegerField, serializers.BigIntegerField), (models.IntegerField,)),  # not as strings
    ((serializers.BooleanField,), (models.BooleanField,)),
]


def _converter(field, column: models.Field | None) -> tuple[Convert | None, SqlWrite | None]:
    """What turns a non-null value of `column` into `field`'s representation, exactly as
    `field.to_representation` does (None where the value is already its representation), and how
    PostgreSQL writes that representation (None: it cannot)."""
    kind = type(field)
    if kind is serializers.BigIntegerField and getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
        return field.to_representation, None
    if column is not None:
        for field_kinds, column_kinds in _SAME_VALUE:
            if kind in field_kinds and isinstance(column, column_kinds) and not column.is_relation:
                return None, SqlWrite("value")
    if kind is serializers.DecimalField and _decimal_is_plain(field):
        places, digits = field.decimal_places, field.max_digits
        sql = SqlWrite("decimal", digits, places) if places is not None and digits is not None else None
        return _decimal_text(field), sql
    if kind is serializers.DateField and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return _date_text(field.to_representation), SqlWrite("date")
    return field.to_representation, None


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


def zone_name(zone) -> str | None:
    """The name PostgreSQL knows a time zone by: an IANA zone's key; None for any other tzinfo."""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return zone.key
    return "UTC" if zone is datetime.UTC else None


class IsoTime(Func):
    """A timestamptz written as DRF writes a time: ISO 8601 in the session's time zone, with
    microseconds only when there are any, and UTC (an offset of zero) written `Z`.

    `to_char`'s TZH:TZM drop the seconds of an offset: only the local mean times zones kept before
    they took whole minutes have any (Liberia was the last, until 1972), and Python writes them
    (`+08:05:43`). Earlier times take the long way round, which writes them too."""

    output_field = models.TextField()
    # Whole minutes after this in every zone of the tz database; the short way is the one rows take.
    WHOLE_MINUTES_SINCE = "1973-01-01 00:00:00+00"
    SHORT = """replace(replace(to_char({t}, 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'), '.000000', ''), '+00:00', 'Z')"""
    LONG = (
        """to_char({t}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
        " || CASE WHEN date_trunc('second', {t}) = {t} THEN '' ELSE to_char({t}, '.US') END"
        " || CASE WHEN extract(timezone FROM {t}) = 0 THEN 'Z' ELSE to_char({t}, 'TZH:TZM')"
        " || CASE WHEN mod(extract(timezone FROM {t})::int, 60) = 0 THEN ''"
        " ELSE ':' || lpad(mod(abs(extract(timezone FROM {t})::int), 60)::text, 2, '0') END END"
    )

    def as_sql(self, compiler, connection, **extra_context):
        time, params = compiler.compile(self.source_expressions[0])
        short, long = self.SHORT.replace("{t}", time), self.LONG.replace("{t}", time)
        uses = self.SHORT.count("{t}") + self.LONG.count("{t}") + 1
        sql = f"CASE WHEN {time} >= '{self.WHOLE_MINUTES_SINCE}'::timestamptz THEN {short} ELSE {long} END"
        return sql, list(params) * uses


# Columns whose values row_to_json writes as Python's json module writes them: numbers, booleans, text.
_JSON_ALIKE = (models.IntegerField, models.BooleanField, models.CharField, models.TextField)


def _sql_value(read: FieldRead, queryset):
    """What selects `read`'s representation for `row_to_json`, given the type of its source in
    `queryset`; None where that type is not one PostgreSQL writes exactly as DRF."""
    source = _source_field(queryset, read.row_key)
    sql = read.sql
    if sql.kind == "value" and isinstance(source, _JSON_ALIKE):
        return F(read.row_key)
    if sql.kind == "date" and type(source) is models.DateField:
        return F(read.row_key)
    if sql.kind == "datetime" and isinstance(source, models.DateTimeField):
        return IsoTime(F(read.row_key))
    # An amount as text with the field's places (`0` becomes `0.00`): what DRF's quantize gives when
    # it rounds nothing, that is when the source has no more places than the field.
    if sql.kind == "decimal" and isinstance(source, models.DecimalField) and _places_kept(source, sql):
        amount = models.DecimalField(max_digits=sql.max_digits, decimal_places=sql.decimal_places)
        return Cast(Cast(F(read.row_key), amount), models.TextField())
    return None


def _places_kept(source: models.DecimalField, sql: SqlWrite) -> bool:
    return source.decimal_places is not None and source.decimal_places <= sql.decimal_places


def _source_field(queryset, lookup: str) -> models.Field | None:
    """The model field (or an annotation's output field) that a `values()` lookup reads; for a
    relation, the field of the key it holds."""
    annotation = queryset.query.annotations.get(lookup)
    if annotation is not None:
        return annotation.output_field
    model, field = queryset.model, None
    for part in lookup.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    while field is not None and field.is_relation:
        field = field.target_field
    return field


def _drf_read(field, instance):
    """As DRF's Serializer.to_representation reads one field (a key-only relation to nothing is None)."""
    value = field.get_attribute(instance)
    empty = value.pk if isinstance(value, PKOnlyObject) else value
    return None if empty is None else field.to_representation(value)
