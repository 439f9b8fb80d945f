"""`{% counts_in_note form %}`: the 计入 note of a project form, rendered with the page (it then
updates over htmx from targets.notes.counts_in_view)."""

from django import template

from targets.notes import counts_in

register = template.Library()


@register.inclusion_tag("targets/_counts_in.html")
def counts_in_note(form) -> dict:
    return {"note": counts_in(form.figure_values())}
