"""The demo year's December report gives the bureau's 2011 figures of DESIGN §1, exactly."""

from decimal import Decimal

import pytest

from targets.models import Report, ReportRow
from targets.reporting import report_compute_month

demo = pytest.importorskip("targets.demo", reason="the demo loader (targets/demo/) is not there yet")

pytestmark = pytest.mark.django_db

# DESIGN §1, 2011: the actual (万元 or projects) and the completion of the yearly target.
BULLETIN_2011 = {
    "signed_capital": ("4320000", "135.0"),  # 432 亿
    "delivered_capital": ("1760000", "110.0"),  # 176 亿
    "major_projects": ("144", "240.0"),
    "out_of_province_delivered": ("394500", "112.7"),  # 39.45 亿
    "returning_merchant_delivered": ("55400", "184.7"),  # 5.54 亿
    "mountain_sea_projects": ("270", "270.0"),
    "mountain_sea_signed": ("3000000", None),  # 300 亿, no target
    "mountain_sea_delivered": ("710000", "355.0"),  # 71 亿
    "social_projects": ("22", "220.0"),  # 含上年结转
    "social_delivered": ("350", "350.0"),  # 350 万
}


def test_december_2011_city_rows_are_the_bureaus_figures():
    demo.demo_load()

    report = report_compute_month(year=2011, month=12)

    assert report.status == Report.Status.PROVISIONAL
    city_rows = ReportRow.objects.filter(report=report).city().select_related("indicator")
    city = {row.indicator.code: row for row in city_rows}
    got = {code: (city[code].ytd_value, city[code].completion_pct) for code in BULLETIN_2011}
    expected = {code: (Decimal(actual), Decimal(pct) if pct else None) for code, (actual, pct) in BULLETIN_2011.items()}
    assert got == expected
    assert all(city[code].time_progress_pct == Decimal("100.0") for code in BULLETIN_2011)
    # The units' rows add up to the city's, and every unit with a target has a rank.
    for code in BULLETIN_2011:
        units = ReportRow.objects.filter(report=report, indicator__code=code, unit__isnull=False)
        assert sum(row.ytd_value for row in units) == city[code].ytd_value
        assert all(row.rank for row in units)
