"""Calendar periods the simulated users ask for: a quarter's or a month's first and last day."""

import datetime as dt


def quarter_before(today: dt.date, quarters_back: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a calendar quarter `quarters_back` quarters before today's."""
    index = (today.year * 4 + (today.month - 1) // 3) - quarters_back
    year, quarter = divmod(index, 4)
    first = dt.date(year, quarter * 3 + 1, 1)
    next_first = dt.date(year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def month_before(today: dt.date, months_back: int) -> tuple[dt.date, dt.date]:
    index = today.year * 12 + today.month - 1 - months_back
    first = dt.date(index // 12, index % 12 + 1, 1)
    next_index = index + 1
    return first, dt.date(next_index // 12, next_index % 12 + 1, 1) - dt.timedelta(days=1)
