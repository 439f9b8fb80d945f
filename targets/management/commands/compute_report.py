"""compute_report YEAR MONTH: compute a month's report now, in this process, and print a summary."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from targets.models import ReportRow
from targets.reporting import ReportPublishedError, report_compute_month


def _number(value, *, whole: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if whole else f"{value:,}"


class Command(BaseCommand):
    help = "同步计算某年某月的月度通报并打印摘要；已发布的月份拒绝重新计算。Usage: compute_report YEAR MONTH"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("month", type=int)

    def handle(self, *args, year: int, month: int, **options):
        started = time.monotonic()
        try:
            report = report_compute_month(year=year, month=month)
        except ReportPublishedError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except Exception as exc:  # the error is kept on the report as well
            raise CommandError(f"{year}年{month}月通报计算失败：{type(exc).__name__}: {exc}") from exc
        seconds = time.monotonic() - started

        rows = ReportRow.objects.filter(report=report).select_related("indicator", "unit")
        city = [row for row in rows if row.is_city]
        groups = sum(1 for row in rows if row.group_id)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report}：{report.get_status_display()}，{len(rows)} 行"
                f"（{len(city)} 项指标 ×（全市 + {(len(rows) - groups) // max(len(city), 1) - 1} 个单位"
                f" + {groups // max(len(city), 1)} 个考核大组）），用时 {seconds:.2f} 秒"
            )
        )
        self.stdout.write("全市（金额单位：万元）：")
        header = f"  {'指标':<30} {'当月':>14} {'累计':>14} {'目标':>14} {'完成率%':>9} {'同比%':>9}  进度"
        self.stdout.write(header)
        for row in sorted(city, key=lambda r: (r.indicator.position, r.indicator.code)):
            count = not row.indicator.is_amount  # project counts are whole numbers
            self.stdout.write(
                f"  {row.indicator.code:<30} {_number(row.month_value, whole=count):>14} "
                f"{_number(row.ytd_value, whole=count):>14} {_number(row.target, whole=count):>14} "
                f"{_number(row.completion_pct):>9} {_number(row.yoy_pct):>9}  {row.get_pace_display() or '—'}"
            )
