"""Rows read by their keys with a statement compiled once (core.keyed_rows) are the ORM's own rows."""

from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.keyed_rows import KeyedRows
from projects.models import Project
from projects.selectors import delivered_total
from tests.factories import CapitalDeliveryFactory, IndustryFactory, ProjectFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["id", "name", "unit__code", "industry__code", "signed_amount", "signed_on", "updated_at", "confidential"]


def rows_for(ids):
    return Project.objects.filter(pk__in=ids).values(*COLUMNS).annotate(delivered_total=delivered_total())


@pytest.fixture
def projects(unit):
    industry = IndustryFactory()
    made = [ProjectFactory(unit=unit, signed=True, industry=industry if i % 2 else None) for i in range(7)]
    CapitalDeliveryFactory(project=made[0], amount=Decimal("0.10"))
    CapitalDeliveryFactory(project=made[0], amount=Decimal("123456789.95"))
    CapitalDeliveryFactory(project=made[3], amount=Decimal("7.00"))
    return made


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7])
def test_the_rows_equal_the_querysets_own_in_the_order_of_the_keys(projects, count):
    keys = [project.pk for project in reversed(projects)][:count]
    expected = {row["id"]: row for row in rows_for(keys)}

    read = KeyedRows(rows_for).read(keys)

    assert read == [expected[key] for key in keys]
    assert [type(value) for value in read[0].values()] == [type(value) for value in expected[keys[0]].values()]


def test_a_key_without_a_row_is_left_out_and_no_keys_read_nothing(projects):
    reader = KeyedRows(rows_for)
    gone = projects[2].pk
    Project.objects.filter(pk=gone).delete()

    assert [row["id"] for row in reader.read([projects[1].pk, gone, projects[0].pk])] == [
        projects[1].pk,
        projects[0].pk,
    ]
    with CaptureQueriesContext(connection) as queries:
        assert reader.read([]) == []
    assert len(queries) == 0


def test_the_statement_is_compiled_once_per_size_class_and_reads_fresh_values(projects):
    reader = KeyedRows(rows_for)
    reader.read([projects[0].pk, projects[1].pk, projects[2].pk])
    compiled = dict(reader._statements[connections["default"]])

    Project.objects.filter(pk=projects[3].pk).update(name="改过的名称")
    rows = reader.read([projects[3].pk, projects[4].pk, projects[5].pk, projects[6].pk])

    assert reader._statements[connections["default"]] == compiled  # 3 and 4 keys: both padded to 4
    assert rows[0]["name"] == "改过的名称"
    assert rows[0]["delivered_total"] == Decimal("7.00")


def test_a_queryset_that_does_not_filter_by_the_keys_is_refused(projects):
    with pytest.raises(ValueError, match="filter by the keys"):
        KeyedRows(lambda ids: Project.objects.values("id")).read([projects[0].pk])
    with pytest.raises(ValueError, match="must select 'id'"):
        KeyedRows(lambda ids: Project.objects.filter(pk__in=ids).values("name")).read([projects[0].pk])
