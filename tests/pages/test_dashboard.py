"""The leaders' dashboard /dashboard/?year=&month=: month picker, status, the city and units' tables,
the reader's own unit, roles, bad parameters, chart data, and a query count that does not grow."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import reporting
from targets.models import Report
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    IndustryFactory,
    ProjectFactory,
    TargetFactory,
    UnitFactory,
    UnitGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def signed(unit, amount, day=datetime.date(2011, 3, 15), **fields):
    return ProjectFactory(
        unit=unit, signed=True, signed_on=day, signed_amount=Decimal(amount), origin="out_of_city", **fields
    )


@pytest.fixture
def city():
    """Three units on signed_capital (targets 100, 100, 100 万 each, 10000 万 for the city): 柯城区
    signed 80 (80%, ahead in March), 衢江区 20 (20%, behind), 江山市 nothing (0%)."""
    units = [
        UnitFactory(code="kecheng", name="柯城区"),
        UnitFactory(code="qujiang", name="衢江区"),
        UnitFactory(code="jiangshan", name="江山市"),
    ]
    indicator = IndicatorFactory(code="signed_capital")
    TargetFactory(indicator=indicator, value=10000)
    for unit in units:
        TargetFactory(indicator=indicator, unit=unit, value=100)
    signed(units[0], 80)
    signed(units[1], 20, day=datetime.date(2011, 1, 10))
    return units


def get(client, **params):
    return client.get(reverse("dashboard"), params)


def section(page: str, code: str) -> str:
    """The HTML of one indicator's section."""
    match = re.search(rf'<section class="card indicator" id="indicator-{code}".*?</section>', page, re.S)
    assert match, f"no section for {code}"
    return match.group(0)


def ranking(page: str, code: str) -> str:
    """One indicator's units table."""
    return re.search(r'<table class="figures ranking">.*?</table>', section(page, code), re.S).group(0)


def chart_data(page: str, script_id: str = "dashboard-data") -> dict:
    match = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', page, re.S)
    assert match, "no chart data"
    return json.loads(match.group(1))


def test_the_picker_lists_the_months_with_reports_and_opens_the_one_asked(client, leader_user, city):
    reporting.report_compute_month(year=2011, month=1)
    reporting.report_compute_month(year=2011, month=3)
    reporting.report_compute_month(year=2010, month=12)
    client.force_login(leader_user)

    page = get(client, year=2011, month=1).content.decode()

    assert "2011年1月 全市招商引资指标完成情况" in page
    years = re.findall(r'<option value="(\d{4})"', page)
    assert years == ["2011", "2010"]  # newest first
    assert '<option value="2011" selected>' in page and '<option value="1" selected>' in page
    links = re.findall(r'href="\?year=2011&amp;month=(\d+)"', page)
    assert links == ["1", "3"]
    assert re.search(r'month=1"\s+aria-current="page"', page)
    # Without parameters: the latest month.
    assert "2011年3月 全市招商引资指标完成情况" in get(client).content.decode()


def test_the_status_badge_says_provisional_then_published(client, leader_user, city):
    report = reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    assert "初步（待发布）" in get(client, year=2011, month=3).content.decode()

    reporting.report_publish(report=report, actor=leader_user)
    page = get(client, year=2011, month=3).content.decode()
    assert 'class="status status-published">已发布' in page
    assert "初步（待发布）" not in page and "status-provisional" not in page


@pytest.mark.parametrize(
    ("status", "shown"), [("queued", "排队中"), ("running", "计算中"), ("failed", "计算失败")]
)
def test_a_month_without_figures_says_so_honestly(client, leader_user, city, status, shown):
    reporting.report_compute_month(year=2011, month=3)
    Report.objects.create(year=2011, month=4, status=status, error="数据库连接中断" if status == "failed" else "")
    client.force_login(leader_user)

    page = get(client, year=2011, month=4).content.decode()

    assert "2011年4月 全市招商引资指标完成情况" in page
    assert shown in page
    assert 'class="figures' not in page  # no stale or half table
    if status == "failed":
        assert "数据库连接中断" in page
    # The latest month with figures is still what the page opens on.
    assert "2011年3月 全市" in get(client).content.decode()


def test_each_indicator_ranks_its_units_with_pace_and_the_city_table_stays(client, leader_user, city):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    page = get(client, year=2011, month=3).content.decode()

    city_row = re.search(r'<table class="figures city">.*?招商引资协议引资额.*?</tr>', page, re.S).group(0)
    assert "100 万元" in city_row and "1.0%" in city_row  # 100 of 10000 万
    table = ranking(page, "signed_capital")
    names = re.findall(r'<th scope="row">(柯城区|衢江区|江山市)', table)
    assert names == ["柯城区", "衢江区", "江山市"]  # by rank: 80%, 20%, 0%
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", table, re.S)
    assert "80.0%" in rows[0] and "超序时" in rows[0] and re.search(r'class="rank">1<', rows[0])
    assert "20.0%" in rows[1] and "滞后" in rows[1] and re.search(r'class="rank">2<', rows[1])
    assert "0.0%" in rows[2] and re.search(r'class="rank">3<', rows[2])
    assert "{#" not in page and "{%" not in page  # no template comment or tag shows as text
    for heading in ("目标", "当月", "累计", "完成率", "时间进度", "进度", "上年同期", "同比", "排名"):
        assert f'<th scope="col">{heading}</th>' in table


def test_assessment_groups_are_ranked_in_a_table_of_their_own(client, leader_user, city):
    indicator = IndicatorFactory(code="signed_capital")  # the fixture's
    first = UnitGroupFactory(name="市直第一组", units=[city[0]])
    second = UnitGroupFactory(name="市直第二组", units=[city[1], city[2]])
    TargetFactory(indicator=indicator, group=first, value=1000)  # 80 of 1000: 8%
    TargetFactory(indicator=indicator, group=second, value=100)  # 20 of 100: 20%
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    page = section(get(client, year=2011, month=3).content.decode(), "signed_capital")

    tables = re.findall(r'<table class="figures ranking">.*?</table>', page, re.S)
    assert len(tables) == 2
    assert '<th scope="col">大组</th>' in tables[1]
    assert re.findall(r'<th scope="row">(市直第[一二]组)', tables[1]) == ["市直第二组", "市直第一组"]
    assert "20.0%" in tables[1] and "8.0%" in tables[1]
    assert "市直第" not in tables[0]  # the units' table holds units only


def test_a_staff_member_sees_their_own_unit_highlighted_in_words_too(client, city):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(UserFactory(role="staff", unit=city[1]))

    table = ranking(get(client, year=2011, month=3).content.decode(), "signed_capital")

    own = re.findall(r'<tr class="own-unit" aria-current="true">.*?</tr>', table, re.S)
    assert len(own) == 1
    assert "衢江区" in own[0] and "（本单位）" in own[0]
    assert table.count("（本单位）") == 1


def test_a_leader_has_no_own_unit_row(client, leader_user, city):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    page = get(client).content.decode()

    assert "own-unit" not in page and "（本单位）" not in page


@pytest.mark.parametrize(("role", "status"), [("staff", 200), ("leader", 200), ("admin", 200), ("api_reader", 403)])
def test_every_page_role_reads_it_and_an_api_reader_does_not(client, city, role, status):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(UserFactory(role=role))

    response = get(client)

    assert response.status_code == status
    if status == 200:
        assert "招商引资协议引资额" in response.content.decode()


def test_a_visitor_signs_in_first(client, city):
    response = get(client)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"year": "abc", "month": "3"}, "不是有效的月份，已显示最近的 2011年5月"),
        ({"year": "2011", "month": "13"}, "不是有效的月份，已显示最近的 2011年5月"),
        ({"year": "2011", "month": "-1"}, "不是有效的月份"),
        ({"year": "99999999999999999999", "month": "1"}, "不是有效的月份"),
        ({"year": "2011", "month": "4"}, "2011年4月还没有通报，已显示最近的 2011年5月"),
        ({"year": "2011", "month": "2"}, "2011年2月还没有通报，已显示最近的 2011年1月"),
        ({"year": "2030"}, "2030年12月还没有通报，已显示最近的 2011年5月"),
        ({"month": "1"}, "不是有效的月份"),
    ],
)
def test_a_bad_or_unknown_month_gets_a_message_and_the_nearest_month(client, leader_user, city, params, says):
    reporting.report_compute_month(year=2011, month=1)
    reporting.report_compute_month(year=2011, month=5)
    client.force_login(leader_user)

    response = get(client, **params)

    assert response.status_code == 200
    page = response.content.decode()
    assert says in page
    assert 'class="notice" role="status"' in page


def test_without_any_report_the_empty_state_points_at_computing_this_month(client, leader_user):
    client.force_login(leader_user)

    page = get(client).content.decode()

    assert "还没有计算过月度通报" in page
    assert "“计算本月”" in page
    assert "dashboard-data" not in page


def test_the_charts_data_carries_the_year_line_the_ranking_and_the_breakdown(client, leader_user, city):
    industry = IndustryFactory(code="dash-test-industry", name="测试用产业")
    signed(city[0], 300000, day=datetime.date(2011, 3, 20), industry=industry)  # 30 亿 in March
    CapitalDeliveryFactory(
        project=signed(city[1], 50000, day=datetime.date(2011, 1, 5)), amount=Decimal(20000),
        delivered_on=datetime.date(2011, 2, 1),
    )
    reporting.report_compute_month(year=2011, month=1)
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    page = get(client, year=2011, month=3).content.decode()
    data = chart_data(page)

    assert data["time_progress"] == 25.0
    entry = next(e for e in data["indicators"] if e["code"] == "signed_capital")
    assert entry["months"] == ["1月", "2月", "3月"]
    assert entry["ytd"] == [5.0, None, 35.01]  # Jan: 50000+20 万 → 5.00 亿; no Feb report; Mar: 350100 万
    assert entry["pace_line"] == [0.08, 0.17, 0.25]  # 10000 万 × m/12, in 亿元
    assert [row["unit"] for row in entry["ranking"]] == ["柯城区", "衢江区", "江山市"]
    assert [row["pace"] for row in entry["ranking"]][0] == "ahead"
    assert page.count('class="chart-data"') == 1 + len(data["indicators"])  # every chart has its data as a table
    assert 'hx-get="/dashboard/capital/?year=2011&amp;month=3"' in page

    capital = client.get(reverse("dashboard_capital"), {"year": 2011, "month": 3}).content.decode()
    breakdown = chart_data(capital, "capital-data")
    origin = {row["name"]: row for row in breakdown["origin"]}
    assert list(origin) == ["市内", "市外省内", "省外", "境外"]  # every origin, even at zero
    assert origin["市外省内"] == {"name": "市外省内", "signed": 35.01, "delivered": 2.0}
    assert origin["市内"]["signed"] == 0.0
    industries = {row["name"]: row for row in breakdown["industry"]}
    assert industries["测试用产业"]["signed"] == 30.0
    assert capital.count('class="chart-data"') == 2
    assert "<td>30.00</td>" in capital  # the chart's table


@pytest.mark.parametrize(
    "params", [{}, {"year": "2011"}, {"year": "2011", "month": "4"}, {"year": "<b>", "month": "3"}]
)
def test_the_capital_section_refuses_a_month_without_figures(client, leader_user, city, params):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    response = client.get(reverse("dashboard_capital"), params)

    assert response.status_code == 400
    assert "没有可读的通报" in response.content.decode() and "<b>" not in response.content.decode()


def test_api_readers_do_not_get_the_capital_section(client, city):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(UserFactory(role="api_reader"))

    assert client.get(reverse("dashboard_capital"), {"year": 2011, "month": 3}).status_code == 403


def _city_of(size: int):
    """`size` units and `size` custom indicators, each unit with a signed project and a target."""
    for n in range(size):
        unit = UnitFactory(code=f"size-unit-{size}-{n}", name=f"单位{size}-{n}")
        indicator = IndicatorFactory(code=f"size-ind-{size}-{n}", measure="signed_amount")
        TargetFactory(indicator=indicator, unit=unit, value=1000)
        signed(unit, 100 + n)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get(client, year=2011, month=3)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_units_and_indicators(client, settings):
    staff = UserFactory(role="staff")
    client.force_login(staff)
    _city_of(2)
    reporting.report_compute_month(year=2011, month=2)
    reporting.report_compute_month(year=2011, month=3)
    small = _queries(client)

    _city_of(8)
    Report.objects.all().delete()
    reporting.report_compute_month(year=2011, month=2)
    reporting.report_compute_month(year=2011, month=3)
    large = _queries(client)  # the first read of each report: the capital breakdown is not cached yet
    large_page = get(client, year=2011, month=3).content.decode()

    assert large_page.count('class="card indicator"') > 10 + 8  # the standard ten and the custom ones
    assert small == large
    assert large <= 13  # the report and its rows, the picker, the actions, the bulletin text, land, the nav


def test_every_figure_of_the_tables_links_to_the_projects_behind_it(client, leader_user, city):
    from targets.drilldown import drill_url

    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)
    page = get(client, year=2011, month=3).content.decode()

    def link(**scope) -> str:
        return drill_url(indicator_code="signed_capital", year=2011, month=3, **scope).replace("&", "&amp;")

    city_table = re.search(r'<table class="figures city">.*?</table>', page, re.S).group(0)
    for scope in ({"period": "month"}, {"period": "ytd"}):
        assert f'href="{link(**scope)}"' in city_table
    last_year = drill_url(indicator_code="signed_capital", year=2010, month=3, period="ytd").replace("&", "&amp;")
    assert f'href="{last_year}"' in city_table
    units = ranking(page, "signed_capital")
    ytd = link(period="ytd", unit_id=city[0].id)
    assert re.search(rf'href="{re.escape(ytd)}">80 万元</a>', units)
    assert units.count('href="/dashboard/drill/?') == 3 * 3  # 当月, 累计, 上年同期 of three units

    listed = client.get(ytd.replace("&amp;", "&"))
    assert listed.status_code == 200 and "80" in listed.content.decode()


def test_the_figures_are_rendered_once_per_computation_and_a_recompute_shows_the_new_ones(client, leader_user, city):
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)
    first = _queries(client)
    again = _queries(client)
    assert again < first  # the rows, the year's line and the capital breakdown are not read again

    signed(city[2], 55)  # 江山市 signs 55 万 in March
    reporting.report_compute_month(year=2011, month=3)

    table = ranking(get(client, year=2011, month=3).content.decode(), "signed_capital")
    row = re.search(r"<tr[^>]*>\s*<th scope=\"row\">江山市.*?</tr>", table, re.S).group(0)
    assert "55 万元" in row and "55.0%" in row


def test_the_dashboard_shows_the_years_ready_land_beside_the_figures(client, leader_user, city):
    from tests.factories import ParcelFactory

    ParcelFactory(published=True, published_on=datetime.date(2011, 2, 1), area_mu=Decimal("120.5"))
    reporting.report_compute_month(year=2011, month=3)
    client.force_login(leader_user)

    page = get(client, year=2011, month=3).content.decode()

    section = re.search(r'<section class="card land-dashboard".*?</section>', page, re.S).group(0)
    assert "熟地供应（2011 年）" in section
    assert "<td>1</td><td>120.50</td>" in section  # 公开发布: one parcel, its area
