"""The drill-down behind every report figure: its own total is the stored figure, for every standard
indicator and custom ones, city and unit, month and year to date, this year and last; confidential
projects are hidden from those who may not see them while the total stays the bureau's whole total."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Project
from targets.drilldown import drill_url
from targets.models import Indicator, ReportRow
from targets.reporting import report_compute_month
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    IndustryFactory,
    ProjectFactory,
    UnitFactory,
    UnitGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
day = datetime.date
S = Project.Stage
STANDARD = (
    "signed_capital", "delivered_capital", "major_projects", "out_of_province_delivered",
    "returning_merchant_delivered", "mountain_sea_projects", "mountain_sea_signed", "mountain_sea_delivered",
    "social_projects", "social_delivered",
)  # fmt: skip


def project(unit, on, amount, *, stage=S.SIGNED, deliveries=(), **fields) -> Project:
    fields.setdefault("origin", Project.Origin.OUT_OF_CITY)
    made = ProjectFactory(unit=unit, stage=stage, signed_on=on, signed_amount=D(amount), **fields)
    for delivered_on, delivered in deliveries:
        CapitalDeliveryFactory(project=made, delivered_on=delivered_on, amount=D(delivered))
    return made


@pytest.fixture
def city():
    """Two units, projects of 2009–2011 touching every standard indicator's filters, a dropped
    project with a delivery, a confidential one, and two custom indicators narrowed by industry."""
    a = UnitFactory(code="unit_a", name="甲区")
    b = UnitFactory(code="unit_b", name="乙县")
    x, y = IndustryFactory(code="drill_x", name="钻取甲产业"), IndustryFactory(code="drill_y", name="钻取乙产业")
    OOC, OOP, OVERSEAS, LOCAL = "out_of_city", "out_of_province", "overseas", "local"
    # 2011
    project(a, day(2011, 6, 10), "12000", total_investment=D("15000"), industry=x,
            deliveries=[(day(2011, 6, 20), "3000")])
    project(b, day(2011, 3, 5), "5000", total_investment=D("8000"), origin=OOP, returning_merchant=True, industry=y,
            deliveries=[(day(2011, 4, 1), "1000"), (day(2011, 6, 2), "700.50")])
    secret = project(a, day(2011, 6, 1), "20000", total_investment=D("30000"), origin=OVERSEAS, mountain_sea=True,
                     industry=x, confidential=True, deliveries=[(day(2011, 6, 15), "2000")])
    project(b, day(2011, 2, 1), "900", origin=LOCAL, mountain_sea=True, deliveries=[(day(2011, 6, 30), "100")])
    project(b, day(2011, 6, 12), "300", category="social", origin=LOCAL)
    project(a, day(2011, 5, 1), "4000", stage=S.DROPPED, dropped_on=day(2011, 6, 1), industry=x,
            deliveries=[(day(2011, 5, 10), "400")])
    project(a, day(2011, 7, 1), "9999", total_investment=D("20000"))  # after the month: never counts
    # Carried over (含上年结转): signed 2009, still building; and one producing since 2010.
    project(a, day(2009, 5, 1), "600", stage=S.STARTED, started_on=day(2009, 8, 1), category="social",
            deliveries=[(day(2010, 6, 10), "30"), (day(2011, 6, 5), "50")])
    project(b, day(2009, 4, 1), "700", stage=S.PRODUCING, started_on=day(2009, 6, 1), producing_on=day(2010, 3, 1),
            category="social")
    # 2010, last year's figures
    project(a, day(2010, 6, 15), "10000", total_investment=D("12000"), industry=x,
            deliveries=[(day(2010, 6, 20), "800")])
    project(b, day(2010, 2, 1), "3000", origin=OOP, returning_merchant=True, industry=y,
            deliveries=[(day(2010, 6, 1), "600")])
    project(b, day(2010, 6, 3), "2000", mountain_sea=True, total_investment=D("10000"), confidential=True)
    custom_signed = IndicatorFactory(
        code="custom_signed", name="甲产业市外协议引资", measure=Indicator.Measure.SIGNED_AMOUNT,
        origins=[OOC, OVERSEAS],
    )  # fmt: skip
    custom_signed.industries.set([x])
    custom_delivered = IndicatorFactory(
        code="custom_delivered", name="甲乙产业到位资金", measure=Indicator.Measure.DELIVERED_AMOUNT,
        origins=[OOC, OOP],
    )  # fmt: skip
    custom_delivered.industries.set([x, y])  # fmt: skip
    return {"a": a, "b": b, "secret": secret}


def rows_of(year, month) -> dict:
    report = report_compute_month(year=year, month=month)
    rows = ReportRow.objects.filter(report=report).select_related("indicator")
    return {(row.indicator.code, row.unit_id): row for row in rows}


def drilled_total(client, **figure) -> Decimal:
    response = client.get(drill_url(**figure))
    assert response.status_code == 200, response.content.decode()[:500]
    return D(response.context["total"])


def test_every_figure_drills_to_a_list_whose_total_is_the_figure(client, city):
    client.force_login(UserFactory(role="leader"))
    this_year, last_year = rows_of(2011, 6), rows_of(2010, 6)
    codes = STANDARD + ("custom_signed", "custom_delivered")
    nonzero = set()
    for code in codes:
        for unit_id in (None, city["a"].pk, city["b"].pk):
            for year, rows in ((2011, this_year), (2010, last_year)):
                row = rows[code, unit_id]
                for period, stored in (("month", row.month_value), ("ytd", row.ytd_value)):
                    total = drilled_total(
                        client, indicator_code=code, year=year, month=6, period=period, unit_id=unit_id
                    )
                    assert total == stored, (code, unit_id, year, period)
                    nonzero |= {code} if total else set()
            # Last year's figure of this year's row is the same call with year - 1.
            assert drilled_total(
                client, indicator_code=code, year=2010, month=6, period="ytd", unit_id=unit_id
            ) == this_year[code, unit_id].last_year_ytd
    assert nonzero == set(codes), "every indicator has a figure to drill into"


def test_a_group_drills_to_its_member_units_lists(client, city):
    """A 大组's figure is its members' sum: its list is the members' rows, for every indicator, month
    and year to date, and last year's figure of its present members."""
    third = UnitFactory(code="unit_c", name="丙区")
    project(third, day(2011, 6, 3), "777", deliveries=[(day(2011, 6, 4), "70")])  # outside the group
    group = UnitGroupFactory(year=2011, name="市直一组", units=[city["a"], city["b"]])
    client.force_login(UserFactory(role="leader"))
    rows = ReportRow.objects.filter(report=report_compute_month(year=2011, month=6), group=group)
    assert rows.count() == len(STANDARD) + 2
    for row in rows.select_related("indicator"):
        figure = {"indicator_code": row.indicator.code, "month": 6, "group_id": group.pk}
        assert drilled_total(client, year=2011, period="month", **figure) == row.month_value, row.indicator.code
        assert drilled_total(client, year=2011, period="ytd", **figure) == row.ytd_value, row.indicator.code
        assert drilled_total(client, year=2010, period="ytd", **figure) == row.last_year_ytd, row.indicator.code
    signed = {"indicator_code": "signed_capital", "year": 2011, "month": 6, "period": "ytd"}
    response = client.get(drill_url(**signed, group_id=group.pk))
    assert "市直一组" in response.content.decode() and response.context["total"] == D("37000")
    bad = client.get(drill_url(**signed, group_id=99999))
    assert bad.status_code == 400 and "没有这个大组" in bad.content.decode()
    both = client.get(drill_url(**signed, group_id=group.pk) + f"&unit={city['a'].pk}")
    assert both.status_code == 400


def test_list_rows_add_up_to_the_total_for_a_leader(client, city):
    client.force_login(UserFactory(role="leader"))
    for code, amount in (("signed_capital", "signed_amount"), ("delivered_capital", "amount")):
        response = client.get(drill_url(indicator_code=code, year=2011, month=6, period="ytd"))
        listed = list(response.context["page"].object_list)
        assert sum(getattr(row, amount) for row in listed) == response.context["total"]
        assert response.context["hidden"] == 0
    count = client.get(drill_url(indicator_code="social_projects", year=2011, month=6, period="ytd"))
    assert [p.name for p in count.context["page"].object_list] and count.context["total"] == 2
    assert len(count.context["page"].object_list) == 2  # the carried-over project and this year's


@pytest.mark.parametrize(
    "who, sees_secret",
    [("staff_other_unit", False), ("staff_same_unit", True), ("leader", True)],
)
def test_confidential_projects_are_hidden_but_counted(client, city, who, sees_secret):
    """DESIGN §5: the figure is the bureau's whole total; a confidential project is listed only to its
    unit and to leaders; others read how many are hidden, and nothing else about them."""
    user = {
        "staff_other_unit": lambda: UserFactory(role="staff", unit=city["b"]),
        "staff_same_unit": lambda: UserFactory(role="staff", unit=city["a"]),
        "leader": lambda: UserFactory(role="leader"),
    }[who]()
    client.force_login(user)
    secret = city["secret"]
    for code in ("signed_capital", "delivered_capital", "mountain_sea_projects"):
        response = client.get(drill_url(indicator_code=code, year=2011, month=6, period="month"))
        body = response.content.decode()
        assert response.context["total"] == rows_of_city(code)
        assert (secret.name in body) is sees_secret, code
        assert response.context["hidden"] == (0 if sees_secret else 1)
        assert ("另有保密项目 1 个" in body) is not sees_secret
    # Nothing of it leaks through its unit's own list either: no amount of its own.
    response = client.get(drill_url(indicator_code="signed_capital", year=2011, month=6, period="month",
                                    unit_id=city["a"].pk))  # fmt: skip
    if not sees_secret:
        assert "20,000.00" not in response.content.decode()
        assert response.context["total"] == D("32000")


def rows_of_city(code) -> Decimal:
    return {"signed_capital": D("32000"), "delivered_capital": D("5750.50"), "mountain_sea_projects": D("1")}[code]


def test_bad_parameters_are_a_chinese_400(client, city):
    client.force_login(UserFactory(role="leader"))
    for query in (
        "",
        "?indicator=nope&year=2011&month=6&period=ytd",
        "?indicator=signed_capital&year=abc&month=6&period=ytd",
        "?indicator=signed_capital&year=2011&month=13&period=ytd",
        "?indicator=signed_capital&year=2011&month=6&period=week",
        "?indicator=signed_capital&year=2011&month=6&period=ytd&unit=999999",
        "?indicator=signed_capital&year=2011&month=6&period=ytd&unit=x",
        "?indicator=signed_capital&year=99999999999999999999&month=6&period=ytd",
    ):
        response = client.get("/dashboard/drill/" + query)
        assert response.status_code == 400, query
        assert "无法打开这个数字的明细" in response.content.decode()


def test_api_reader_gets_the_403_page(client, city):
    client.force_login(UserFactory(role="api_reader"))
    assert client.get(drill_url(indicator_code="signed_capital", year=2011, month=6, period="ytd")).status_code == 403


def test_pages_of_fifty_with_the_total_over_the_whole_set_and_fixed_queries(client):
    unit = UnitFactory(code="many", name="多项目区")
    client.force_login(UserFactory(role="leader"))
    url = drill_url(indicator_code="signed_capital", year=2011, month=6, period="ytd")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(3):
        project(unit, day(2011, 6, 1), "10", deliveries=[(day(2011, 6, 2), "1")])
    few = queries()
    for _ in range(60):
        project(unit, day(2011, 6, 1), "10", deliveries=[(day(2011, 6, 2), "1")])
    assert queries() == few
    response = client.get(url)
    assert response.context["total"] == D("630") and response.context["count"] == 63
    assert len(response.context["page"].object_list) == 50
    second = client.get(url + "&page=2")
    assert len(second.context["page"].object_list) == 13 and second.context["total"] == D("630")


def test_drill_url_spells_the_address():
    assert drill_url(indicator_code="signed_capital", year=2011, month=6, period="ytd") == (
        "/dashboard/drill/?indicator=signed_capital&year=2011&month=6&period=ytd"
    )
    assert drill_url(indicator_code="x", year=2010, month=1, period="month", unit_id=3).endswith("&unit=3")
    assert drill_url(indicator_code="x", year=2010, month=1, period="month", group_id=4).endswith("&group=4")
    with pytest.raises(ValueError):
        drill_url(indicator_code="x", year=2010, month=1, period="week")


