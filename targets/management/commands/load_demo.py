import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from targets.demo import YEAR, DemoError, DemoSummary, demo_load
from targets.models import Indicator
from targets.templatetags.figures import figure

COUNT_LABELS = {
    "units": "责任单位",
    "unit_groups": "考核大组",
    "targets": "年度目标",
    "chambers": "商会",
    "contacts": "联系人",
    "agreements": "商会协议",
    "events": "招商活动",
    "parcels": "熟地",
    "projects": "项目",
    "deliveries": "到位资金",
    "activities": "跟进记录",
    "reports": "月度通报",
}


class Command(BaseCommand):
    help = "把衢州市 2011 年的演示数据（DESIGN §1）导入空数据库；数据库非空时拒绝执行。"

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            summary = demo_load()
        except DemoError as error:
            raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"已导入 {YEAR} 年演示数据（用时 {elapsed:.1f} 秒）。"))
        self.stdout.write("、".join(f"{COUNT_LABELS[key]} {n}" for key, n in summary.counts.items()))
        for line in _figure_lines(summary):
            self.stdout.write(line)


def _figure_lines(summary: DemoSummary) -> list[str]:
    """The ten figures as the bulletin prints them: amounts in 亿元, counts in 个."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(summary.figures))}
    lines = [f"{YEAR} 年全市指标："]
    for code, value in summary.figures.items():
        indicator = indicators[code]
        pct = summary.completion[code]
        lines.append(f"  {indicator.name}：{figure(value, indicator)}，完成目标 {_pct(pct)}")
    return lines


def _pct(pct: Decimal | None) -> str:
    return "—（无目标）" if pct is None else f"{pct}%"
