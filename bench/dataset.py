"""A province-scale dataset made inside PostgreSQL with generate_series: deterministic (every value
is a function of the row number), and fast because no row passes through Python.

Scales: `full` is 1,000,000 projects and about 5,000,000 deliveries over three years and 100 units;
`small` is a hundredth of that.

Every row obeys the model layer's rules (Meta.constraints and clean()): `dataset_check` samples the
built data with `full_clean`, and the benchmark refuses to measure a dataset that fails it. The
database remembers which version of this file built it, so that a changed dataset is rebuilt.
"""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.models import Unit
from projects.models import Project
from projects.selectors import project_caches_forget
from targets.models import Indicator, Target

YEARS = (2024, 2025, 2026)
UNIT_COUNT = 100
# The dataset's "today": no delivery, start, production or drop is dated after it. It must not be
# after the day the benchmark runs (a delivery may not be in the future), which the check verifies.
TODAY = datetime.date(2026, 11, 27)
# Any change to this file (its SQL, its scales, its targets) makes another dataset.
VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Scale:
    name: str
    projects: int


SCALES = {"full": Scale("full", 1_000_000), "small": Scale("small", 10_000)}

# One hash per project row; stages, dates, origins and amounts are slices of it.
PROJECTS_SQL = """
WITH units AS (SELECT array_agg(id ORDER BY code) AS ids FROM accounts_unit WHERE code LIKE 'bench-%%'),
     industries AS (SELECT array_agg(id ORDER BY code) AS ids FROM projects_industry),
     rows AS (
       SELECT g, (g::bigint * 2654435761) %% 4294967296 AS h FROM generate_series(1, %(n)s) AS g
     ),
     shaped AS (
       SELECT g, h, h %% 20 AS k,
              DATE '2024-01-01' + ((h / 20) %% 1060)::int AS signed_day,  -- up to 2026-11-25
              (ARRAY['local','out_of_city','out_of_province','overseas'])[1 + (h / 7) %% 4] AS origin,
              ((h / 19) %% 50000 + 100)::numeric AS total
       FROM rows
     )
INSERT INTO projects_project (
  reference, name, investor, investor_kind, category, origin, returning_merchant, mountain_sea, channel, stage,
  total_investment, signed_amount, signed_on, started_on, producing_on, dropped_on, land_area_mu,
  confidential, next_follow_up_on, notes, created_at, updated_at, unit_id, industry_id)
SELECT
  'BENCH-' || g, '基准项目' || g, '基准投资有限公司' || (h %% 5000),
  (ARRAY['central_soe','provincial_soe','listed','private','foreign','other'])[1 + (h / 3) %% 6],
  (ARRAY['industrial','service','agriculture','social'])[1 + (h / 17) %% 4],
  origin,
  origin = 'out_of_province' AND (h / 11) %% 5 = 0,
  origin = 'out_of_city' AND (h / 13) %% 4 = 0,
  (ARRAY['event','chamber','venture_capital','referral','direct','online','other'])[1 + (h / 23) %% 7],
  CASE WHEN k < 3 THEN 'lead' WHEN k < 5 THEN 'negotiating' WHEN k < 12 THEN 'signed'
       WHEN k < 15 THEN 'started' WHEN k < 18 THEN 'producing' ELSE 'dropped' END,
  total,
  CASE WHEN k BETWEEN 5 AND 18 THEN round(total * 0.9, 2) END,
  CASE WHEN k BETWEEN 5 AND 18 THEN signed_day END,
  -- Started after signing, producing after starting, none of it after "today".
  CASE WHEN k BETWEEN 12 AND 17 THEN LEAST(signed_day + 30, %(today)s) END,
  CASE WHEN k BETWEEN 15 AND 17 THEN LEAST(signed_day + 200, %(today)s) END,
  -- k = 18: dropped after signing, late enough to keep the tranches it received (DELIVERIES_SQL);
  -- k = 19: dropped before signing, so it has no tranche.
  CASE WHEN k = 18 THEN LEAST(signed_day + 400, %(today)s) WHEN k = 19 THEN DATE '2025-06-01' END,
  (h %% 300)::numeric,
  (h %% 50) = 0, NULL, '', now(), now(),
  (SELECT ids FROM units)[1 + g %% %(units)s],
  (SELECT ids FROM industries)[1 + (h / 29) %% (SELECT cardinality(ids) FROM industries)]
FROM shaped
"""

# About seven tranches per signed project (a project dropped after signing keeps those it received),
# dated after its signing and never after its drop or "today".
DELIVERIES_SQL = """
INSERT INTO projects_capitaldelivery (project_id, delivered_on, amount, note, created_at)
SELECT p.id,
       LEAST(p.signed_on + (i * 37 + p.id %% 30)::int, COALESCE(p.dropped_on, %(today)s), %(today)s),
       round(p.signed_amount / 20, 2) + i,
       '', now()
FROM projects_project p
CROSS JOIN generate_series(1, 8) AS i
WHERE p.signed_on IS NOT NULL AND (i <= 7 OR p.id %% 7 = 0)
"""

VERSION_TABLE = "bench_dataset"


def dataset_present(scale: Scale) -> bool:
    """Whether the database holds this scale's dataset as this version of the file builds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (scale text NOT NULL, version text NOT NULL)")
        cursor.execute(f"SELECT scale, version FROM {VERSION_TABLE}")
        return cursor.fetchall() == [(scale.name, VERSION)]


@transaction.atomic
def dataset_build(scale: Scale) -> None:
    """Empties the project, delivery, target and report tables and fills them with `scale`'s dataset.

    Only on a database that `bench.database.require_bench_database` accepted (or a test's own)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (scale text NOT NULL, version text NOT NULL)")
        cursor.execute(
            f"TRUNCATE {VERSION_TABLE}, projects_capitaldelivery, projects_activity, projects_project, "
            "targets_target, targets_reportrow, targets_report RESTART IDENTITY CASCADE"
        )
    Unit.objects.filter(code__startswith="bench-").delete()
    Unit.objects.bulk_create(
        Unit(code=f"bench-{i:03d}", name=f"基准单位{i:03d}", kind=Unit.Kind.COUNTY) for i in range(1, UNIT_COUNT + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute(PROJECTS_SQL, {"n": scale.projects, "units": UNIT_COUNT, "today": TODAY})
        cursor.execute(DELIVERIES_SQL, {"today": TODAY})
    _targets_build(scale)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {VERSION_TABLE} (scale, version) VALUES (%s, %s)", [scale.name, VERSION])
    project_caches_forget()  # written in SQL: the project list's kept options and totals are stale


def _targets_build(scale: Scale) -> None:
    units = [None, *Unit.objects.filter(code__startswith="bench-")]
    per_unit = scale.projects / 1000  # about what a unit signs in a year, so completion rates vary
    Target.objects.bulk_create(
        Target(year=year, indicator=indicator, unit=unit, value=_target_value(indicator, unit, per_unit))
        for year in YEARS
        for indicator in Indicator.objects.all()
        for unit in units
    )


def _target_value(indicator: Indicator, unit, per_unit: float) -> int:
    base = per_unit * (UNIT_COUNT if unit is None else 1)
    spread = 1 if unit is None else 0.5 + (unit.pk % 10) / 10
    value = base * spread * (1 if indicator.measure == Indicator.Measure.PROJECT_COUNT else 20000)
    return max(1, round(value))


def dataset_analyze() -> None:
    with connection.cursor() as cursor:
        # VACUUM as well as ANALYZE: a freshly loaded table has no visibility map yet, and without one
        # PostgreSQL cannot answer from an index alone (the list's delivered totals). One statement
        # each: VACUUM refuses to run inside a multi-statement string.
        for table in ("projects_project", "projects_capitaldelivery"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in ("projects_project", "projects_capitaldelivery", "accounts_unit", "targets_target"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts


@dataclass(frozen=True)
class RuleBreak:
    row: str  # e.g. "project 123", "delivery 456 of project 123"
    errors: dict[str, list[str]]

    def __str__(self) -> str:
        return f"{self.row}: {self.errors}"


def dataset_check(per_stage: int = 34) -> list[RuleBreak]:
    """The rows of a sample that break a model rule, by `full_clean` (constraints and clean()): about
    `per_stage` projects of every stage (200 by default), picked by a hash of their id so that the
    sample is the same on every run and spread over the whole table, with all their deliveries;
    every bench unit and a sample of targets. An empty list: the sample obeys every rule."""
    breaks = []
    for project in _sampled_projects(per_stage):
        breaks += _rule_breaks(project, f"project {project.pk}")
        for delivery in project.deliveries.all():
            breaks += _rule_breaks(delivery, f"delivery {delivery.pk} of project {project.pk}")
    for unit in Unit.objects.filter(code__startswith="bench-"):
        breaks += _rule_breaks(unit, f"unit {unit.code}")
    for target in Target.objects.filter(pk__in=_sampled_ids("targets_target", per_stage)):
        breaks += _rule_breaks(target, f"target {target.pk}")
    return breaks


def _sampled_projects(per_stage: int) -> list[Project]:
    sample = []
    for stage in Project.Stage.values:
        ids = _sampled_ids("projects_project", per_stage, where="stage = %s", params=[stage])
        sample += Project.objects.filter(pk__in=ids).order_by("pk")
    return sample


def _sampled_ids(table: str, size: int, *, where: str = "TRUE", params: list | None = None) -> list[int]:
    """`size` ids of `table`, the same on every run and spread over the whole table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where} ORDER BY md5(id::text) LIMIT %s", [*(params or []), size])
        return [row[0] for row in cursor.fetchall()]


def _rule_breaks(row, name: str) -> list[RuleBreak]:
    try:
        row.full_clean()
    except ValidationError as error:
        return [RuleBreak(name, error.message_dict)]
    return []
