"""Reads of the public land page and the land figures of the dashboard."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.geojson import geometry_of
from projects.models import SIGNED_STAGES, Parcel, Project

from .models import ZoneOutline

ZERO = Decimal("0")
AREA = DecimalField(max_digits=14, decimal_places=2)
RATIO = DecimalField(max_digits=20, decimal_places=4)


# --- The public list ------------------------------------------------------------------------------


def public_parcels() -> QuerySet:
    """Published land only, with what the public pages show of it (never its project)."""
    return (
        Parcel.objects.filter(published=True)
        .select_related("unit")
        .prefetch_related("industries")
        .defer("project", "created_at", "updated_at")
        .order_by("code")
    )


def public_list_stamp() -> str:
    """What the cached public list depends on: the last change to any parcel and how many there are
    (a parcel's status, publication or deletion shows at once). One small query, on an index."""
    stamp = Parcel.objects.aggregate(changed=Max("updated_at"), count=Count("pk"))
    changed = stamp["changed"].isoformat() if stamp["changed"] else "none"
    return f"{changed}-{stamp['count']}"


def zone_outlines(unit_ids) -> list[ZoneOutline]:
    return list(ZoneOutline.objects.filter(unit_id__in=unit_ids).select_related("unit").order_by("unit__code"))


def map_data(parcels: list[Parcel], outlines: list[ZoneOutline]) -> dict | None:
    """The land map's data for the page's script: one map per zone (its outline and its parcels'
    boundaries as GeoJSON features) and each parcel's status. None when there is nothing to draw,
    and then the page is a list only."""
    by_unit: dict[int, list[Parcel]] = {}
    for parcel in parcels:
        if parcel.boundary:
            by_unit.setdefault(parcel.unit_id, []).append(parcel)
    zones = []
    for outline in outlines:
        features = [_feature(f"zone:{outline.unit.code}", outline.outline, zone=True)]
        features += [_feature(parcel.code, parcel.boundary) for parcel in by_unit.pop(outline.unit_id, [])]
        zones.append({"code": outline.unit.code, "name": outline.unit.name, "geojson": _collection(features)})
    for parcels_of_unit in by_unit.values():  # land drawn without its zone's outline
        unit = parcels_of_unit[0].unit
        features = [_feature(parcel.code, parcel.boundary) for parcel in parcels_of_unit]
        zones.append({"code": unit.code, "name": unit.name, "geojson": _collection(features)})
    zones = [zone for zone in zones if len(zone["geojson"]["features"]) > 1 or _has_parcel(zone)]
    if not zones:
        return None
    return {
        "zones": zones,
        "parcels": {
            parcel.code: {
                "name": parcel.name,
                "status": parcel.status,
                "area": _("%(area)s 亩") % {"area": f"{parcel.area_mu.normalize():f}"},
            }
            for parcel in parcels
            if parcel.boundary
        },
    }


def _has_parcel(zone: dict) -> bool:
    return any(not feature["properties"]["zone"] for feature in zone["geojson"]["features"])


def _feature(name: str, geojson, *, zone: bool = False) -> dict:
    return {"type": "Feature", "properties": {"name": name, "zone": zone}, "geometry": geometry_of(geojson)}


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


# --- The dashboard's land figures -------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    count: int
    area_mu: Decimal


@dataclass(frozen=True)
class LandFigures:
    year: int
    offered: Figure  # published in the year
    reserved: Figure  # reserved in the year (whatever became of them since)
    sold: Figure  # taken (出让) in the year
    signed_projects: int  # projects signed in the year on published land, with a land area
    average_intensity: Decimal | None  # their average 亩均投资强度, 万元/亩
    average_threshold: Decimal | None  # the average intensity threshold of their parcels
    meeting_threshold: int  # how many of them reach their parcel's threshold


def land_figures(year: int) -> LandFigures:
    """Ready land in `year`: offered, reserved and sold (how many, how many 亩), and the 亩均投资强度
    (total investment ÷ land area) of the projects signed that year on published land, on average,
    against their parcels' thresholds. Two aggregate queries, whatever the number of rows. The
    bureau's totals: confidential projects count, as in every figure (DESIGN §5)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    parcels = Parcel.objects.aggregate(
        **_figure("offered", Q(published=True, published_on__range=(start, end))),
        **_figure("reserved", Q(reserved_on__range=(start, end))),
        **_figure("sold", Q(status=Parcel.Status.TAKEN, taken_on__range=(start, end))),
    )
    intensity = ExpressionWrapper(F("total_investment") / F("land_area_mu"), output_field=RATIO)
    signed = (
        Project.objects.filter(
            stage__in=SIGNED_STAGES,
            signed_on__range=(start, end),
            parcel__published=True,
            land_area_mu__gt=0,
        )
        .annotate(intensity=intensity)
        .aggregate(
            count=Count("pk"),
            average=Avg("intensity"),
            threshold=Avg("parcel__min_investment_intensity"),
            meeting=Count(
                "pk",
                filter=Q(parcel__min_investment_intensity__isnull=True)
                | Q(total_investment__gte=F("land_area_mu") * F("parcel__min_investment_intensity")),
            ),
        )
    )
    return LandFigures(
        year=year,
        offered=Figure(parcels["offered_count"], parcels["offered_area"]),
        reserved=Figure(parcels["reserved_count"], parcels["reserved_area"]),
        sold=Figure(parcels["sold_count"], parcels["sold_area"]),
        signed_projects=signed["count"],
        average_intensity=_two_places(signed["average"]),
        average_threshold=_two_places(signed["threshold"]),
        meeting_threshold=signed["meeting"],
    )


def _figure(name: str, condition: Q) -> dict:
    return {
        f"{name}_count": Count("pk", filter=condition),
        f"{name}_area": Coalesce(Sum("area_mu", filter=condition), Value(ZERO), output_field=AREA),
    }


def _two_places(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
