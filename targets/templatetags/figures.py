"""How the bulletin shows its figures: amounts in 亿元 as leaders read them, counts as they are."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

WAN_PER_YI = Decimal("10000")


@register.filter
def figure(value: Decimal | None, indicator) -> str:
    """An indicator's value: 亿元 for amounts (万元 below one 亿, where 亿 would round to nothing),
    a whole number of 个 for counts; an em dash for no value."""
    if value is None:
        return "—"
    if not indicator.is_amount:
        return f"{value:.0f} 个"
    if abs(value) >= WAN_PER_YI:
        return f"{(value / WAN_PER_YI).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} 亿元"
    return f"{value.normalize():f} 万元"


@register.filter
def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"
