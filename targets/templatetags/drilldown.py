"""`{% drill_url indicator_code=… year=… month=… period="ytd" unit_id=… %}`: the link from a report
figure to the projects or deliveries behind it (targets.drilldown.drill_url)."""

from django import template

from targets.actions import actions_context
from targets.drilldown import drill_url as build_drill_url
from targets.templatetags.figures import figure

register = template.Library()


@register.simple_tag
def drill_url(*, indicator_code: str, year: int, month: int, period: str, unit_id=None, group_id=None) -> str:
    """Empty unit/group values (None, "") mean the city, so a template can pass `row.unit_id` as it is."""
    return build_drill_url(
        indicator_code=indicator_code, year=int(year), month=int(month), period=period,
        unit_id=unit_id or None, group_id=group_id or None,
    )  # fmt: skip


@register.filter
def difference(value, indicator) -> str:
    """A restatement's 差额 as the report writes the figure, signed (+ for an increase); a dash for none."""
    if not value:
        return "—"
    return ("+" if value > 0 else "") + figure(value, indicator)


@register.inclusion_tag("targets/_report_actions.html", takes_context=True)
def report_actions(context, year, month) -> dict:
    """`{% report_actions year month %}`: the leaders' actions on that month's report (compute,
    its progress, publish, restatement), returning to the page that shows them."""
    request = context["request"]
    return actions_context(request.user, int(year), int(month), back=request.get_full_path()) | {
        "csrf_token": context.get("csrf_token"),
    }
