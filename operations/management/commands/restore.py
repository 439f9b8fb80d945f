import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "用备份替换整个数据库 / Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="备份文件 / the backup file")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help="不询问 / do not ask to confirm"
        )

    def handle(self, *args, file: Path, interactive: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"备份文件不存在 / no such backup file: {file}")
        if interactive and sys.stdin.isatty():
            answer = input(f"当前数据库将被 {file.name} 完全替换，输入 yes 继续 / it replaces the database, type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消 / cancelled")
        try:
            backup_restore(path=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 / restored from: {file}"))
