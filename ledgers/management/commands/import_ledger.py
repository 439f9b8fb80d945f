"""python manage.py import_ledger FILE --kind projects|deliveries|activities [--unit CODE] [--dry-run]

For admins: prints the same preview as the import page and exits non-zero when the file is refused or
has any error row (then nothing is written). Without --dry-run, a file without errors is written in
one transaction, with the admin named by --user (default: the first active admin) in the audit trail.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, Unit, User

from ...importing import KIND_LABELS, ImportRefused, Options, Preview, run


class Command(BaseCommand):
    help = "导入项目台账、到位资金或跟进记录（.xlsx / .csv），先预览；有错误行时不写入并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=list(KIND_LABELS))
        parser.add_argument("--unit", help="没有填写责任单位的行导入到这个单位（单位编码）")
        parser.add_argument("--user", help="记入审计记录的管理员用户名（默认：第一个管理员）")
        parser.add_argument("--correct-published", action="store_true", help="更正已发布月份")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        user = self._admin(options["user"])
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有编码为“{options['unit']}”的责任单位。")
        import_options = Options(
            kind=options["kind"], user=user, filename=path.name, unit=unit,
            correct_published=options["correct_published"],
        )  # fmt: skip
        content = path.read_bytes()
        if options["dry_run"]:
            preview = run(content, import_options, write=False)
        else:
            try:
                with transaction.atomic():
                    preview = run(content, import_options, write=True)
            except ImportRefused as refusal:
                preview = refusal.preview
        self._print(preview)
        if preview.refused or preview.counts["error"]:
            raise CommandError("文件有错误，未写入任何数据。")
        self.stdout.write("预览完成，未写入（--dry-run）。" if options["dry_run"] else "导入完成。")

    def _admin(self, username: str | None) -> User:
        admins = User.objects.filter(role=Role.ADMIN, is_active=True)
        user = admins.filter(username=username).first() if username else admins.order_by("pk").first()
        if user is None:
            raise CommandError("需要一个管理员账号（--user），导入记入其名下。")
        return user

    def _print(self, preview: Preview) -> None:
        if preview.refused:
            self.stdout.write(f"文件无法导入：{preview.refused}")
            return
        counts = preview.counts
        self.stdout.write(
            f"新建 {counts['create']} 行，更新 {counts['update']} 行，无变化 {counts['unchanged']} 行，"
            f"有错误 {counts['error']} 行。"
        )
        for row in preview.rows:
            if row["action"] == "error":
                for column, message in row["errors"]:
                    self.stdout.write(f"  第 {row['row']} 行 {column}：{message}")
            elif row["action"] == "update":
                changes = "；".join(f"{column} {old} → {new}" for column, old, new in row["changes"])
                self.stdout.write(f"  第 {row['row']} 行 更新 {row['label']}：{changes}")
            else:
                duplicates = "；".join(f"{ref} {name}" for ref, name, _unit, _score in row["duplicates"])
                self.stdout.write(
                    f"  第 {row['row']} 行 新建 {row['label']}" + (f"（疑似重复：{duplicates}）" if duplicates else "")
                )
