"""The 看板 `/board/`: one unit's projects in columns by stage.

A card moves only through its stage's action form (projects:stage, with the fields that move's rule
needs: 签约 its date and 协议引资额, …), never by a direct write from here: each card carries a link
per allowed move ("移至签约" …), which works without JavaScript, and board.js turns dropping a card
on a column into following that link.

Whose board: staff see their own unit's; leaders and admins (who may read every unit's projects,
confidential ones included) pick a unit. Only a user who may change the unit's projects
(`can_edit_unit`, so staff of the unit and admins) gets the move links; leaders read.
"""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from accounts.models import Unit
from accounts.pages import page_view
from projects.forms.stages import stage_actions
from projects.models import Project, can_edit_unit

COLUMN_LIMIT = 50  # cards per column; the column says how many there are in all
# The pipeline's columns in order; 终止 last, its cards folded.
COLUMNS = [
    Project.Stage.LEAD,
    Project.Stage.NEGOTIATING,
    Project.Stage.SIGNED,
    Project.Stage.STARTED,
    Project.Stage.PRODUCING,
    Project.Stage.DROPPED,
]


def picks_unit(user) -> bool:
    return user.has_perm("projects.view_every_confidential_project")


@require_safe  # the board never writes: a move is the stage form's POST
@page_view
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = list(Unit.objects.order_by("kind", "code")) if picks_unit(user) else []
    unit = _chosen_unit(request, units)
    columns = []
    can_move = False
    if unit is not None:
        can_move = can_edit_unit(user, unit.pk) and user.has_perm("projects.change_project")
        columns = _columns(request, unit, can_move)
    return render(
        request,
        "workspace/board.html",
        {"unit": unit, "units": units, "columns": columns, "can_move": can_move, "today": timezone.localdate()},
    )


def _chosen_unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    user = request.user
    if not units:
        return user.unit  # staff: their own unit, whatever the query says
    code = request.GET.get("unit", "")
    by_code = {unit.code: unit for unit in units}
    if code in by_code:
        return by_code[code]
    return by_code.get(user.unit.code) if user.unit_id else (units[0] if units else None)


def _columns(request: HttpRequest, unit: Unit, can_move: bool) -> list[dict]:
    projects = Project.objects.visible_to(request.user).filter(unit=unit)
    counts = dict(projects.order_by().values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    detail_url = _url("projects:detail", 0)
    stage_url = _stage_url_pattern()
    back = request.get_full_path()
    list_url = _url("projects:list")
    columns = []
    for stage in COLUMNS:
        cards = list(
            projects.filter(stage=stage)
            .select_related("owner")
            .order_by("next_follow_up_on", "-updated_at", "-pk")[:COLUMN_LIMIT]
        )
        for card in cards:
            card.url = detail_url.replace("/0/", f"/{card.pk}/") if detail_url else ""
            card.moves = []
            if can_move:
                card.moves = [
                    {
                        "stage": action.stage,
                        "label": f"移至{Project.Stage(action.stage).label}",
                        "url": stage_url.format(pk=card.pk, stage=action.stage) + "?" + urlencode({"next": back}),
                    }
                    for action in stage_actions(card)
                ]
        count = counts.get(stage, 0)
        columns.append(
            {
                "stage": stage,
                "label": Project.Stage(stage).label,
                "count": count,
                "cards": cards,
                "more": count - len(cards),
                "list_url": f"{list_url}?{urlencode({'unit': unit.code, 'stage': stage})}" if list_url else "",
                "folded": stage == Project.Stage.DROPPED,
            }
        )
    return columns


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _stage_url_pattern() -> str:
    """The stage form's URL with {pk} and {stage} to fill in: from the URL name once the form's page
    exists, else from the URL contract (/projects/<pk>/stage/<stage>/)."""
    try:
        url = reverse("projects:stage", args=[0, "signed"])
    except NoReverseMatch:
        return "/projects/{pk}/stage/{stage}/"
    return url.replace("/0/", "/{pk}/").replace("/signed/", "/{stage}/")
