"""Cells as a county's ledger clerk types them, read as the values the models hold.

Each reader takes what openpyxl or the csv module gives (str, int, float, datetime, date, bool or
None) and returns the value, or raises CellError with a message in Chinese. The readers know no
model: the columns (ledgers.columns) say which reader a field needs.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel


class CellError(ValueError):
    pass


# Every kind of space a cell can carry: full-width (U+3000), no-break, tab, line breaks.
SPACES = re.compile(r"[\s\u3000\u00a0]+")


def text(value) -> str:
    """Text without the spaces around it; runs of spaces inside become one (a full-width space
    typed between two words included). A number typed into a text column reads as it shows."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%Y-%m-%d")
    return SPACES.sub(" ", str(value)).strip()


def is_blank(value) -> bool:
    return text(value) == ""


# 2011年3月5日, 2011.3.5, 2011/3/5, 2011-3-5 (and 2011-03-05T00:00:00 from a CSV written by a program).
DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?(?:[T ]00:00(?::00)?)?$")
# Serial numbers of Excel's 1900 date system between 1990-01-01 and 2099-12-31: a plain number in a
# date column is such a serial when it was typed or pasted as a number.
SERIAL_RANGE = (32874, 73415)


def date(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    raw = unicodedata.normalize("NFKC", text(value))
    if not raw:
        return None
    if raw.isdigit() and len(raw) == 5:
        return _serial(int(raw))
    match = DATE.match(raw)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(
        _("“%(value)s”不是有效日期；请写成 2011-3-5、2011/3/5、2011.3.5 或 2011年3月5日。") % {"value": raw}
    )


def _serial(number: float) -> datetime.date:
    if not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        raise CellError(_("“%(value)s”不是有效日期。") % {"value": number})
    return from_excel(number).date()


# The unit suffixes an amount may carry; amounts are stored in 万元.
AMOUNT_UNITS = (("亿元", Decimal("10000")), ("亿", Decimal("10000")), ("万元", Decimal("1")), ("万", Decimal("1")))
CENT = Decimal("0.01")


def amount(value) -> Decimal | None:
    """An amount in 万元: 1,234.5 and １２３４.５ read as 1234.50; 1.5亿元 as 15000.00; 300万元 as 300.00."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise CellError(_("“%(value)s”不是有效金额。") % {"value": value})
        return None
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        raw = unicodedata.normalize("NFKC", text(value)).replace(",", "").replace(" ", "")
        if not raw:
            return None
        factor = Decimal("1")
        for suffix, multiplier in AMOUNT_UNITS:
            if raw.endswith(suffix):
                raw, factor = raw[: -len(suffix)], multiplier
                break
        try:
            number = Decimal(raw) * factor
        except InvalidOperation:
            raise CellError(
                _("“%(value)s”不是有效金额；请填写以万元为单位的数字，如 1200 或 1.2亿元。") % {"value": text(value)}
            ) from None
        if not number.is_finite():
            raise CellError(_("“%(value)s”不是有效金额。") % {"value": text(value)})
    return number.quantize(CENT)


_LABELS: dict[tuple[int, str | None], dict[str, str]] = {}


def _by_label(choices: dict, language: str | None) -> dict[str, str]:
    """label -> code, translated once per language (lazy labels cost a translation lookup each)."""
    key = (id(choices), language)
    if key not in _LABELS:
        _LABELS[key] = {str(label): code for code, label in choices.items()}
    return _LABELS[key]


TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", ""})


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    raw = unicodedata.normalize("NFKC", text(value)).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s”应填“是”或“否”。") % {"value": text(value)})


def choice(value, choices: dict[str, str], aliases: dict[str, str] | None = None) -> str | None:
    """A coded value by its Chinese label (as the export writes it), its API value, or an alias."""
    raw = text(value)
    if not raw:
        return None
    found = _by_label(choices, get_language()).get(raw) or (raw if raw in choices else None) or (aliases or {}).get(raw)
    if found is None:
        allowed = "、".join(str(label) for label in choices.values())
        raise CellError(_("“%(value)s”不是可选值；可选：%(allowed)s。") % {"value": raw, "allowed": allowed})
    return found
