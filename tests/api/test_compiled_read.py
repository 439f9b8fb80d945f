"""The compiled reads of the hot lists answer exactly what DRF's own serializer machinery would."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from projects.api import DeliverySerializer, ProjectSerializer
from projects.models import CapitalDelivery, Project
from projects.selectors import attach_delivered_totals, delivered_totals
from tests.factories import CapitalDeliveryFactory, ChamberFactory, IndustryFactory, ProjectFactory

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
