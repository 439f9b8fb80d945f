"""Where a report figure leads: the address of the drill-down list behind one figure.

A figure of the monthly report is one indicator, one scope (the city, a unit or a 大组) and one
period (a month alone or the year to date) of one year. Last year's figure is the same call with
`year - 1`. The list itself is targets.drill; this module only spells the address, so the
dashboard, the bulletin and the restatement all link the same way.
"""

from urllib.parse import urlencode

from django.urls import reverse

PERIOD_MONTH = "month"
PERIOD_YTD = "ytd"
PERIODS = (PERIOD_MONTH, PERIOD_YTD)


def drill_url(
    *, indicator_code: str, year: int, month: int, period: str, unit_id: int | None = None, group_id: int | None = None
) -> str:
    """`/dashboard/drill/?indicator=<code>&year=<y>&month=<m>&period=month|ytd[&unit=<id>|&group=<id>]`.

    No unit and no group: the city. A figure has one scope, so a unit and a group together are a
    programming error, not a page to show."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    if unit_id is not None and group_id is not None:
        raise ValueError("a figure belongs to a unit or to a group, not to both")
    query = {"indicator": indicator_code, "year": year, "month": month, "period": period}
    if unit_id is not None:
        query["unit"] = unit_id
    elif group_id is not None:
        query["group"] = group_id
    return f"{reverse('dashboard_drill')}?{urlencode(query)}"
