"""The compiled reads of the hot lists answer exactly what DRF's own serializer machinery would."""

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers

from projects.api import DeliverySerializer, ProjectSerializer
from projects.models import CapitalDelivery, Project
from projects.selectors import attach_delivered_totals
from tests.factories import CapitalDeliveryFactory, ChamberFactory, IndustryFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def drf_representation(serializer_class, instance) -> dict:
    return serializers.ModelSerializer.to_representation(serializer_class(instance), instance)


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
    assert ProjectSerializer(projects[0]).data["delivered_total"] == "189500.00"
    assert ProjectSerializer(projects[1]).data["industry"] is None


def test_deliveries_read_the_same_with_and_without_the_compiled_path(unit):
    delivery = CapitalDeliveryFactory(project=ProjectFactory(unit=unit, signed=True), note="首期")
    delivery = CapitalDelivery.objects.get(pk=delivery.pk)

    assert DeliverySerializer(delivery).data == drf_representation(DeliverySerializer, delivery)


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
