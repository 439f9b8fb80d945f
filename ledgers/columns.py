"""The columns of each kind of ledger: the export's Chinese headers (projects.exports), so that an
exported file imports again unchanged, and how each column's cells are read (ledgers.cells)."""

from dataclasses import dataclass
from functools import partial

from projects.exports import DELIVERY_COLUMNS, PROJECT_COLUMNS
from projects.models import Activity, Project

from . import cells

ERROR_HEADER = "错误说明"  # the column the error file adds; ignored when the fixed file comes back


@dataclass(frozen=True)
class ImportColumn:
    field: str  # the model field it sets
    header: str
    read: object  # cells.<reader>, or "unit"/"industry"/"project" for a name looked up per batch
    choices: dict | None = None


def _export_header(columns, path: str) -> str:
    return next(column.header for column in columns if column.path == path)


def _choice(choices, aliases=None):
    return partial(cells.choice, choices=dict(choices), aliases=aliases)


# Words a ledger uses for the stages beside the system's own labels.
STAGE_ALIASES = {"在谈": "negotiating", "洽谈中": "negotiating", "已签约": "signed", "已开工": "started",
                 "在建": "started", "已投产": "producing", "终止": "dropped", "已终止": "dropped"}  # fmt: skip

P = partial(_export_header, PROJECT_COLUMNS)
PROJECT_IMPORT_COLUMNS = [
    ImportColumn("reference", P("reference"), cells.text),
    ImportColumn("name", P("name"), cells.text),
    ImportColumn("investor", P("investor"), cells.text),
    ImportColumn("investor_kind", P("investor_kind"), _choice(Project.InvestorKind.choices), Project.InvestorKind),
    ImportColumn("unit", P("unit__name"), "unit"),
    ImportColumn("industry", P("industry__name"), "industry"),
    ImportColumn("category", P("category"), _choice(Project.Category.choices), Project.Category),
    ImportColumn("origin", P("origin"), _choice(Project.Origin.choices), Project.Origin),
    ImportColumn("returning_merchant", P("returning_merchant"), cells.boolean),
    ImportColumn("mountain_sea", P("mountain_sea"), cells.boolean),
    ImportColumn("channel", P("channel"), _choice(Project.Channel.choices), Project.Channel),
    ImportColumn("stage", P("stage"), _choice(Project.Stage.choices, STAGE_ALIASES), Project.Stage),
    ImportColumn("total_investment", P("total_investment"), cells.amount),
    ImportColumn("signed_amount", P("signed_amount"), cells.amount),
    ImportColumn("signed_on", P("signed_on"), cells.date),
    ImportColumn("started_on", P("started_on"), cells.date),
    ImportColumn("producing_on", P("producing_on"), cells.date),
    ImportColumn("dropped_on", P("dropped_on"), cells.date),
    ImportColumn("land_area_mu", P("land_area_mu"), cells.amount),
    ImportColumn("next_follow_up_on", P("next_follow_up_on"), cells.date),
]
# In the export, computed or internal: read past, never written.
PROJECT_IGNORED = {P("id"), P("delivered_total"), ERROR_HEADER}

D = partial(_export_header, DELIVERY_COLUMNS)
DELIVERY_IMPORT_COLUMNS = [
    ImportColumn("project", D("project__reference"), "project"),
    ImportColumn("delivered_on", D("delivered_on"), cells.date),
    ImportColumn("amount", D("amount"), cells.amount),
    ImportColumn("note", D("note"), cells.text),
]
DELIVERY_IGNORED = {D("id"), D("project__name"), D("project__unit__name"), ERROR_HEADER}

ACTIVITY_IMPORT_COLUMNS = [
    ImportColumn("project", "项目编号", "project"),
    ImportColumn("happened_on", "日期", cells.date),
    ImportColumn("kind", "方式", _choice(Activity.Kind.choices), Activity.Kind),
    ImportColumn("summary", "情况摘要", cells.text),
    ImportColumn("next_action", "下一步", cells.text),
    ImportColumn("next_action_on", "下一步日期", cells.date),
]
ACTIVITY_IGNORED = {"编号", "项目名称", "责任单位", ERROR_HEADER}
