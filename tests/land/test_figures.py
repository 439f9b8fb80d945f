"""The dashboard's land figures: offered, reserved and sold in a year, and the 亩均投资强度 of the
projects signed on published land against their parcels' thresholds; and the partial that shows them."""

import datetime
from decimal import Decimal

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from land.selectors import land_figures
from projects.models import Parcel
from tests.factories import ProjectFactory, UnitFactory

from .conftest import published_parcel


def sold(parcel: Parcel, project, day: datetime.date) -> None:
    """Land sold on `day`, as the life cycle leaves it (the services date moves today)."""
    Parcel.objects.filter(pk=parcel.pk).update(status="taken", project=project, reserved_on=day, taken_on=day)
    project.parcel = parcel
    project.save()


def signed_project(unit, *, investment, need, on):
    return ProjectFactory(
        unit=unit, signed=True, signed_on=on, total_investment=Decimal(investment), land_area_mu=Decimal(need)
    )


def test_land_figures_of_a_year(db):
    unit = UnitFactory()
    in_year = datetime.date(2011, 5, 1)
    a = published_parcel(unit, code="a", area_mu=Decimal("100"), min_investment_intensity=Decimal("300"))
    b = published_parcel(unit, code="b", area_mu=Decimal("50.5"), min_investment_intensity=Decimal("200"))
    published_parcel(unit, code="last-year", area_mu=Decimal("70"), published_on=datetime.date(2010, 3, 1))
    published_parcel(unit, code="draft", area_mu=Decimal("9"), published=False, published_on=None)
    sold(a, signed_project(unit, investment="40000", need="100", on=in_year), in_year)  # 400 ≥ 300
    sold(b, signed_project(unit, investment="5050", need="50.5", on=in_year), in_year)  # 100 < 200
    with CaptureQueriesContext(connection) as queries:
        figures = land_figures(2011)
    assert len(queries) == 2
    assert (figures.offered.count, figures.offered.area_mu) == (2, Decimal("150.50"))
    assert (figures.reserved.count, figures.reserved.area_mu) == (2, Decimal("150.50"))
    assert (figures.sold.count, figures.sold.area_mu) == (2, Decimal("150.50"))
    assert figures.signed_projects == 2
    assert figures.average_intensity == Decimal("250.00")
    assert figures.average_threshold == Decimal("250.00")
    assert figures.meeting_threshold == 1
    other_year = land_figures(2012)
    assert (other_year.offered.count, other_year.sold.area_mu, other_year.average_intensity) == (0, 0, None)


def test_the_dashboard_partial(db):
    html = render_to_string("land/_dashboard_figures.html", {"land_figures": land_figures(2011)})
    assert "熟地供应（2011 年）" in html and "公开发布" in html and "已出让" in html
    assert "<script" not in html and "style=" not in html


def test_the_figures_follow_the_life_cycle(db, unit):
    from projects.services import parcel_reserve, project_save

    today = timezone.localdate()
    parcel = published_parcel(unit, published_on=today, area_mu=Decimal("80"))
    project = ProjectFactory(unit=unit, land_area_mu=Decimal("80"), total_investment=Decimal("24000"))
    parcel_reserve(actor=None, parcel=parcel, project=project)
    assert land_figures(today.year).reserved.area_mu == Decimal("80")
    project.refresh_from_db()
    project_save(actor=None, project=project, stage="signed", signed_on=today, signed_amount=Decimal("24000"))
    figures = land_figures(today.year)
    assert (figures.sold.count, figures.signed_projects, figures.average_intensity) == (1, 1, Decimal("300.00"))
    assert figures.meeting_threshold == 1
