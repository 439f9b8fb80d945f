"""A small stored report of November 2011 (and October before it) for the bulletin's tests.

Time progress after November is 91.7 %. 招商引资协议引资额: the city 410.5 亿 of 320 亿 (128.3 %);
柯城区 ahead, 龙游县 a little behind (略滞后), 江山市 far behind (滞后), 智造新城 with a target of zero.
引进市外投资亿元以上项目 has no city target; 实际到位市外资金 has a city target of zero.
"""

from decimal import Decimal

from targets.models import Report, ReportRow
from tests.factories import IndicatorFactory, ReportFactory, ReportRowFactory, UnitFactory

D = Decimal


def units():
    return {
        code: UnitFactory(code=code, name=name)
        for code, name in [("jiangshan", "江山市"), ("kecheng", "柯城区"), ("longyou", "龙游县"), ("zone", "智造新城")]
    }


def indicators():
    return {
        "signed": IndicatorFactory(code="b-signed", name="招商引资协议引资额", measure="signed_amount", position=1),
        "major": IndicatorFactory(
            code="b-major", name="引进市外投资亿元以上项目", measure="project_count", basis="signed", position=2
        ),
        "delivered": IndicatorFactory(
            code="b-delivered", name="实际到位市外资金", measure="delivered_amount", position=3
        ),
    }


def row(report, indicator, unit, ytd, target, completion, pace, rank=None, month_value="0", last_year="0", yoy=None):
    return ReportRowFactory(
        report=report, indicator=indicator, unit=unit, month_value=D(month_value), ytd_value=D(ytd),
        target=None if target is None else D(target), completion_pct=None if completion is None else D(completion),
        time_progress_pct=report_progress(report), pace=pace, rank=rank, last_year_ytd=D(last_year),
        yoy_pct=None if yoy is None else D(yoy),
    )  # fmt: skip


def report_progress(report):
    return {10: D("83.3"), 11: D("91.7"), 1: D("8.3")}[report.month]


AHEAD, LAGGING, BEHIND = ReportRow.Pace.AHEAD, ReportRow.Pace.LAGGING, ReportRow.Pace.BEHIND


def november(status=Report.Status.PUBLISHED, with_october=True):
    """The dataset; returns (report, units, indicators)."""
    u, i = units(), indicators()
    report = ReportFactory(year=2011, month=11, status=status, published_at="2011-12-05T09:00:00+08:00")
    row(report, i["signed"], None, "4105000", "3200000", "128.3", AHEAD, month_value="300000", last_year="3000000",
        yoy="36.8")  # fmt: skip
    row(report, i["signed"], u["kecheng"], "1500000", "1000000", "150.0", AHEAD, rank=1)
    row(report, i["signed"], u["longyou"], "800000", "900000", "88.9", LAGGING, rank=2)
    row(report, i["signed"], u["jiangshan"], "600000", "1000000", "60.0", BEHIND, rank=3)
    row(report, i["signed"], u["zone"], "50000", "0", None, "", rank=4)
    row(report, i["major"], None, "12", None, None, "", month_value="2")
    for code in u:
        row(report, i["major"], u[code], "3", None, None, "", rank=1)
    row(report, i["delivered"], None, "350", "0", None, "")
    for code in u:
        row(report, i["delivered"], u[code], "0", None, None, "", rank=1)
    if with_october:
        october = ReportFactory(year=2011, month=10, status=Report.Status.PUBLISHED, published_at="2011-11-05T09:00Z")
        row(october, i["signed"], None, "3520000", "3200000", "110.0", AHEAD)
        row(october, i["signed"], u["jiangshan"], "900000", "1000000", "90.0", AHEAD, rank=1)
        row(october, i["signed"], u["longyou"], "700000", "900000", "77.8", LAGGING, rank=2)
        row(october, i["signed"], u["kecheng"], "700000", "1000000", "70.0", LAGGING, rank=3)
        row(october, i["signed"], u["zone"], "0", "0", None, "", rank=4)
    return report, u, i
