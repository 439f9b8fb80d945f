"""A light check of GeoJSON boundaries and outlines (RFC 7946), enough for the land map to draw them.

The map reads a Polygon or MultiPolygon geometry, bare or in a Feature. Coordinates are
[longitude, latitude] pairs in degrees; every ring is closed and has at least four positions.
Nothing here needs GDAL: the bureau's map has no tiles and no projection beyond what ECharts does.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

POLYGON_TYPES = ("Polygon", "MultiPolygon")


def geometry_of(value) -> dict:
    """The geometry of a GeoJSON value (a Feature's, or the value itself), as a dict."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        return value.get("geometry") or {}
    return value if isinstance(value, dict) else {}


def _check_position(position) -> None:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise ValidationError(_("GeoJSON 坐标须为 [经度, 纬度]。"))
    longitude, latitude = position[0], position[1]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (longitude, latitude)):
        raise ValidationError(_("GeoJSON 坐标须为数字。"))
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ValidationError(_("GeoJSON 坐标超出经纬度范围。"))


def _check_polygon(rings) -> None:
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("GeoJSON 多边形至少要有一个环。"))
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(_("GeoJSON 多边形的每个环至少要有 4 个坐标点。"))
        for position in ring:
            _check_position(position)
        if list(ring[0][:2]) != list(ring[-1][:2]):
            raise ValidationError(_("GeoJSON 多边形的环须首尾闭合。"))


def validate_polygon_geojson(value) -> None:
    """Raise ValidationError unless `value` is a Polygon or MultiPolygon (bare or as a Feature)."""
    geometry = geometry_of(value)
    kind = geometry.get("type")
    if kind not in POLYGON_TYPES:
        raise ValidationError(_("须为 GeoJSON 的 Polygon 或 MultiPolygon（可包在 Feature 中）。"))
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        _check_polygon(coordinates)
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError(_("GeoJSON MultiPolygon 至少要有一个多边形。"))
    for polygon in coordinates:
        _check_polygon(polygon)
