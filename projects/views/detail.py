"""The project page (`projects:detail`) and the forms it opens: the stage actions, a new tranche of
delivered capital, a new follow-up entry.

Every form works twice: as a plain page (the project page with the form open, POST, redirect) and
with htmx (the form opens in place, and a saved form refreshes the page's body without a reload).
Writes go through the services, whose ValidationError comes back beside its field.
"""

import copy
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Unit, User
from accounts.pages import page_view, require_permission
from chambers.models import Chamber, Contact, Event
from projects.forms.parts import ActivityForm, DeliveryForm
from projects.forms.stages import BUTTON_WORDS, STAGE_FORMS, drop_reason, move_allowed, stage_actions
from projects.models import CapitalDelivery, Industry, Parcel, Project, Stage, can_edit_unit
from projects.selectors import MATCH_STAGES, land_matches, project_history, project_ledger
from projects.services import activity_record, delivery_record, project_save
from projects.templatetags.amounts import wan

# The pipeline as the stage line draws it; a dropped project ends with 终止 after the step it reached.
PIPELINE = (Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.STARTED, Stage.PRODUCING)
STAGE_DATE = {Stage.SIGNED: "signed_on", Stage.STARTED: "started_on", Stage.PRODUCING: "producing_on"}


# --- Reading the project --------------------------------------------------------------------------


def _project(request: HttpRequest, pk: int) -> Project:
    """The project if the user may see it (a confidential project of another unit is a 404)."""
    projects = Project.objects.visible_to(request.user).select_related(
        "unit", "industry", "chamber", "event", "introduced_by", "parcel", "owner"
    )
    return get_object_or_404(projects, pk=pk)


def _require_edit(user: User, project: Project, permission: str) -> None:
    """The 403 page for a role that may not make this write (a leader) or a unit that is not the user's."""
    require_permission(user, permission)
    if not can_edit_unit(user, project.unit_id):
        raise PermissionDenied(_("只能修改本单位的项目；“%(unit)s”的项目请联系该单位。") % {"unit": project.unit.name})


def _url(name: str, *args) -> str | None:
    """A page's URL, or None while that page does not exist yet (its link is then not shown)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _person(user: User | None) -> str:
    if user is None:
        return _("系统")
    return user.get_full_name() or user.get_username()


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _page_context(request: HttpRequest, project: Project, **extra) -> dict:
    user = request.user
    may_edit = can_edit_unit(user, project.unit_id)
    records, delivery_records = project_history(project)
    ledger = project_ledger(project)
    delivered = ledger[-1].running_total if ledger else Decimal("0")
    for delivery in ledger:
        delivery.rate = _percent(delivery.running_total, project.signed_amount)
    return {
        "project": project,
        "stage_line": _stage_line(project, records),
        "dropped": project.stage == Stage.DROPPED,
        "drop_reason": drop_reason(project.notes),
        "ledger": ledger,
        "delivered_total": delivered,
        "delivered_rate": _percent(delivered, project.signed_amount),
        "activities": project.activities.select_related("contact", "created_by"),
        "history": _history_entries(records, delivery_records),
        "chamber_url": project.chamber_id and _url("chambers:detail", project.chamber_id),
        "event_url": project.event_id and _url("events:detail", project.event_id),
        "edit_url": may_edit and user.has_perm("projects.change_project") and _url("projects:edit", project.pk),
        "stage_buttons": stage_actions(project) if may_edit and user.has_perm("projects.change_project") else [],
        "may_deliver": may_edit and user.has_perm("projects.add_capitaldelivery"),
        "may_follow_up": may_edit and user.has_perm("projects.add_activity"),
        "today": timezone.localdate(),
        "land_matches": _land_matches(user, project),
        **extra,
    }


def _land_matches(user: User, project: Project) -> list | None:
    """适合地块 for a project still looking for land (a lead or a negotiation without reserved land)."""
    if project.stage not in MATCH_STAGES or Parcel.objects.filter(project=project).exists():
        return None
    return land_matches(user=user, project=project)


def _stage_line(project: Project, records: list) -> list[dict]:
    """线索 → 洽谈 → 签约 → 开工 → 投产, each step with its date (done, current or still to come), and
    终止 with its date for a dropped project. Signing, start and production have their own dates; a
    lead's and a negotiation's are read from the history (when the project entered that stage)."""
    entered: dict[str, datetime.date] = {}
    reached = Stage.LEAD
    for record in records:
        entered.setdefault(record.stage, timezone.localdate(record.history_date))
        if record.stage != Stage.DROPPED:
            reached = record.stage
    if not records:  # a project from before the audit trail: its stage or its dates say how far it got
        reached = project.stage
        if project.stage == Stage.DROPPED:
            reached = next((s for s in reversed(PIPELINE[2:]) if getattr(project, STAGE_DATE[s])), Stage.LEAD)
    seen = set(entered)
    entered.setdefault(Stage.LEAD, timezone.localdate(project.created_at))
    if project.signed_on and project.stage in (*Project.SIGNED_STAGES, Stage.DROPPED):
        # A project entered after it was signed (an import, the demo's 2011 year): the day it was
        # typed in is not the day it became a lead.
        entered = {stage: day for stage, day in entered.items() if day <= project.signed_on}
    # With the whole history at hand, a step the project never took is shown as skipped.
    tracked = bool(records) and records[0].history_type == "+" and records[0].stage == Stage.LEAD
    current = reached if project.stage == Stage.DROPPED else project.stage
    position = PIPELINE.index(current) if current in PIPELINE else 0
    steps = []
    for index, stage in enumerate(PIPELINE):
        field = STAGE_DATE.get(stage)
        date = getattr(project, field) if field else entered.get(stage)
        if index < position and tracked and stage == Stage.NEGOTIATING and stage not in seen:
            state = "skipped"  # signed straight from a lead: the step was never taken
        elif index < position or (index == position and project.stage == Stage.DROPPED):
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "todo"
        if state == "todo" and project.stage == Stage.DROPPED:
            date = None  # a dropped project plans nothing
        steps.append({"label": Stage(stage).label, "date": date, "state": state, "planned": state == "todo"})
    if project.stage == Stage.DROPPED:
        steps.append({"label": Stage.DROPPED.label, "date": project.dropped_on, "state": "dropped", "planned": False})
    return steps


# --- The audit history ----------------------------------------------------------------------------

# Related rows a change may name, by field: their labels are read in one query per kind of row.
RELATED = {
    "unit": Unit,
    "industry": Industry,
    "chamber": Chamber,
    "event": Event,
    "introduced_by": Contact,
    "parcel": Parcel,
    "owner": User,
}
TEXT_SHOWN = 60  # characters of a changed text (备注) the history shows


def _history_entries(records: list, delivery_records: list) -> list[dict]:
    """Who changed what, and when, newest first: "2026-12-03 10:12 张伟 修改：阶段 洽谈 → 签约；…".

    Consecutive records of the project (and of each delivery) are compared in memory (`diff_against`
    compares stored values, ids for related rows); the related rows' names are then read in one
    query per kind, so the number of queries does not grow with the history."""
    raw = []
    previous = None
    for record in records:
        if record.history_type == "~":
            changes = record.diff_against(previous).changes if previous else []
            if changes:
                raw.append((record, _("修改"), Project, changes))
        elif record.history_type == "+":
            raw.append((record, _("创建项目"), Project, []))
        else:
            raw.append((record, _("删除项目"), Project, []))
        previous = record
    by_delivery: dict[int, object] = {}
    for record in delivery_records:
        tranche = _("%(date)s %(amount)s 万元") % {
            "date": record.delivered_on.isoformat(),
            "amount": wan(record.amount),
        }
        earlier = by_delivery.get(record.id)
        if record.history_type == "+":
            raw.append((record, _("登记到位资金 %(tranche)s") % {"tranche": tranche}, CapitalDelivery, []))
        elif record.history_type == "-":
            raw.append((record, _("删除到位资金 %(tranche)s") % {"tranche": tranche}, CapitalDelivery, []))
        elif earlier is not None:
            changes = [c for c in record.diff_against(earlier).changes if c.field != "project"]
            if changes:
                raw.append((record, _("修改到位资金"), CapitalDelivery, changes))
        by_delivery[record.id] = record
    labels = _related_labels(change for *_, changes in raw for change in changes)
    entries = []
    for record, action, model, changes in raw:
        entries.append(
            {
                "when": timezone.localtime(record.history_date),
                "sort": (record.history_date, model is Project, record.history_id),
                "who": _person(record.history_user),
                "action": action,
                "changes": [_change(model, change, labels) for change in _in_field_order(model, changes)],
            }
        )
    entries.sort(key=lambda entry: entry["sort"], reverse=True)
    return entries


def _in_field_order(model, changes: list) -> list:
    order = {field.name: index for index, field in enumerate(model._meta.fields)}
    return sorted(changes, key=lambda change: order.get(change.field, len(order)))


def _related_labels(changes) -> dict[tuple[str, int], str]:
    wanted: dict[str, set] = {}
    for change in changes:
        if change.field in RELATED:
            wanted.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v is not None)
    labels = {}
    for field, ids in wanted.items():
        for pk, row in RELATED[field].objects.in_bulk(list(ids)).items():
            labels[(field, pk)] = _person(row) if isinstance(row, User) else str(row)
    return labels


def _change(model, change, labels: dict) -> dict:
    field = model._meta.get_field(change.field)
    return {
        "field": field.verbose_name,
        "old": _shown(field, change.old, labels),
        "new": _shown(field, change.new, labels),
    }


def _shown(field, value, labels: dict) -> str:
    """A stored value as the page says it: a choice by its label, a related row by its name."""
    if value is None or value == "":
        return "—"
    if field.name in RELATED:
        return labels.get((field.name, value), _("（已删除）"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return wan(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1] + "…"


# --- Rendering ------------------------------------------------------------------------------------


def _render_page(request: HttpRequest, project: Project, *, status: int = 200, **extra) -> HttpResponse:
    context = _page_context(request, project, **extra)
    template = "projects/_detail_body.html" if request.htmx else "projects/detail.html"
    return render(request, template, context, status=status)


def _render_form(request: HttpRequest, project: Project, panel: dict) -> HttpResponse:
    """The form: alone for htmx (it opens in place, or replaces itself with its errors), else the
    project page with the form open."""
    if request.htmx:
        return render(request, "projects/_detail_form.html", {"project": project, "panel": panel})
    return _render_page(request, project, panel=panel)


def _safe_next(request: HttpRequest) -> str:
    """Where to go after saving (`?next=/board/`), if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _saved(request: HttpRequest, pk: int, message: str, next_url: str) -> HttpResponse:
    """After a write: back to `next` if given; with htmx the page's body refreshed in place; else the
    project page (POST, redirect, GET)."""
    if next_url:
        messages.success(request, message)
        return HttpResponseClientRedirect(next_url) if request.htmx else redirect(next_url)
    if request.htmx:
        response = _render_page(request, _project(request, pk), done=message)
        response["HX-Retarget"] = "#project-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, message)
    return redirect("projects:detail", pk=pk)


def _focus_first(form) -> None:
    """The cursor in the first field to fill: the first one in error, else the first."""
    names = [name for name in form.fields if name in form.errors] or list(form.fields)
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True


# --- Views ----------------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET"])
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_page(request, _project(request, pk))


@page_view
@require_http_methods(["GET", "POST"])
def project_stage(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """One stage action: the move's form (签约 asks for 签约日期 and 协议引资额, …), then project_save."""
    project = _project(request, pk)
    form_class = STAGE_FORMS.get(stage)
    if form_class is None:
        raise Http404(_("没有这个阶段。"))
    _require_edit(request.user, project, "projects.change_project")
    if not move_allowed(project, stage):
        refusal = _("项目当前处于“%(now)s”阶段，不能%(move)s。") % {
            "now": project.get_stage_display(),
            "move": BUTTON_WORDS[stage] if stage != Stage.NEGOTIATING else _("转入洽谈"),
        }
        if request.htmx:
            return render(request, "projects/_stage_refused.html", {"refusal": refusal, "project": project})
        return _render_page(request, project, status=409, refusal=refusal)
    next_url = _safe_next(request)
    form = form_class(request.POST if request.method == "POST" else None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_save(actor=request.user, project=form.instance, **form.changes())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("已%(move)s：%(name)s。") % {"move": BUTTON_WORDS[stage], "name": project.name}
            return _saved(request, pk, message, next_url)
    _focus_first(form)
    panel = {
        "title": _("%(move)s：%(name)s") % {"move": BUTTON_WORDS[stage], "name": project.name},
        "form": form,
        "url": reverse("projects:stage", args=[pk, stage]),
        "button": BUTTON_WORDS[stage],
        "danger": stage == Stage.DROPPED,
        "next": next_url,
        "hint": _("确认将项目转入洽谈阶段。") if stage == Stage.NEGOTIATING else "",
    }
    return _render_form(request, project, panel)


@page_view
@require_http_methods(["GET", "POST"])
def delivery_new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记到位资金: a tranche of the project's capital, through delivery_record."""
    project = _project(request, pk)
    _require_edit(request.user, project, "projects.add_capitaldelivery")
    next_url = _safe_next(request)
    form = DeliveryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            delivery_record(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("已登记到位资金 %(amount)s 万元。") % {"amount": wan(form.cleaned_data["amount"])}
            return _saved(request, pk, message, next_url)
    _focus_first(form)
    panel = {
        "title": _("登记到位资金"),
        "form": form,
        "url": reverse("projects:delivery_new", args=[pk]),
        "button": _("保存"),
        "next": next_url,
        "hint": "" if project.is_signed else _("只有签约及以后阶段的项目才能登记到位资金。"),
    }
    return _render_form(request, project, panel)


@page_view
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    """添加跟进记录, through activity_record; its 下一步日期 becomes the project's 下次跟进日期, which
    is what the 工作台 and the reminders read."""
    project = _project(request, pk)
    _require_edit(request.user, project, "projects.add_activity")
    next_url = _safe_next(request)
    form = ActivityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the entry and the project's next follow-up, or neither
                activity_record(actor=request.user, project=project, **form.cleaned_data)
                follow_up = form.cleaned_data["next_action_on"]
                if follow_up and follow_up != project.next_follow_up_on:
                    project_save(actor=request.user, project=copy.copy(project), next_follow_up_on=follow_up)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, pk, _("已添加跟进记录。"), next_url)
    _focus_first(form)
    panel = {
        "title": _("添加跟进记录"),
        "form": form,
        "url": reverse("projects:activity_new", args=[pk]),
        "button": _("保存"),
        "next": next_url,
        "hint": _("填写下一步日期后，项目的下次跟进日期随之更新。"),
    }
    return _render_form(request, project, panel)
