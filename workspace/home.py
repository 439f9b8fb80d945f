"""The home page `/`: a staff member's 工作台, everyone else the leaders' page.

Who gets the 工作台: a user who may add projects (`projects.add_project`) and belongs to a unit, and
is not an admin (a superuser holds every permission). That is what the 工作台 is about: one unit's
daily work (its pipeline, the follow-ups due, the projects left quiet). The permission, not the role
name, decides, as everywhere else (accounts/roles.py). Leaders and admins keep the leaders' page
(targets.views.home), which the dashboard work grows; an API reader gets the 403 page.

Every section is one query (or two) whatever the number of rows: grouped sums in SQL, the last
follow-up date as a Max annotation, and the audit history diffed against previous records fetched
in one query (plus one per kind of related row the changes name, at most one per foreign key).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.pages import page_view
from notifications import selectors
from projects.models import Activity, Project
from targets.views import home as leaders_home

LIST_LIMIT = 20  # rows shown per section; the section says how many there are in all
HISTORY_LIMIT = 10
NEXT_ACTION_LIMIT = 10
WEEK = datetime.timedelta(days=7)


def uses_workspace(user) -> bool:
    return user.unit_id is not None and user.has_perm("projects.add_project") and not user.is_superuser


@page_view
def home(request: HttpRequest) -> HttpResponse:
    if uses_workspace(request.user):
        return workspace(request)
    return leaders_home(request)


def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    unit_projects = Project.objects.visible_to(user).filter(unit_id=user.unit_id)
    mine = Project.objects.visible_to(user).filter(owner=user)
    stale = selectors.stale_projects(unit_projects, today=today)
    context = {
        "today": today,
        "unit": user.unit,
        "stages": _stages(unit_projects, user.unit.code),
        "follow_ups": _follow_ups(mine, today),
        "follow_up_counts": _follow_up_counts(mine, today),
        "next_actions": _next_actions(user, today),
        "stale": list(stale.select_related("owner")[:LIST_LIMIT]),
        "stale_count": stale.count(),
        "stale_days": settings.STALE_PROJECT_DAYS,
        "changes": _changes(user.unit_id),
        "new_lead_url": _url("projects:new"),
        "unit_overdue_url": _list_url(unit=user.unit.code, overdue="true"),
        "project_url": _url("projects:detail", 0),
    }
    return render(request, "workspace/home.html", context)


def _url(name: str, *args) -> str:
    """A page's URL, or "" until the page exists (the links then simply do not show)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _list_url(**filters) -> str:
    """The project list filtered so (the filters live in its URL), or "" until the list exists."""
    list_url = _url("projects:list")
    return f"{list_url}?{urlencode(filters)}" if list_url else ""


def _stages(unit_projects, unit_code: str) -> list[dict]:
    """The unit's projects by stage, every stage shown, with counts and the sums of 总投资 and
    协议引资额: one grouped query."""
    sums = {
        row["stage"]: row
        for row in unit_projects.order_by()
        .values("stage")
        .annotate(count=Count("pk"), total=Sum("total_investment"), signed=Sum("signed_amount"))
    }
    rows = []
    for stage, label in Project.Stage.choices:
        row = sums.get(stage, {})
        rows.append(
            {
                "stage": stage,
                "label": label,
                "count": row.get("count", 0),
                "total": row.get("total") or Decimal("0"),
                "signed": row.get("signed") or Decimal("0"),
                "url": _list_url(unit=unit_code, stage=stage),
            }
        )
    return rows


def _follow_ups(mine, today: datetime.date) -> list[Project]:
    """The user's follow-ups due within a week, the overdue ones first; each marked as overdue,
    today or coming."""
    projects = list(selectors.follow_ups_due(mine, until=today + WEEK).select_related("unit")[:LIST_LIMIT])
    for project in projects:
        due = project.next_follow_up_on
        project.due_state = "overdue" if due < today else "today" if due == today else "week"
        project.days_late = (today - due).days
    return projects


def _next_actions(user, today: datetime.date) -> list[Activity]:
    """The next actions the user wrote down (an activity's 下一步) due within a week, overdue first."""
    activities = Activity.objects.visible_to(user).filter(created_by=user)
    actions = list(
        selectors.next_actions_due(activities, until=today + WEEK).select_related("project")[:NEXT_ACTION_LIMIT]
    )
    for activity in actions:
        due = activity.next_action_on
        activity.due_state = "overdue" if due < today else "today" if due == today else "week"
    return actions


def _follow_up_counts(mine, today: datetime.date) -> dict:
    return selectors.open_projects(mine).aggregate(
        overdue=Count("pk", filter=Q(next_follow_up_on__lt=today)),
        today=Count("pk", filter=Q(next_follow_up_on=today)),
        week=Count("pk", filter=Q(next_follow_up_on__gt=today, next_follow_up_on__lte=today + WEEK)),
    )


# --- The latest changes (audit history) -----------------------------------------------------------

HISTORY_TYPES = {"+": "新建", "~": "修改", "-": "删除"}


def _changes(unit_id: int) -> list[dict]:
    """The latest audit-history records of the unit's projects: who, when, and which fields changed
    from what to what. Two queries: the records, each with its previous record's id, and those
    previous records; then one per kind of related row a change names (负责人, 产业 …: at most one per
    foreign key of a project, whatever the number of records)."""
    History = Project.history.model
    previous = History.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
        "-history_date", "-history_id"
    )
    records = list(
        History.objects.filter(unit_id=unit_id)
        .select_related("history_user")
        .annotate(previous_id=Subquery(previous.values("history_id")[:1]))
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    previous_records = {
        record.history_id: record
        for record in History.objects.filter(history_id__in=[r.previous_id for r in records if r.previous_id])
    }
    deltas = {}
    for record in records:
        before = previous_records.get(record.previous_id)
        if record.history_type == "~" and before is not None:
            deltas[record.history_id] = [
                (Project._meta.get_field(change.field), change.old, change.new)
                for change in record.diff_against(before).changes
            ]
    related = _related_labels(deltas.values())
    return [_change(record, deltas.get(record.history_id, []), related) for record in records]


def _related_labels(deltas) -> dict:
    """{(related model, pk): label} of every related row the changes name, one query per model."""
    wanted: dict = {}
    for changes in deltas:
        for field, old, new in changes:
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
    labels = {}
    for model, pks in wanted.items():
        for pk, row in model._default_manager.in_bulk(pks).items():
            is_user = hasattr(row, "get_full_name")
            labels[(model, pk)] = (row.get_full_name() or row.get_username()) if is_user else str(row)
    return labels


def _change(record, changes, related) -> dict:
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user else "系统"
    fields = [
        {"label": field.verbose_name, "old": _shown(field, old, related), "new": _shown(field, new, related)}
        for field, old, new in changes
    ]
    return {
        "project_id": record.id,
        "name": record.name,
        "action": HISTORY_TYPES.get(record.history_type, ""),
        "who": who,
        "when": record.history_date,
        "fields": fields,
        "exists": record.history_type != "-",
    }


def _shown(field, value, related: dict) -> str:
    """A value as the bureau reads it: a choice's label, 是/否, a date, a related row's name."""
    if value is None or value == "":
        return "（空）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.is_relation:
        return related.get((field.related_model, value), "（已删除）")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"
