"""The bulletin's .docx and .xlsx downloads: opened again with python-docx and openpyxl and compared
with the stored report rows; who may download them; months without a finished report."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from targets.bulletin.tables import CITY_COLUMNS, UNIT_COLUMNS, shown
from targets.bulletin.views import bulletin_context
from targets.models import Report, ReportRow
from targets.templatetags.figures import figure, percent
from tests.factories import ReportFactory, UnitFactory, UserFactory
from tests.targets.bulletin_data import november, row

pytestmark = pytest.mark.django_db

DOCX_URL = "/dashboard/2011/11/bulletin.docx"
XLSX_URL = "/dashboard/2011/11/bulletin.xlsx"


def _rows(report, indicator=None, city=False):
    rows = ReportRow.objects.filter(report=report).select_related("indicator", "unit")
    if city:
        return list(rows.filter(unit__isnull=True).order_by("indicator__position"))
    return list(rows.filter(indicator=indicator, unit__isnull=False).order_by("rank", "unit__code"))


def _texts(table):
    return [[cell.text for cell in r.cells] for r in table.rows]


def test_the_urls_are_named_for_the_dashboard():
    assert reverse("dashboard_bulletin_docx", kwargs={"year": 2011, "month": 11}) == DOCX_URL
    assert reverse("dashboard_bulletin_xlsx", kwargs={"year": 2011, "month": 11}) == XLSX_URL


def test_the_docx_has_title_issuer_text_and_the_report_tables(client, leader_user, settings):
    settings.BULLETIN_ISSUER = "衢州市招商局"
    report, _units, indicators = november()
    client.force_login(leader_user)

    response = client.get(DOCX_URL)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bulletin-2011-11.docx"'
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "全市招商引资工作通报（2011年第11期）"
    assert paragraphs[1].startswith("衢州市招商局") and paragraphs[1].endswith("2011年12月5日")
    assert "1-11月，全市招商引资协议引资额410.5亿元，完成年度目标的128.3%，超序时进度36.6个百分点。" in paragraphs
    assert "附表1：全市招商引资主要指标完成情况" in paragraphs
    assert "附表2：招商引资协议引资额各单位完成情况" in paragraphs

    text_pages, table_pages = document.sections  # the text on portrait A4, the tables on landscape
    assert text_pages.page_width < text_pages.page_height and table_pages.page_width > table_pages.page_height
    city, *unit_tables = document.tables
    assert len(unit_tables) == 3  # one per indicator
    assert _texts(city)[0] == [c.header for c in CITY_COLUMNS]
    assert _texts(city)[1:] == [
        [r.indicator.name, figure(r.month_value, r.indicator), figure(r.ytd_value, r.indicator),
         figure(r.target, r.indicator), percent(r.completion_pct), percent(r.time_progress_pct),
         r.get_pace_display() or "—", figure(r.last_year_ytd, r.indicator), percent(r.yoy_pct)]
        for r in _rows(report, city=True)
    ]  # fmt: skip
    assert _texts(city)[1][:5] == ["招商引资协议引资额", "30.00 亿元", "410.50 亿元", "320.00 亿元", "128.3%"]
    signed = _texts(unit_tables[0])
    assert signed[0] == [c.header for c in UNIT_COLUMNS]
    assert signed[1:] == [[shown(c, r) for c in UNIT_COLUMNS] for r in _rows(report, indicators["signed"])]
    assert [line[:2] for line in signed[1:]] == [["1", "柯城区"], ["2", "龙游县"], ["3", "江山市"], ["4", "智造新城"]]
    assert signed[3][7] == "滞后" and signed[4][5] == "—"  # 江山市's pace; 智造新城 (target 0) has no completion


def test_the_xlsx_holds_every_table_with_numbers_as_numbers(client, staff_user):
    report, _units, indicators = november()
    client.force_login(staff_user)

    response = client.get(XLSX_URL)

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "1 全市招商引资主要指标完成情况", "2 招商引资协议引资额各单位完成情况",
        "3 引进市外投资亿元以上项目各单位完成情况", "4 实际到位市外资金各单位完成情况",
    ]  # fmt: skip
    city = list(workbook.worksheets[0].values)
    assert city[0] == (
        "指标", "计量单位", "当月", "累计", "年度目标", "完成率（%）", "时间进度（%）", "进度", "上年同期", "同比（%）",
    )  # fmt: skip
    expected_city = [
        (r.indicator.name, "万元" if r.indicator.is_amount else "个",
         *[None if v is None else float(v) for v in (r.month_value, r.ytd_value, r.target, r.completion_pct,
                                                     r.time_progress_pct)],
         r.get_pace_display() or None,
         *[None if v is None else float(v) for v in (r.last_year_ytd, r.yoy_pct)])
        for r in _rows(report, city=True)
    ]  # fmt: skip
    assert city[1:] == expected_city
    assert city[1][3] == 4105000 and city[2][1:4] == ("个", 2, 12)  # 万元 as numbers; counts whole

    signed = list(workbook.worksheets[1].values)
    assert signed[0][:6] == ("排名", "责任单位", "当月（万元）", "累计（万元）", "年度目标（万元）", "完成率（%）")
    assert [(line[0], line[1], line[3], line[5]) for line in signed[1:]] == [
        (r.rank, r.unit.name, float(r.ytd_value), None if r.completion_pct is None else float(r.completion_pct))
        for r in _rows(report, indicators["signed"])
    ]
    assert list(workbook.worksheets[2].values)[0][3] == "累计（个）"


def test_an_api_reader_may_not_download(client):
    november()
    client.force_login(UserFactory(role="api_reader"))

    assert client.get(DOCX_URL).status_code == 403
    assert client.get(XLSX_URL).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    november()

    response = client.get(DOCX_URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["staff", "leader", "admin"])
def test_staff_leaders_and_admins_download_both(client, role):
    november()
    client.force_login(UserFactory(role=role))

    assert client.get(DOCX_URL).status_code == 200
    assert client.get(XLSX_URL).status_code == 200


@pytest.mark.parametrize("url", ["/dashboard/2011/13/bulletin.docx", "/dashboard/1999/5/bulletin.xlsx"])
def test_an_impossible_month_is_the_404_page(client, leader_user, url):
    client.force_login(leader_user)

    response = client.get(url)

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_month_never_computed_says_so(client, leader_user):
    client.force_login(leader_user)

    response = client.get("/dashboard/2011/5/bulletin.docx")

    assert response.status_code == 404
    assert "2011年5月还没有计算过月度通报" in response.content.decode()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Report.Status.QUEUED, "该月通报尚未计算完成（当前状态：排队中）"),
        (Report.Status.RUNNING, "该月通报尚未计算完成（当前状态：计算中）"),
        (Report.Status.FAILED, "该月通报计算失败，暂不能下载"),
    ],
)
def test_a_month_still_computing_or_failed_says_it_cannot_be_downloaded_yet(client, leader_user, status, message):
    ReportFactory(year=2011, month=6, status=status)
    client.force_login(leader_user)

    response = client.get("/dashboard/2011/6/bulletin.xlsx")

    assert response.status_code == 409
    assert message in response.content.decode()


def test_the_files_query_count_does_not_grow_with_units(client, leader_user):
    report, units, indicators = november()
    client.force_login(leader_user)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = (queries(DOCX_URL), queries(XLSX_URL))
    for n in range(20):
        unit = UnitFactory(code=f"more-{n}", name=f"新增单位{n}")
        for indicator in indicators.values():
            row(report, indicator, unit, "100", "1000", "10.0", ReportRow.Pace.BEHIND, rank=5 + n)
    assert (queries(DOCX_URL), queries(XLSX_URL)) == small


def test_the_text_partial_has_the_draft_and_the_links(rf, leader_user):
    report, _units, _indicators = november()

    context = bulletin_context(report)
    html = render_to_string("targets/bulletin/_text.html", context)

    assert context["bulletin"]["text"].startswith("全市招商引资工作通报（2011年第11期）")
    assert '<label for="bulletin-text">通报正文</label>' in html
    assert "readonly>全市招商引资工作通报（2011年第11期）\n一、全市总体情况" in html
    assert f'href="{DOCX_URL}"' in html and f'href="{XLSX_URL}"' in html
    assert ">复制</button>" in html and "targets/bulletin.js" in html


def test_the_text_partial_without_a_finished_report_says_why():
    report = ReportFactory(year=2011, month=7, status=Report.Status.RUNNING)

    html = render_to_string("targets/bulletin/_text.html", bulletin_context(report))

    assert bulletin_context(None) == {"bulletin": None}
    assert "本月通报尚未计算完成" in html and "bulletin.docx" not in html


def test_a_name_typed_as_a_formula_stays_text_in_the_xlsx(client, leader_user):
    report, _units, indicators = november()
    UnitFactory(code="evil", name="=HYPERLINK(\"http://x\")")
    from accounts.models import Unit

    row(report, indicators["signed"], Unit.objects.get(code="evil"), "1", "10", "10.0", "", rank=9)
    client.force_login(leader_user)

    workbook = load_workbook(io.BytesIO(client.get(XLSX_URL).content))
    names = [line[1] for line in list(workbook.worksheets[1].values)[1:]]
    assert '=HYPERLINK("http://x")' in names
    assert Decimal("1") == Decimal(str(list(workbook.worksheets[1].values)[-1][3]))


def test_the_bulletin_page_shows_the_text_to_staff_and_refuses_api_readers(client, staff_user):
    november()
    client.force_login(staff_user)

    page = client.get(reverse("dashboard_bulletin", kwargs={"year": 2011, "month": 11})).content.decode()

    assert "2011年11月通报文稿" in page and "完成年度目标的128.3%" in page
    assert client.get("/dashboard/2011/4/bulletin/").status_code == 404
    client.force_login(UserFactory(role="api_reader"))
    assert client.get("/dashboard/2011/11/bulletin/").status_code == 403
