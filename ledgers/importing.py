"""Reading a ledger file into a preview, and (inside the caller's transaction) writing it.

One pass over the file, in batches of BATCH_SIZE rows. Per batch, everything the rows refer to is
read at once (the projects by 项目编号 or by name, their deliveries' date span, the tranches already
recorded); then each row is checked with the models' own rules — `clean_fields`, `clean` and the
`Meta.constraints` (core.constraints.validate_constraints_in_python), the same rules the forms and
the API apply through `full_clean` — without a query per rule per row. When writing, a batch's new
rows go in with one bulk insert and its changes with one bulk update, each with its audit-history
rows (simple_history's bulk helpers: the importing user, the file's name as the reason). The caller
holds the transaction: any error row anywhere, and it rolls everything back (ImportRefused).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Unit, User
from core.constraints import validate_constraints_in_python
from projects.duplicates import normalise
from projects.models import Activity, CapitalDelivery, Industry, Project, assign_references, can_edit_unit
from projects.selectors import duplicate_candidates, project_caches_forget

from . import cells
from .columns import (
    ACTIVITY_IGNORED,
    ACTIVITY_IMPORT_COLUMNS,
    DELIVERY_IGNORED,
    DELIVERY_IMPORT_COLUMNS,
    PROJECT_IGNORED,
    PROJECT_IMPORT_COLUMNS,
    ImportColumn,
)
from .reading import FileRefused, open_ledger
from .rules import month_is_published

BATCH_SIZE = 1000
PREVIEW_ROWS_PER_ACTION = 500  # rows of each kind the preview lists; the counts are always whole
DUPLICATE_CHECKS = 50  # new projects whose possible duplicates the preview looks up (one search each)

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


class ImportRefused(Exception):
    """The file has error rows: nothing it holds is written."""

    def __init__(self, preview: "Preview"):
        super().__init__(preview.refused or _("文件中有错误行，未导入任何数据。"))
        self.preview = preview


@dataclass
class Options:
    kind: str  # "projects", "deliveries" or "activities"
    user: User
    filename: str
    unit: Unit | None = None  # the unit of rows that name none (a staff member's own)
    correct_published: bool = False  # 更正已发布月份

    @property
    def reason(self) -> str:
        return _("Excel 导入：%(file)s") % {"file": self.filename}


@dataclass
class Preview:
    counts: dict = field(default_factory=lambda: {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0})
    rows: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)  # row number -> 错误说明 text
    refused: str = ""  # the whole file refused (FileRefused)
    total: int = 0

    def add(self, row: "Row") -> None:
        self.counts[row.action] += 1
        self.total += 1
        if row.errors:
            self.errors[row.number] = "；".join(f"{column}：{message}" for column, message in row.errors)
        if row.action != UNCHANGED and self.counts[row.action] <= PREVIEW_ROWS_PER_ACTION:
            self.rows.append(row.as_dict())

    @property
    def can_confirm(self) -> bool:
        return not self.refused and self.counts[ERROR] == 0 and (self.counts[CREATE] + self.counts[UPDATE]) > 0

    def as_dict(self) -> dict:
        return {"counts": self.counts, "rows": self.rows, "errors": {str(k): v for k, v in self.errors.items()},
                "refused": self.refused, "total": self.total}  # fmt: skip


@dataclass
class Row:
    number: int
    raw: dict  # field -> the cell as read
    values: dict = field(default_factory=dict)  # field -> the value it means
    errors: list = field(default_factory=list)  # (column header, message)
    action: str = ERROR
    label: str = ""
    changes: list = field(default_factory=list)  # (column header, old, new)
    duplicates: list = field(default_factory=list)

    def error(self, header: str, message) -> None:
        self.errors.append((header, str(message)))

    def as_dict(self) -> dict:
        return {"row": self.number, "action": self.action, "label": self.label, "changes": self.changes,
                "errors": self.errors, "duplicates": self.duplicates}  # fmt: skip


def run(content: bytes, options: Options, *, write: bool, progress: Callable[[int], None] | None = None) -> Preview:
    """The preview of a file; with write=True (inside the caller's transaction) also its writes,
    raising ImportRefused, after reading the whole file, if any row is in error."""
    ledger = LEDGERS[options.kind](options, write=write)
    preview = Preview()
    try:
        sheet = open_ledger(content, known_headers=ledger.known_headers, required=ledger.required_headers)
        unknown = [h for h in sheet.headers if h and h not in ledger.known_headers]
        if unknown:
            raise FileRefused(
                _("第 %(row)s 行有无法识别的列：%(columns)s。请删除这些列，或使用导入模板的列标题。")
                % {"row": sheet.header_row, "columns": "、".join(unknown)}
            )
        positions = {c.field: sheet.headers.index(c.header) for c in ledger.columns if c.header in sheet.headers}
        ledger.present = set(positions)
        for batch in _batches(sheet.rows, positions):
            for row in ledger.process(batch):
                preview.add(row)
            if progress:
                progress(preview.total)
    except FileRefused as refusal:
        preview.refused = str(refusal)
    if write and (preview.refused or preview.counts[ERROR]):
        raise ImportRefused(preview)
    if write:
        project_caches_forget()  # bulk writes send no signals
    return preview


def _batches(rows: Iterator[tuple[int, list]], positions: dict[str, int]) -> Iterator[list[Row]]:
    while True:
        chunk = list(islice(rows, BATCH_SIZE))
        if not chunk:
            return
        yield [
            Row(number, {name: (values[at] if at < len(values) else None) for name, at in positions.items()})
            for number, values in chunk
        ]


# --- What the kinds share ---------------------------------------------------------------------------


class Ledger:
    columns: list[ImportColumn]
    ignored: set[str]
    required_fields: set[str]
    model: type

    def __init__(self, options: Options, *, write: bool):
        self.options, self.write = options, write
        self.present: set[str] = set()
        self.seen: dict[tuple, int] = {}  # a row's identity -> the first row with it

    @property
    def known_headers(self) -> set[str]:
        return {c.header for c in self.columns} | self.ignored

    @property
    def required_headers(self) -> set[str]:
        return {c.header for c in self.columns if c.field in self.required_fields}

    def header(self, name: str) -> str:
        for column in self.columns:
            if column.field == name:
                return column.header
        if name == "__all__":
            return _("整行")
        return str(self.model._meta.get_field(name).verbose_name)

    def parse(self, row: Row) -> None:
        """Each present cell read as its value; a cell that cannot be read is the row's error."""
        for column in self.columns:
            if column.field not in row.raw:
                continue
            raw = row.raw[column.field]
            if isinstance(column.read, str):
                row.values[column.field] = cells.text(raw)
                continue
            try:
                row.values[column.field] = column.read(raw)
            except cells.CellError as error:
                row.error(column.header, error)

    def first_seen(self, row: Row, key: tuple, message: str) -> bool:
        """Whether this is the first row with this identity; a repeat is an error naming the first."""
        if key in self.seen:
            row.error(_("整行"), message % {"row": self.seen[key]})
            return False
        self.seen[key] = row.number
        return True

    def validate(self, row: Row, instance, exclude: list[str]) -> None:
        """The model's own rules, as full_clean() applies them, without a query per rule."""
        errors: dict[str, list] = {}
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            validate_constraints_in_python(instance, exclude={*exclude, *errors})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, messages in errors.items():
            for message in messages:
                row.error(self.header(name), message if isinstance(message, str) else " ".join(message))

    def display(self, name: str, value) -> str:
        if value is None or value == "":
            return "—"
        column = next((c for c in self.columns if c.field == name), None)
        if column is not None and column.choices is not None:
            return str(dict(column.choices.choices).get(value, value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    def assign(self, row: Row, instance, fields: list[str]) -> None:
        """Set the row's values, recording each change of a stored instance (old -> new)."""
        for name in fields:
            if name not in row.values:
                continue
            new = row.values[name]
            model_field = instance._meta.get_field(name)
            if new is None and not model_field.null:
                if model_field.has_default():
                    continue  # an empty cell keeps the default (a new row) or the stored value
                new = "" if model_field.empty_strings_allowed else None  # None: the field's own "required"
            old = getattr(instance, name)
            if instance.pk is not None and old != new:
                row.changes.append((self.header(name), self.display(name, old), self.display(name, new)))
            setattr(instance, name, new)

    def projects_by_reference(self, references: set[str]) -> dict[str, Project]:
        projects = Project.objects.filter(reference__in=references)
        if self.write:
            projects = projects.select_for_update()  # as the services lock a project they change
        return {project.reference: project for project in projects}

    def project_of(self, row: Row, projects: dict[str, Project]) -> Project | None:
        reference = row.values.get("project", "")
        project = projects.get(reference)
        if not reference:
            row.error(self.header("project"), _("请填写项目编号。"))
        elif project is None or not can_edit_unit(self.options.user, project.unit_id):
            row.error(self.header("project"), _("没有您可导入的项目编号“%(ref)s”。") % {"ref": reference})
            return None
        return project


# --- Projects ---------------------------------------------------------------------------------------

# The order a project moves in; an import never moves one back (a dropped one stays dropped).
STAGE_ORDER = {stage: index for index, stage in enumerate(["lead", "negotiating", "signed", "started", "producing"])}
PROJECT_FIELDS = [c.field for c in PROJECT_IMPORT_COLUMNS if c.field not in {"unit", "industry"}]
RELATIONS = ["unit", "industry", "chamber", "event", "introduced_by", "parcel", "owner"]


class ProjectLedger(Ledger):
    columns, ignored, required_fields, model = PROJECT_IMPORT_COLUMNS, PROJECT_IGNORED, {"name"}, Project

    def __init__(self, options: Options, *, write: bool):
        super().__init__(options, write=write)
        units = Unit.objects.all()
        if write:  # imports take turns: the second reads what the first wrote (no duplicate projects)
            units = units.select_for_update().order_by("pk")
        units, industries = list(units), list(Industry.objects.all())
        self.units = {key: unit for unit in units for key in (unit.name, unit.code)}
        self.industries = {key: i for i in industries for key in (i.name, i.code)}
        # A stored project's unit and industry, from these: comparing them asks no query per row.
        self.unit_by_id = {unit.pk: unit for unit in units}
        self.industry_by_id = {industry.pk: industry for industry in industries}
        self.duplicate_checks = 0

    def process(self, batch: list[Row]) -> list[Row]:
        for row in batch:
            self.parse(row)
            if not row.values.get("reference"):
                row.values.pop("reference", None)  # none given: found by name, or given one when created
            self.resolve(row)
        existing = self.existing(batch)
        spans = self.delivery_spans([p.pk for p in existing.values()])
        to_create, to_update, changed_fields = [], [], set()
        for row in batch:
            project = self.match(row, existing)
            if row.errors:
                continue
            if project is None:
                project = Project(unit=row.values["unit"])
            else:
                project._delivery_span = spans.get(project.pk, {"first": None, "last": None})
                project.unit = self.unit_by_id[project.unit_id]
                project.industry = self.industry_by_id.get(project.industry_id)
            old_stage = project.stage if project.pk else None
            self.assign(row, project, [*PROJECT_FIELDS, "unit", "industry"])
            row.label = f"{project.name}（{project.reference or _('新编号')}）"
            if old_stage is not None and _moves_back(old_stage, project.stage):
                row.error(self.header("stage"), _("导入不能把项目从“%(old)s”退回“%(new)s”。") % {
                    "old": Project.Stage(old_stage).label, "new": Project.Stage(project.stage).label})  # fmt: skip
            self.validate(row, project, exclude=RELATIONS)
            if row.errors:
                continue
            if project.pk is None:
                row.action = CREATE
                self.find_duplicates(row, project)
                to_create.append(project)
            elif row.changes:
                row.action = UPDATE
                changed_fields.update(name for name in row.values if name in PROJECT_FIELDS + ["unit", "industry"])
                to_update.append(project)
            else:
                row.action = UNCHANGED
        if self.write:
            self.save(to_create, to_update, changed_fields)
        return batch

    def resolve(self, row: Row) -> None:
        """The row's unit (its column, or the chosen one) and industry, by name or code; its unit must be
        one the user may import into."""
        name = row.values.get("unit") or ""
        unit = self.units.get(name) if name else self.options.unit
        if unit is None:
            message = _("没有名称或编码为“%(name)s”的责任单位。") % {"name": name} if name else _("请填写责任单位。")
            row.error(self.header("unit"), message)
        elif not can_edit_unit(self.options.user, unit.pk):
            row.error(
                self.header("unit"), _("您只能导入本单位的项目，不能导入“%(unit)s”的项目。") % {"unit": unit.name}
            )
        row.values["unit"] = unit
        if "industry" in row.values:
            name = row.values["industry"]
            row.values["industry"] = self.industries.get(name) if name else None
            if name and row.values["industry"] is None:
                row.error(self.header("industry"), _("没有名称或编码为“%(name)s”的产业。") % {"name": name})
        if not row.values.get("name"):
            row.error(self.header("name"), _("请填写项目名称。"))

    def existing(self, batch: list[Row]) -> dict:
        """The stored projects the batch names: by 项目编号, or by unit and name for a row without one."""
        references = {row.values["reference"] for row in batch if row.values.get("reference")}
        found: dict = dict(self.projects_by_reference(references))
        unnamed = [row for row in batch if not row.values.get("reference") and row.values.get("unit")]
        if unnamed:
            names = {row.values["name"] for row in unnamed}
            units = {row.values["unit"].pk for row in unnamed}
            projects = Project.objects.filter(unit_id__in=units, name__in=names)
            if self.write:
                projects = projects.select_for_update()
            for project in projects:
                key = (project.unit_id, project.name)
                found[key] = None if key in found else project  # None: two of that name (ambiguous)
        return found

    def match(self, row: Row, existing: dict) -> Project | None:
        if row.errors:
            return None
        reference, unit = row.values.get("reference"), row.values["unit"]
        if reference:
            key = ("reference", reference)
            project = existing.get(reference)
            if project is not None and not can_edit_unit(self.options.user, project.unit_id):
                row.error(self.header("reference"), _("项目编号“%(ref)s”已被其他单位的项目使用。") % {"ref": reference})
                return None
        else:
            key = ("name", unit.pk, normalise(row.values["name"]))
            project = existing.get((unit.pk, row.values["name"]), False)
            if project is None:
                row.error(self.header("name"), _("本单位有多个同名项目，请填写项目编号以指明是哪一个。"))
                return None
            project = project or None
        if not self.first_seen(row, key, _("与第 %(row)s 行是同一个项目，同一项目只能出现一次。")):
            return None
        return project

    def delivery_spans(self, project_ids: list[int]) -> dict[int, dict]:
        spans = (
            CapitalDelivery.objects.filter(project_id__in=project_ids)
            .values("project_id")
            .annotate(first=Min("delivered_on"), last=Max("delivered_on"))
        )
        return {span["project_id"]: span for span in spans}

    def find_duplicates(self, row: Row, project: Project) -> None:
        if self.write or self.duplicate_checks >= DUPLICATE_CHECKS:
            return
        self.duplicate_checks += 1
        for other in duplicate_candidates(
            name=project.name, investor=project.investor, user=self.options.user, limit=3
        ):
            row.duplicates.append([other.reference, other.name, other.unit.name, other.duplicate_score])

    def save(self, to_create: list[Project], to_update: list[Project], changed: set[str]) -> None:
        user, reason = self.options.user, self.options.reason
        if to_create:
            assign_references(to_create)
            bulk_create_with_history(to_create, Project, default_user=user, default_change_reason=reason)
        if to_update:
            now = timezone.now()
            for project in to_update:
                project.updated_at = now
            bulk_update_with_history(
                to_update,
                Project,
                fields=sorted(changed | {"updated_at"}),
                default_user=user,
                default_change_reason=reason,
            )


def _moves_back(old: str, new: str) -> bool:
    if old == new or new == Project.Stage.DROPPED:
        return False
    if old == Project.Stage.DROPPED:
        return True
    return STAGE_ORDER[new] < STAGE_ORDER[old]


# --- Capital deliveries -----------------------------------------------------------------------------


class DeliveryLedger(Ledger):
    columns, ignored, model = DELIVERY_IMPORT_COLUMNS, DELIVERY_IGNORED, CapitalDelivery
    required_fields = {"project", "delivered_on", "amount"}

    def __init__(self, options: Options, *, write: bool):
        super().__init__(options, write=write)
        self.published: dict[tuple[int, int], bool] = {}

    def process(self, batch: list[Row]) -> list[Row]:
        for row in batch:
            self.parse(row)
        projects = self.projects_by_reference({row.values.get("project") for row in batch} - {None, ""})
        stored = {
            (d.project_id, d.delivered_on, d.amount): d
            for d in CapitalDelivery.objects.filter(project__in=list(projects.values()))
        }
        to_create, to_update = [], []
        for row in batch:
            project = self.project_of(row, projects)
            if row.errors:
                continue
            delivered_on, amount = row.values.get("delivered_on"), row.values.get("amount")
            when, how_much = self.display("delivered_on", delivered_on), self.display("amount", amount)
            row.label = f"{project.reference} {project.name}：{when} {how_much} 万元"
            key = (project.pk, delivered_on, amount)
            if not self.first_seen(row, key, _("与第 %(row)s 行是同一笔到位资金（同一项目、日期和金额）。")):
                continue
            self.check_month(row, delivered_on)
            delivery = stored.get(key) or CapitalDelivery(project=project)
            self.assign(row, delivery, ["delivered_on", "amount", "note"])
            delivery.project = project
            self.validate(row, delivery, exclude=["project"])
            if row.errors:
                continue
            row.action = CREATE if delivery.pk is None else (UPDATE if row.changes else UNCHANGED)
            if row.action == CREATE:
                to_create.append(delivery)
            elif row.action == UPDATE:
                to_update.append(delivery)
        if self.write:
            user, reason = self.options.user, self.options.reason
            bulk_create_with_history(to_create, CapitalDelivery, default_user=user, default_change_reason=reason)
            if to_update:
                bulk_update_with_history(
                    to_update, CapitalDelivery, fields=["note"], default_user=user, default_change_reason=reason
                )
        return batch

    def check_month(self, row: Row, day) -> None:
        """A tranche dated in a month whose report is published restates it: only with the tick."""
        if day is None or self.options.correct_published:
            return
        month = (day.year, day.month)
        if month not in self.published:
            self.published[month] = month_is_published(*month)
        if self.published[month]:
            row.error(
                self.header("delivered_on"),
                _("%(y)s年%(m)s月的通报已发布；确需更正该月数据，请勾选“更正已发布月份”后再导入。")
                % {"y": day.year, "m": day.month},
            )


# --- Follow-up activities ---------------------------------------------------------------------------


class ActivityLedger(Ledger):
    columns, ignored, model = ACTIVITY_IMPORT_COLUMNS, ACTIVITY_IGNORED, Activity
    required_fields = {"project", "happened_on", "summary"}

    def process(self, batch: list[Row]) -> list[Row]:
        for row in batch:
            self.parse(row)
        projects = self.projects_by_reference({row.values.get("project") for row in batch} - {None, ""})
        stored = {
            (a.project_id, a.happened_on, a.kind, a.summary): a
            for a in Activity.objects.filter(project__in=list(projects.values()))
        }
        to_create, to_update = [], []
        for row in batch:
            project = self.project_of(row, projects)
            if row.errors:
                continue
            kind = row.values.get("kind") or Activity.Kind.VISIT
            row.values["kind"] = kind
            key = (project.pk, row.values.get("happened_on"), kind, row.values.get("summary"))
            row.label = f"{project.reference} {project.name}：{self.display('happened_on', key[1])}"
            if not self.first_seen(row, key, _("与第 %(row)s 行是同一条跟进记录。")):
                continue
            activity = stored.get(key) or Activity(project=project, created_by=self.options.user)
            self.assign(row, activity, ["happened_on", "kind", "summary", "next_action", "next_action_on"])
            activity.project = project
            self.validate(row, activity, exclude=["project", "contact", "created_by"])
            if row.errors:
                continue
            row.action = CREATE if activity.pk is None else (UPDATE if row.changes else UNCHANGED)
            (to_create if row.action == CREATE else to_update if row.action == UPDATE else []).append(activity)
        if self.write:
            # The timeline has no audit history: created_by records who added an entry (projects.services).
            Activity.objects.bulk_create(to_create)
            if to_update:
                Activity.objects.bulk_update(to_update, ["next_action", "next_action_on"])
        return batch


LEDGERS = {"projects": ProjectLedger, "deliveries": DeliveryLedger, "activities": ActivityLedger}
KIND_LABELS = {"projects": "项目", "deliveries": "到位资金", "activities": "跟进记录"}
