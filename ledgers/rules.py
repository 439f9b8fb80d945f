"""Rules of an import that another layer knows: whether a month's report is published.

The monthly reports (targets) sit above the import in the layers (targets reads the projects the
import writes), so the import cannot ask targets itself. targets registers its answer here when the
apps load (targets.apps); until then — and in a deployment without reports — no month is published.
"""

from collections.abc import Callable

_published_month: Callable[[int, int], bool] = lambda year, month: False  # noqa: E731


def register_published_month(check: Callable[[int, int], bool]) -> None:
    global _published_month
    _published_month = check


def month_is_published(year: int, month: int) -> bool:
    return _published_month(year, month)


def published_months(months: set[tuple[int, int]]) -> set[tuple[int, int]]:
    return {month for month in months if _published_month(*month)}
