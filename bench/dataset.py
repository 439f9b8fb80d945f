"""A province-scale dataset made inside PostgreSQL with generate_series: deterministic (every value
is a function of the row number), and fast because no row passes through Python.

Scales: `full` is 1,000,000 projects and about 5,000,000 deliveries over three years and 100 units;
`small` is a hundredth of that.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from accounts.models import Unit
from targets.models import Indicator, Target

YEARS = (2024, 2025, 2026)
UNIT_COUNT = 100


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
              DATE '2024-01-01' + ((h / 20) %% 1060)::int AS signed_day,
              (ARRAY['local','out_of_city','out_of_province','overseas'])[1 + (h / 7) %% 4] AS origin,
              ((h / 19) %% 50000 + 100)::numeric AS total
       FROM rows
     )
INSERT INTO projects_project (
  name, investor, investor_kind, category, origin, returning_merchant, mountain_sea, channel, stage,
  total_investment, signed_amount, signed_on, started_on, producing_on, dropped_on, land_area_mu,
  confidential, next_follow_up_on, notes, created_at, updated_at, unit_id, industry_id)
SELECT
  '基准项目' || g, '基准投资有限公司' || (h %% 5000),
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
  CASE WHEN k BETWEEN 12 AND 17 THEN signed_day + 30 END,
  CASE WHEN k BETWEEN 15 AND 17 THEN signed_day + 200 END,
  CASE WHEN k = 18 THEN signed_day + 60 WHEN k = 19 THEN DATE '2025-06-01' END,
  (h %% 300)::numeric,
  (h %% 50) = 0, NULL, '', now(), now(),
  (SELECT ids FROM units)[1 + g %% %(units)s],
  (SELECT ids FROM industries)[1 + (h / 29) %% (SELECT cardinality(ids) FROM industries)]
FROM shaped
"""

# About seven tranches per signed project, dated from its signing on and never after yesterday.
DELIVERIES_SQL = """
INSERT INTO projects_capitaldelivery (project_id, delivered_on, amount, note, created_at)
SELECT p.id,
       LEAST(p.signed_on + (i * 37 + p.id %% 30)::int, DATE '2026-11-27'),
       round(p.signed_amount / 20, 2) + i,
       '', now()
FROM projects_project p
CROSS JOIN generate_series(1, 8) AS i
WHERE p.signed_on IS NOT NULL AND (i <= 7 OR p.id %% 7 = 0)
"""


def dataset_present(scale: Scale) -> bool:
    return Unit.objects.filter(code__startswith="bench-").exists() and _project_count() == scale.projects


def _project_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_project")
        return cursor.fetchone()[0]


@transaction.atomic
def dataset_build(scale: Scale) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE projects_capitaldelivery, projects_activity, projects_project, targets_target, "
            "targets_reportrow, targets_report RESTART IDENTITY CASCADE"
        )
    Unit.objects.filter(code__startswith="bench-").delete()
    Unit.objects.bulk_create(
        Unit(code=f"bench-{i:03d}", name=f"基准单位{i:03d}", kind=Unit.Kind.COUNTY) for i in range(1, UNIT_COUNT + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute(PROJECTS_SQL, {"n": scale.projects, "units": UNIT_COUNT})
        cursor.execute(DELIVERIES_SQL, {})
    _targets_build(scale)


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
        cursor.execute("ANALYZE projects_project; ANALYZE projects_capitaldelivery;")


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in ("projects_project", "projects_capitaldelivery", "accounts_unit", "targets_target"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts
