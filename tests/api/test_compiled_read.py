"""The compiled reads (core.compiled_read) answer exactly what DRF's own serializer machinery would:
for every serializer that uses them, every readable field, on model instances and on values() rows,
and for every output option a field of those serializers could be given."""

import datetime
import decimal
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient
from rest_framework.utils import encoders

import investpro.urls  # noqa: F401  (imports every app's API, so that every compiled serializer is known)
from core.compiled_read import CompiledReadMixin
from projects.api import DeliverySerializer, ProjectSerializer
from projects.models import CapitalDelivery, Project
from projects.selectors import attach_delivered_totals, delivered_totals
from tests.factories import CapitalDeliveryFactory, ChamberFactory, IndustryFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def drf_representation(serializer_class, instance) -> dict:
    return serializers.ModelSerializer.to_representation(serializer_class(instance), instance)


def rows_as_listed(serializer_class, queryset) -> list[dict]:
    """Read as the list reads them: values() rows, with the delivered totals a page attaches."""
    serializer = serializer_class()
    rows = list(queryset.values(*serializer.value_columns()))
    if "delivered_total" in serializer.fields:
        totals = delivered_totals([row["id"] for row in rows])
        for row in rows:
            row["delivered_total"] = totals.get(row["id"], Decimal("0.00"))
    return list(serializer_class(rows, many=True).data)


def served_serializers() -> list[type]:
    """Every serializer of the project's code that reads through the compiled path."""
    found, pending = [], [CompiledReadMixin]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if not subclass.__module__.startswith("tests."):
                found.append(subclass)
    return sorted(set(found), key=lambda kind: kind.__qualname__)


def test_the_compiled_serializers_are_the_ones_these_tests_have_samples_for():
    assert {kind.Meta.model for kind in served_serializers()} <= set(SAMPLES)
    assert served_serializers()  # the project and delivery lists at least


def sample_projects() -> list[Project]:
    """Projects with every field filled and with every nullable field empty, amounts of any exponent."""
    unit = ProjectFactory.build().unit
    unit.save()
    full = ProjectFactory(
        unit=unit, industry=IndustryFactory(code="new_materials"), chamber=ChamberFactory(), signed=True,
        started_on=datetime.date(2011, 4, 1), land_area_mu=Decimal("700.5"), total_investment=Decimal("600000"),
        signed_amount=Decimal("0.01"), notes="一期 18.95 亿  ",
    )  # fmt: skip
    CapitalDeliveryFactory(project=full, amount=Decimal("189500.25"))
    CapitalDeliveryFactory(project=full, amount=Decimal("0.75"))
    ProjectFactory(unit=unit)  # nulls everywhere they may be
    ProjectFactory(unit=unit, name='引号" 反斜杠\\ 换行\n 制表\t 控制\x01 \u2028 😀', notes="\x7f</script>")
    ProjectFactory(unit=unit, signed=True, total_investment=Decimal("99999999.99"), land_area_mu=Decimal("0"))
    return attach_delivered_totals(list(Project.objects.order_by("pk")))


def sample_deliveries() -> list[CapitalDelivery]:
    project = ProjectFactory(signed=True)
    CapitalDeliveryFactory(project=project, note="首期", amount=Decimal("12.30"))
    CapitalDeliveryFactory(project=project, amount=Decimal("99999.99"))
    return list(CapitalDelivery.objects.order_by("pk"))


SAMPLES = {Project: sample_projects, CapitalDelivery: sample_deliveries}


def rows_of(serializer_class, instances: list) -> list[dict]:
    """The instances as values() rows with the serializer's columns; a value that is not a column (a
    computed total) is added under its field's name, as a list does."""
    serializer = serializer_class()
    model = serializer.Meta.model
    columns = {field.name for field in model._meta.concrete_fields}
    by_pk = {instance.pk: instance for instance in instances}
    rows = list(model.objects.filter(pk__in=by_pk).order_by("pk").values(*serializer.value_columns()))
    for row in rows:
        for field in serializer.fields.values():
            if not field.write_only and field.source not in columns and field.source != "*":
                row[field.source] = getattr(by_pk[row["id"]], field.source)
    return rows


def assert_reads_as_drf(serializer_class, instances: list) -> None:
    expected = [drf_representation(serializer_class, instance) for instance in instances]
    assert [serializer_class(instance).data for instance in instances] == expected
    assert list(serializer_class(instances, many=True).data) == expected
    try:
        rows = serializer_class(rows_of(serializer_class, instances), many=True).data
    except TypeError as refused:  # a field a values() row cannot hold: refused, never answered wrong
        assert "values() row" in str(refused)
    else:
        assert list(rows) == expected
        assert written(serializer_class, rows_of(serializer_class, instances)) == [
            json.dumps(representation, cls=encoders.JSONEncoder, ensure_ascii=False, separators=(",", ":"))
            for representation in expected
        ]


def written(serializer_class, rows: list[dict]) -> list[str]:
    """The rows as `values_list()` tuples, written by the serializer's JSON writer (the ndjson pull)."""
    keys = list(rows[0])
    write = serializer_class().json_writer(keys, timezone.get_current_timezone())
    return [write(tuple(row[key] for key in keys)) for row in rows]


@pytest.mark.parametrize("serializer_class", served_serializers(), ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_every_compiled_serializer_reads_as_drf(serializer_class, zone):
    instances = SAMPLES[serializer_class.Meta.model]()
    with timezone.override(zone):
        assert_reads_as_drf(serializer_class, instances)
    # The lists that read rows can: no field of a served serializer is left to DRF whole.
    assert list(serializer_class(rows_of(serializer_class, instances), many=True).data)


class ShoutingCharField(serializers.CharField):
    """A subclass that changes the output: the compiled path must not skip the change."""

    def to_representation(self, value):
        return super().to_representation(value).upper()


def output_options(field) -> list[dict]:
    """Every option that changes what a field of this kind writes, to be tried on it."""
    kind = type(field)
    if issubclass(kind, serializers.DecimalField):
        return [
            {"coerce_to_string": False},
            {"localize": True},
            {"normalize_output": True},
            {"max_digits": None},
            {"max_digits": 20, "decimal_places": 4},
            {"decimal_places": 0, "max_digits": 18},
            {"rounding": decimal.ROUND_DOWN, "decimal_places": 1, "max_digits": 18},
        ]
    if issubclass(kind, serializers.DateTimeField):
        return [{"format": None}, {"format": "%Y-%m-%d %H:%M"}, {"default_timezone": ZoneInfo("America/New_York")}]
    if issubclass(kind, serializers.DateField):
        return [{"format": None}, {"format": "%Y/%m/%d"}, {"format": "ISO-8601"}]
    if issubclass(kind, serializers.SlugRelatedField):
        return [{"field_class": serializers.SlugRelatedField, "slug_field": "name"}]
    if issubclass(kind, serializers.BigIntegerField):
        return [{"coerce_to_string": True}]
    if issubclass(kind, serializers.PrimaryKeyRelatedField):
        return [{"pk_field": serializers.CharField()}]
    if issubclass(kind, serializers.CharField) and not issubclass(kind, serializers.ChoiceField):
        return [{"field_class": ShoutingCharField}]
    return []


def field_variants() -> list:
    cases = []
    for serializer_class in served_serializers():
        for name, field in serializer_class().fields.items():
            for options in output_options(field):
                label = ",".join(f"{key}={getattr(value, '__name__', value)}" for key, value in options.items())
                cases.append(
                    pytest.param(serializer_class, name, options, id=f"{serializer_class.__name__}.{name}:{label}")
                )
    return cases


def with_field_options(serializer_class, name: str, options: dict) -> type:
    """The serializer with one field remade with other options (or as another class)."""
    field = serializer_class().fields[name]
    options = dict(options)
    field_class = options.pop("field_class", type(field))
    variant = field_class(*field._args, **{**field._kwargs, **options})
    return type(f"{serializer_class.__name__}Variant", (serializer_class,), {name: variant})


@pytest.mark.parametrize(("serializer_class", "name", "options"), field_variants())
def test_every_field_reads_as_drf_whatever_its_output_options(serializer_class, name, options):
    variant = with_field_options(serializer_class, name, options)
    instances = SAMPLES[serializer_class.Meta.model]()
    with timezone.override("Asia/Shanghai"):
        assert_reads_as_drf(variant, instances)


def test_the_field_option_cases_cover_amounts_dates_times_and_relations():
    ids = {param.id.split(":")[0] for param in field_variants()}
    assert {"ProjectSerializer.total_investment", "ProjectSerializer.delivered_total", "ProjectSerializer.signed_on",
            "ProjectSerializer.created_at", "ProjectSerializer.unit", "ProjectSerializer.chamber",
            "ProjectSerializer.name", "DeliverySerializer.amount", "DeliverySerializer.project"} <= ids  # fmt: skip


def test_projects_read_the_same_with_and_without_the_compiled_path(unit):
    full = ProjectFactory(
        unit=unit, industry=IndustryFactory(code="new_materials"), chamber=ChamberFactory(), signed=True,
        started_on=datetime.date(2011, 4, 1), land_area_mu=Decimal("700.5"), total_investment=Decimal("600000"),
        notes="一期 18.95 亿",
    )  # fmt: skip
    CapitalDeliveryFactory(project=full, amount=Decimal("189500"))
    bare = ProjectFactory(unit=unit)  # nulls everywhere they may be
    projects = attach_delivered_totals(list(Project.objects.filter(pk__in=[full.pk, bare.pk]).order_by("pk")))

    for project in projects:
        assert ProjectSerializer(project).data == drf_representation(ProjectSerializer, project)
    assert rows_as_listed(ProjectSerializer, Project.objects.order_by("pk")) == [
        drf_representation(ProjectSerializer, project) for project in projects
    ]
    assert ProjectSerializer(projects[0]).data["delivered_total"] == "189500.00"
    assert ProjectSerializer(projects[1]).data["industry"] is None


def test_deliveries_read_the_same_with_and_without_the_compiled_path(unit):
    delivery = CapitalDeliveryFactory(project=ProjectFactory(unit=unit, signed=True), note="首期")
    delivery = CapitalDelivery.objects.get(pk=delivery.pk)

    assert DeliverySerializer(delivery).data == drf_representation(DeliverySerializer, delivery)
    assert rows_as_listed(DeliverySerializer, CapitalDelivery.objects.all()) == [
        drf_representation(DeliverySerializer, delivery)
    ]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_times_read_in_the_current_time_zone_as_drf_writes_them(unit, zone):
    project = ProjectFactory(unit=unit)
    project = attach_delivered_totals([Project.objects.get(pk=project.pk)])[0]

    with timezone.override(zone):
        expected = drf_representation(ProjectSerializer, project)
        assert ProjectSerializer(project).data == expected
        assert rows_as_listed(ProjectSerializer, Project.objects.all()) == [expected]
    assert expected["created_at"].endswith("Z") == (zone == "UTC")


def test_amounts_read_with_their_places_whatever_the_stored_exponent(unit):
    """A value assigned in Python (not read back) may carry another exponent: DRF quantizes it."""
    project = ProjectFactory(unit=unit, signed=True, total_investment=Decimal("600000"))
    project = attach_delivered_totals([Project.objects.get(pk=project.pk)])[0]
    project.total_investment, project.land_area_mu = Decimal("1.5"), 7

    assert ProjectSerializer(project).data == drf_representation(ProjectSerializer, project)
    assert ProjectSerializer(project).data["total_investment"] == "1.50"


def test_a_listed_project_reads_as_its_own_detail(unit, admin_user):
    """The list reads `values()` rows, the detail a model instance: both answer the same."""
    from rest_framework.test import APIClient

    full = ProjectFactory(
        unit=unit, industry=IndustryFactory(code="new_materials"), chamber=ChamberFactory(), signed=True,
        land_area_mu=Decimal("12.5"), confidential=True,
    )  # fmt: skip
    CapitalDeliveryFactory(project=full, amount=Decimal("10.10"))
    ProjectFactory(unit=unit)
    client = APIClient()
    client.force_authenticate(admin_user)

    listed = client.get("/api/v1/projects/").json()["results"]

    assert len(listed) == 2
    for row in listed:
        assert row == client.get(f"/api/v1/projects/{row['id']}/").json()


# --- The ndjson export ------------------------------------------------------------------------
# On PostgreSQL the export's lines are written by the database itself (core.compiled_read's
# `json_statement`: row_to_json over values it formats as text), not by DRF nor by the compiled
# writer: these tests hold each line to DRF's own answer for the same project, read as an instance,
# for every kind of value a line holds. On SQLite (and inside a transaction) the lines come from the
# compiled writer, held to the same answer by the same tests.

EXPORT_ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kathmandu", "Africa/Monrovia"]


def projects_for_export() -> list[Project]:
    """sample_projects, with amounts at the ceiling and zero, and times with and without microseconds,
    in summer and winter (New York's offset differs), and before every zone took whole minutes."""
    sample_projects()
    unit = Project.objects.first().unit
    ceiling = ProjectFactory(unit=unit, signed=True, total_investment=Decimal("999999999.99"), signed_amount=0)
    CapitalDeliveryFactory(project=ceiling, amount=Decimal("999999999.99"))
    CapitalDeliveryFactory(project=ceiling, amount=Decimal("999999999.99"))
    times = [
        datetime.datetime(2026, 1, 15, 4, 0, 0, tzinfo=datetime.UTC),  # no microseconds
        datetime.datetime(2026, 7, 15, 23, 59, 59, 999999, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 9, 7, 0, 0, 500000, tzinfo=datetime.UTC),  # New York's change to summer time
        datetime.datetime(1960, 5, 1, 12, 30, 15, 10, tzinfo=datetime.UTC),  # Monrovia at -00:44:30
        datetime.datetime(2024, 2, 29, 16, 0, 0, 1, tzinfo=datetime.UTC),
    ]
    for n, project in enumerate(Project.objects.order_by("pk")):
        Project.objects.filter(pk=project.pk).update(
            created_at=times[n % len(times)], updated_at=times[(n + 1) % len(times)] + datetime.timedelta(seconds=n)
        )
    return attach_delivered_totals(list(Project.objects.order_by("-updated_at", "-id")))


def exported_lines(zone: str) -> tuple[list[str], list[str]]:
    """The export's lines in `zone`, and the statements it ran."""
    client = APIClient()
    client.force_authenticate(UserFactory(role="admin"))
    with timezone.override(zone), CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/projects/export/", {"format": "ndjson"})
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
    assert body.endswith("\n")
    return body.split("\n")[:-1], [query["sql"] for query in queries.captured_queries]


def assert_lines_as_drf(lines: list[str], projects: list[Project]) -> None:
    """Each line parses to what DRF's JSONRenderer answers for the project, in the list's order, and
    is written as the compiled writer and DRF's encoder write it (UTF-8 text, no spaces)."""
    expected = [ProjectSerializer(project).data for project in projects]
    assert [json.loads(line) for line in lines] == [json.loads(JSONRenderer().render(data)) for data in expected]
    assert lines == [
        json.dumps(data, cls=encoders.JSONEncoder, ensure_ascii=False, separators=(",", ":")) for data in expected
    ]


@pytest.mark.parametrize("zone", EXPORT_ZONES)
def test_the_ndjson_export_writes_each_project_as_drf(zone):
    projects = projects_for_export()
    with timezone.override(zone):
        lines, _statements = exported_lines(zone)
        assert_lines_as_drf(lines, projects)
    texts = "".join(lines)
    assert all(s in texts for s in ['\\"', "\\\\", "\\n", "\\t", "\\u0001", "😀", "一期"])  # escaped as JSON
    assert '"total_investment":"999999999.99"' in texts and '"delivered_total":"1999999999.98"' in texts
    assert '"land_area_mu":"0.00"' in texts and '"delivered_total":"0.00"' in texts and '"industry":null' in texts
    if zone == "UTC":
        assert '"created_at":"2026-01-15T04:00:00Z"' in texts and '"2026-07-15T23:59:59.999999Z"' in texts
    if zone == "Africa/Monrovia":
        assert '"created_at":"1960-05-01T11:45:45.000010-00:44:30"' in texts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("zone", EXPORT_ZONES)
def test_the_ndjson_export_written_by_postgresql_is_drf_s(zone):
    """Outside a transaction, as a server runs it: the lines come from PostgreSQL's row_to_json."""
    projects = projects_for_export()
    lines, statements = exported_lines(zone)
    assert any("row_to_json" in sql for sql in statements)
    with timezone.override(zone):
        assert_lines_as_drf(lines, projects)
    assert "TimeZone" not in "".join(lines)
    with connection.cursor() as cursor:  # the zone was the declaring transaction's, not the connection's
        cursor.execute("SHOW TIME ZONE")
        assert cursor.fetchone()[0] == connection.timezone_name


def test_an_export_in_a_transaction_is_written_by_the_compiled_writer():
    """A held cursor cannot outlive the transaction it is declared in: there the rows are read as values."""
    projects = projects_for_export()
    lines, statements = exported_lines("Asia/Shanghai")
    assert not any("row_to_json" in sql for sql in statements)
    with timezone.override("Asia/Shanghai"):
        assert_lines_as_drf(lines, projects)
