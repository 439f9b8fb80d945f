import datetime
from decimal import Decimal

import pytest

from projects.models import Industry, Parcel, Project
from tests.factories import ParcelFactory, ProjectFactory

SQUARE = {"type": "Polygon", "coordinates": [[[118.80, 28.90], [118.82, 28.90], [118.82, 28.92], [118.80, 28.90]]]}


@pytest.fixture
def industries(db):
    return {industry.code: industry for industry in Industry.objects.all()}


def published_parcel(unit, *, industries=(), **fields) -> Parcel:
    defaults = {
        "unit": unit,
        "area_mu": Decimal("100"),
        "min_investment_intensity": Decimal("300"),
        "published": True,
        "published_on": datetime.date(2011, 6, 1),
        "location": "柯城区航埠镇",
        "requirements": "限新材料项目",
    }
    parcel = ParcelFactory(**{**defaults, **fields})
    parcel.industries.set(industries)
    return parcel


def lead(unit, *, industry, need, investment, **fields) -> Project:
    return ProjectFactory(
        unit=unit, industry=industry, land_area_mu=Decimal(need), total_investment=Decimal(investment), **fields
    )
