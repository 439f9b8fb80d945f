"""The outline of a zone or county on the public land map: the shape the parcels are drawn inside.

A unit (accounts.Unit) is the zone or county; its outline is the land page's business, so it lives
here rather than on the unit. The map is drawn from this GeoJSON alone: no tiles, no map service.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Unit
from core.geojson import validate_polygon_geojson


class ZoneOutline(models.Model):
    unit = models.OneToOneField(Unit, verbose_name=_("所在单位"), on_delete=models.CASCADE, related_name="outline")
    outline = models.JSONField(_("区域轮廓（GeoJSON）"), validators=[validate_polygon_geojson])
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("区域轮廓")
        verbose_name_plural = _("区域轮廓")
        ordering = ["unit__code"]

    def __str__(self) -> str:
        return str(self.unit)
