"""Amounts as the bureau writes them on its pages. Stored in 万元 (DESIGN §2); big sums read in 亿元."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

WAN_PER_YI = Decimal("10000")
CENTS = Decimal("0.01")


@register.filter
def wan(value: Decimal | None) -> str:
    """An amount in 万元 with thousands separators, for a column headed （万元）: 12,345.60."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP):,}"


@register.filter
def yi(value: Decimal | None) -> str:
    """An amount in 亿元, two decimals, for a column headed （亿元）: 1.23."""
    if value is None:
        return "—"
    return f"{(Decimal(value) / WAN_PER_YI).quantize(CENTS, rounding=ROUND_HALF_UP):,}"


@register.filter
def amount(value: Decimal | None) -> str:
    """An amount with its unit, as a sentence writes it: 亿元 from one 亿 up, 万元 below."""
    if value is None:
        return "—"
    if abs(Decimal(value)) >= WAN_PER_YI:
        return f"{yi(value)} 亿元"
    return f"{wan(value)} 万元"
