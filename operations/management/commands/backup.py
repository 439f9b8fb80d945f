from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "备份整个数据库 / Back up the whole database (SQLite: online backup API; PostgreSQL: pg_dump)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            metavar="DIR",
            help="备份目录 / directory to write the backup into (default: BACKUP_DIR, var/backups)",
        )

    def handle(self, *args, to: Path | None, **options) -> None:
        try:
            path = backup_create(directory=to or settings.BACKUP_DIR)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已备份 / backed up: {path}"))
