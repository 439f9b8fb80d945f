from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("目标与通报")

    def ready(self) -> None:
        # The Excel import (below targets in the layers) asks through ledgers.rules whether a month's
        # report is published: a tranche dated in it then needs the 更正已发布月份 tick.
        from ledgers.rules import register_published_month

        from .models import Report

        def published(year: int, month: int) -> bool:
            return Report.objects.filter(year=year, month=month, status=Report.Status.PUBLISHED).exists()

        register_published_month(published)
