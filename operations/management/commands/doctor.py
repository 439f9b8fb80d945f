from django.core.management.base import BaseCommand, CommandError

from operations.selectors import health_checks

LABELS = {
    "database": "数据库 database",
    "broker": "消息队列 broker",
    "worker": "任务进程 worker",
    "beat": "调度器 beat",
}


class Command(BaseCommand):
    help = "检查运行状况 / Check the database, the broker, the worker and beat (as /healthz does)."

    def handle(self, *args, **options) -> None:
        checks = health_checks()
        for check in checks:
            mark = self.style.SUCCESS("正常 OK  ") if check.ok else self.style.ERROR("故障 DOWN")
            self.stdout.write(f"{mark} {LABELS[check.name]:<20} {check.detail}")
        down = [check.name for check in checks if not check.ok]
        if down:
            raise CommandError(f"未通过 / down: {', '.join(down)}")
