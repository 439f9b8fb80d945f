"""The demo's ready land on the public land page: every parcel's boundary and each zone's outline
(drawn shapes near the real places, not surveyed ones), the reserved and sold parcels tied to demo
projects, and a few leads that came in from the land page.

Run after the projects exist and before the figures are checked: nothing here changes a figure (the
leads are not signed; a project given land only gets its land area when it had none).
"""

import datetime as dt
import math
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from accounts.models import Unit
from land.models import ZoneOutline
from projects.models import Industry, Parcel, Project, assign_references

from .city import PARCELS

Stage = Project.Stage

# Where each unit's land lies (longitude, latitude): near the real county seat or zone.
CENTRES: dict[str, tuple[float, float]] = {
    "kecheng": (118.87, 28.96),
    "qujiang": (118.96, 28.98),
    "jiangshan": (118.61, 28.74),
    "longyou": (119.17, 29.03),
    "changshan": (118.51, 28.90),
    "kaihua": (118.41, 29.14),
    "econ_zone": (118.90, 28.92),
    "hitech_zone": (118.84, 28.99),
}
OUTLINE_RADIUS = (0.06, 0.05)  # degrees of longitude, latitude
PARCEL_SIZE = (0.022, 0.016)
PARCEL_SLOTS = [(-0.03, 0.015), (0.012, -0.012), (-0.02, -0.03), (0.02, 0.022)]

HISTORY_REASON = "演示数据导入（load_demo）"  # as the generator's: the audit trail says who wrote it


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    ring = [[round(x, 5), round(y, 5)] for x, y in points]
    return [*ring, ring[0]]


def _outline(code: str) -> dict:
    """An irregular octagon around the unit's centre."""
    cx, cy = CENTRES[code]
    rx, ry = OUTLINE_RADIUS
    wobble = [1.0, 0.85, 1.1, 0.9, 1.05, 0.8, 1.0, 0.92]
    points = [
        (cx + rx * w * math.cos(math.pi * k / 4), cy + ry * w * math.sin(math.pi * k / 4))
        for k, w in enumerate(wobble)
    ]
    return {"type": "Polygon", "coordinates": [_ring(points)]}


def _boundary(code: str, slot: int) -> dict:
    cx, cy = CENTRES[code]
    dx, dy = PARCEL_SLOTS[slot % len(PARCEL_SLOTS)]
    w, h = PARCEL_SIZE
    x, y = cx + dx, cy + dy
    return {"type": "Polygon", "coordinates": [_ring([(x, y), (x + w, y), (x + w * 1.1, y + h), (x - w * 0.1, y + h)])]}


def boundaries() -> dict[str, dict]:
    """Each demo parcel's boundary, by code: its unit's parcels side by side inside the outline."""
    slots: dict[str, int] = {}
    shapes = {}
    for spec in PARCELS:
        slot = slots.get(spec.unit, 0)
        slots[spec.unit] = slot + 1
        shapes[spec.code] = _boundary(spec.unit, slot)
    return shapes


def create_outlines(units: dict[str, Unit]) -> None:
    outlines = [ZoneOutline(unit=units[code], outline=_outline(code)) for code in sorted({s.unit for s in PARCELS})]
    for outline in outlines:
        outline.full_clean()
    bulk_create_with_history(outlines, ZoneOutline, default_change_reason=HISTORY_REASON)


def settle_parcels(parcels: dict[str, Parcel]) -> None:
    """The parcels the city table marks reserved or sold, tied to a project of their unit: a sold one
    to a project signed in 2011 (sold on its signing day), a reserved one to a negotiation. The first
    such project by name that holds no land yet, its industry allowed where one is, so two loads agree."""
    taken: set[int] = {p.project_id for p in parcels.values() if p.project_id}
    for spec in PARCELS:
        parcel = parcels[spec.code]
        if spec.status == Parcel.Status.AVAILABLE or parcel.project_id:
            continue
        project = _project_for(parcel, spec.status, exclude=taken)
        taken.add(project.pk)
        signed_on = project.signed_on
        parcel.project = project
        parcel.reserved_on = min(spec.published_on, signed_on) if signed_on else spec.published_on
        if spec.status == Parcel.Status.TAKEN:
            parcel.taken_on = signed_on
        parcel.status = spec.status
        parcel.full_clean()
        parcel.save()
        fields = {"parcel": parcel}
        if not project.land_area_mu:
            fields["land_area_mu"] = parcel.area_mu
        Project.objects.filter(pk=project.pk).update(**fields)


def _project_for(parcel: Parcel, status: str, *, exclude: set[int]) -> Project:
    signed = status == Parcel.Status.TAKEN
    named = Project.objects.filter(parcel=parcel).exclude(pk__in=exclude).order_by("pk").first()
    if named is not None:  # a project of DESIGN §1 built on it (华友钴业 on 高新园区东港片区A地块)
        return named
    candidates = Project.objects.filter(unit_id=parcel.unit_id).exclude(pk__in=exclude).filter(parcel__isnull=True)
    if signed:
        candidates = candidates.filter(stage__in=Project.SIGNED_STAGES, signed_on__year=2011)
    else:
        candidates = candidates.filter(stage=Stage.NEGOTIATING)
    allowed = list(parcel.industries.values_list("pk", flat=True))
    return (candidates.filter(industry__in=allowed).order_by("name").first()) or candidates.order_by("name").first()


# (name, investor, unit, industry, land need 亩, total investment 万元, the parcel enquired about or None)
LEADS = (
    ("高端电子材料产业化项目", "杭州晶材电子科技有限公司", "hitech_zone", "electronics", "150", "52000",
     "hitech-2011-02"),
    ("特种纸扩产项目", "温州瓯江纸业有限公司", "longyou", "paper", "160", "40000", "longyou-2011-01"),
    ("含氟新材料中试基地项目", "上海氟源新材料有限公司", "kecheng", "fluorosilicon", "60", "15000", None),
)


def create_leads(units: dict[str, Unit], industries: dict[str, Industry], parcels: dict[str, Parcel]) -> None:
    """Leads that came in from the land page (熟地公开) or are looking for land: the first two fit the
    parcel they asked about; the third misses its parcel's intensity threshold (250 against 280 万元/亩)."""
    leads = [
        Project(
            name=name, investor=investor, unit=units[unit], industry=industries[industry],
            land_area_mu=Decimal(need), total_investment=Decimal(investment), stage=Stage.LEAD,
            channel=Project.Channel.PUBLIC_LAND if parcel else Project.Channel.DIRECT,
            parcel=parcels[parcel] if parcel else None,
            next_follow_up_on=dt.date(2012, 1, 10),
            notes="来源：熟地信息公开页面的投资意向登记。" if parcel else "寻找含氟新材料用地。",
        )  # fmt: skip
        for name, investor, unit, industry, need, investment, parcel in LEADS
    ]
    assign_references(leads)  # 项目编号: bulk_create does not call save()
    for lead in leads:
        lead.full_clean()
    bulk_create_with_history(leads, Project, default_change_reason=HISTORY_REASON)
