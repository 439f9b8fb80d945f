"""A list endpoint's query count does not grow with its page size (CONVENTIONS rule 5): for every list,
page_size=1 and page_size=200 over many rows take the same, small, number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Industry
from targets import reporting
from targets.models import Indicator
from tests.factories import (
    ActivityFactory,
    CapitalDeliveryFactory,
    ChamberFactory,
    ContactFactory,
    EventFactory,
    IndicatorFactory,
    ParcelFactory,
    ProjectFactory,
    ReportFactory,
    TargetFactory,
    UnitFactory,
)

ROWS = 25
LISTS = ["unit", "industry", "indicator", "project", "delivery", "activity", "chamber", "contact", "event",
         "target", "report", "parcel"]  # fmt: skip
# Auth (token + user), the count, the page, and at most two prefetches (parcel or indicator industries).
MAX_QUERIES = 5


@pytest.fixture
def crowd(unit, other_unit):
    industries = list(Industry.objects.all()[:3])
    units = [unit, other_unit, *UnitFactory.create_batch(ROWS)]
    chambers = ChamberFactory.create_batch(ROWS)
    events = [EventFactory(organizer=units[i % len(units)]) for i in range(ROWS)]
    for i in range(ROWS):
        ContactFactory(chamber=chambers[i])
        project = ProjectFactory(
            unit=units[i % 3], industry=industries[i % 3], chamber=chambers[i], event=events[i], signed=True,
            confidential=i % 4 == 0,
        )
        CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 4, 1 + i % 20))
        ActivityFactory(project=project)
        parcel = ParcelFactory(unit=units[i % 3])
        parcel.industries.set(industries)
        TargetFactory(year=2000 + i, indicator=Indicator.objects.get(code="signed_capital"), unit=units[i % 3],
                      value=Decimal("1"))
        ReportFactory(year=2050 + i, month=1 + i % 12)
    IndicatorFactory.create_batch(ROWS - 10)
    for indicator in Indicator.objects.all():
        indicator.industries.set(industries)


def queries(client, url, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(context), len(response.json()["results"])


@pytest.mark.parametrize("name", LISTS)
def test_list_query_count_does_not_grow_with_the_page(name, crowd, api_as, django_assert_max_num_queries):
    url = reverse(f"{name}-list")
    for role in ("own_staff", "admin"):  # a staff member's list is filtered by visibility, an admin's is not
        client = api_as(role)
        client.get(url)  # warm any per-process caches (content types, permissions)
        one, one_rows = queries(client, url, {"page_size": 1})
        many, many_rows = queries(client, url, {"page_size": 200})
        assert one_rows == 1 and many_rows >= ROWS - 10, (role, one_rows, many_rows)
        assert one == many, f"{name} as {role}: {one} queries for one row, {many} for {many_rows} rows"
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(url, {"page_size": 200})


def test_project_list_with_every_filter_is_still_flat(crowd, api_as, django_assert_max_num_queries):
    client = api_as("own_staff")
    params = {"stage": ["signed", "started"], "signed_from": "2011-01-01", "ordering": "-signed_on", "q": "项目"}
    client.get(reverse("project-list"))
    assert queries(client, reverse("project-list"), {**params, "page_size": 1})[0] == queries(
        client, reverse("project-list"), {**params, "page_size": 200}
    )[0]


def test_report_detail_query_count_does_not_grow_with_its_rows(crowd, api_as, django_assert_max_num_queries):
    client = api_as("leader")
    small = ReportFactory(year=2011, month=12)
    reporting.report_compute(report_id=small.pk)
    rows = small.rows.count()
    assert rows > 10 * ROWS  # ten indicators × (city + every unit)
    client.get(reverse("report-detail", args=[small.pk]))
    with django_assert_max_num_queries(4):  # auth, the report, its rows with indicator and unit
        response = client.get(reverse("report-detail", args=[small.pk]))
    assert len(response.json()["rows"]) == rows
