"""The bulletin's drafted text against sentences written by hand, on the small report of bulletin_data."""

from decimal import Decimal

import pytest

from targets.bulletin.text import draft_bulletin, figure_words, pace_words, period_words
from targets.bulletin.views import bulletin_of, previous_rows, report_rows
from targets.models import Indicator
from tests.targets.bulletin_data import november

pytestmark = pytest.mark.django_db


def test_the_draft_of_november_reads_as_the_bureau_writes_it():
    report, _units, _indicators = november()

    draft, _tables = bulletin_of(report)

    assert draft.title == "全市招商引资工作通报（2011年第11期）"
    assert [(s.heading, s.paragraphs) for s in draft.sections] == [
        (
            "一、全市总体情况",
            [
                "1-11月，全市招商引资协议引资额410.5亿元，完成年度目标的128.3%，超序时进度36.6个百分点。",
                "1-11月，全市引进市外投资亿元以上项目12个（未下达年度目标）。",
                "1-11月，全市实际到位市外资金350万元（年度目标为零，不计完成率）。",
            ],
        ),
        (
            "二、各单位完成情况",
            [
                "招商引资协议引资额：完成率居前的是柯城区（150.0%）、龙游县（88.9%）、江山市（60.0%）；"
                "低于序时进度的有江山市（完成60.0%，低于序时进度31.7个百分点）、"
                "龙游县（完成88.9%，低于序时进度2.8个百分点）；年度目标为零、不计完成率的有智造新城。",
                "引进市外投资亿元以上项目：各单位均未下达年度目标。",
                "实际到位市外资金：各单位均未下达年度目标。",
            ],
        ),
        (
            "三、与上月相比",
            [
                "招商引资协议引资额：江山市由超序时转为滞后，排名由第1位下降至第3位；"
                "柯城区由略滞后转为超序时，排名由第3位上升至第1位。"
            ],
        ),
    ]
    assert draft.text.startswith("全市招商引资工作通报（2011年第11期）\n一、全市总体情况\n1-11月，全市")


def test_without_last_months_report_the_draft_says_it_cannot_compare():
    report, _units, _indicators = november(with_october=False)

    assert previous_rows(report) is None
    draft, _tables = bulletin_of(report)

    assert draft.sections[-1].paragraphs == ["10月通报尚未生成，暂不比较。"]


def test_january_reads_1月_and_is_not_compared_with_december():
    report, _units, _indicators = november(with_october=False)
    rows = report_rows(report)

    draft = draft_bulletin(rows, year=2011, month=1, previous=[])

    assert draft.sections[0].paragraphs[0].startswith("1月，全市招商引资协议引资额410.5亿元")
    assert draft.sections[-1].paragraphs == ["本月为年度首期通报，不与上月比较。"]


def test_a_month_with_nothing_changed_says_so():
    report, _units, _indicators = november(with_october=False)
    rows = report_rows(report)

    draft = draft_bulletin(rows, year=2011, month=11, previous=rows)

    assert draft.sections[-1].paragraphs == ["与上月相比，各项指标的进度和单位排名无明显变化。"]


@pytest.mark.parametrize(
    ("completion", "progress", "words"),
    [
        ("128.3", "91.7", "超序时进度36.6个百分点"),
        ("60.0", "91.7", "低于序时进度31.7个百分点"),
        ("91.7", "91.7", "与序时进度持平"),
        ("100.0", "50.0", "超序时进度50个百分点"),
    ],
)
def test_pace_in_百分点(completion, progress, words):
    assert pace_words(Decimal(completion), Decimal(progress)) == words


@pytest.mark.parametrize(
    ("value", "measure", "words"),
    [
        ("4105000.00", "signed_amount", "410.5亿元"),
        ("4320000.00", "signed_amount", "432亿元"),
        ("394500.00", "delivered_amount", "39.45亿元"),
        ("350.00", "delivered_amount", "350万元"),
        ("9999.50", "delivered_amount", "9999.5万元"),
        ("144.00", "project_count", "144个"),
    ],
)
def test_figures_in_words(value, measure, words):
    assert figure_words(Decimal(value), Indicator(measure=measure)) == words


def test_period_words():
    assert period_words(1) == "1月"
    assert period_words(2) == "1-2月"
    assert period_words(12) == "1-12月"


def test_a_computed_report_with_an_assessment_group_drafts_its_大组_lines_and_tables():
    from targets import reporting
    from targets.bulletin.tables import GROUP_COLUMNS
    from targets.models import Report
    from tests.factories import IndicatorFactory, ProjectFactory, TargetFactory, UnitFactory, UnitGroupFactory

    kecheng, jiangshan = UnitFactory(code="kecheng", name="柯城区"), UnitFactory(code="jiangshan", name="江山市")
    group = UnitGroupFactory(code="2011-shizhi-1", name="市直第一组", units=[kecheng, jiangshan])
    signed = IndicatorFactory(code="signed_capital", name="招商引资协议引资额")
    ProjectFactory(unit=kecheng, signed=True, origin="out_of_city")  # 5000 万 signed 2011-03-15
    TargetFactory(indicator=signed, value=Decimal("20000"))
    TargetFactory(indicator=signed, unit=kecheng, value=Decimal("10000"))
    TargetFactory(indicator=signed, unit=jiangshan, value=Decimal("10000"))
    TargetFactory(indicator=signed, group=group, value=Decimal("20000"))
    reporting.report_compute_month(year=2011, month=3)

    draft, tables = bulletin_of(Report.objects.get(year=2011, month=3))

    headings = [section.heading for section in draft.sections]
    assert headings == ["一、全市总体情况", "二、各单位完成情况", "三、各大组完成情况", "四、与上月相比"]
    paragraphs = {section.heading[2:]: section.paragraphs for section in draft.sections}
    assert "1-3月，全市招商引资协议引资额5000万元，完成年度目标的25.0%，与序时进度持平。" in paragraphs["全市总体情况"]
    assert (
        "招商引资协议引资额：完成率居前的是柯城区（50.0%）、江山市（0.0%）；"
        "低于序时进度的有江山市（完成0.0%，低于序时进度25个百分点）。"
    ) in paragraphs["各单位完成情况"]
    groups = paragraphs["各大组完成情况"]
    assert "招商引资协议引资额：完成率居前的是市直第一组（25.0%）；各大组均达到序时进度。" in groups
    assert paragraphs["与上月相比"] == ["2月通报尚未生成，暂不比较。"]
    group_table = next(t for t in tables if t.title == "招商引资协议引资额各大组完成情况")
    assert group_table.columns == GROUP_COLUMNS
    assert [(r.rank, r.group.name, r.completion_pct) for r in group_table.rows] == [(1, "市直第一组", Decimal("25.0"))]


def test_a_rank_move_of_one_place_is_not_named_two_places_are():
    from accounts.models import Unit
    from targets.bulletin.text import change_words
    from targets.models import ReportRow

    unit = Unit(pk=1, code="jiangshan", name="江山市")

    def at(rank, pace="ahead"):
        return ReportRow(unit=unit, rank=rank, pace=pace)

    assert change_words(at(3), at(4)) is None
    assert change_words(at(3), at(5)) == "江山市排名由第5位上升至第3位"
    assert change_words(at(3, "behind"), at(2)) == "江山市由超序时转为滞后"
