"""The load test's database: a guard on its name, and the data step that fills it.

The data is the demo year (`load_demo`) plus N generated projects with their deliveries, spread over
the demo's units, dated in the last three years so that the demo's 2011 figures stay exact. The
rows are made inside PostgreSQL with generate_series, as bench/dataset.py does; its statements are
not reused because they place projects in the benchmark's own `bench-…` units and give tranches to
every signed project in the database, the demo's included (which would change the demo's figures).

Every generated row obeys the model rules: tranches fall between signing and the drop (or
yesterday), a returning merchant comes from outside the province, dates follow one another.
"""

import datetime as dt
import io
from urllib.parse import urlsplit

from loadtest.accounts import LoadAccounts

LOAD_DATABASE_PREFIX = "investpro_load"
GENERATED_NAME_PREFIX = "负载项目"
LEADERS = 4
API_CLIENTS = 4


class LoadDatabaseRefused(Exception):
    """The URL names a database that the load test must not touch."""


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def require_load_database(url: str) -> str:
    """The load test writes into its database and may create it: it only ever touches one whose name
    says it is the load test's own."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise LoadDatabaseRefused(f"The load test runs on PostgreSQL; {url!r} is not a postgres:// URL.")
    name = database_name(url)
    if not name.startswith(LOAD_DATABASE_PREFIX):
        raise LoadDatabaseRefused(
            f"Refusing database {name!r}: the load test only touches databases named {LOAD_DATABASE_PREFIX}…"
        )
    return name


def database_create(url: str) -> bool:
    """Create the (guarded) database when it is missing; True when it was created."""
    import psycopg2
    from psycopg2 import sql

    name = require_load_database(url)
    server = urlsplit(url)._replace(path="/postgres").geturl()
    connection = psycopg2.connect(server)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        connection.close()


# --- The data step (run after django.setup()) ----------------------------------------------------


def load_data_prepare(*, projects: int, password: str, today: dt.date) -> LoadAccounts:
    """Migrate, load the demo into an empty database, add `projects` generated projects, compute the
    reports the home page shows and make the users. Each part is done once and reused after."""
    from django.core.management import call_command

    from projects.models import Project

    call_command("migrate", interactive=False, verbosity=0)
    if not Project.objects.exists():
        call_command("load_demo", stdout=io.StringIO())
    present = generated_project_count()
    if present == 0:
        generated_projects_build(projects)
    elif present != projects:
        raise LoadDatabaseRefused(
            f"This database holds {present:,} generated projects, not {projects:,}: drop it or name another "
            f"{LOAD_DATABASE_PREFIX}… database."
        )
    reports_ensure(today)
    return load_accounts_ensure(password)


# --- Generated projects ---------------------------------------------------------------------------

# One hash per row; unit, stage, dates, origin and amounts are slices of it (the unit not from the row
# number, whose low bits would fix the stage: every unit gets every stage). Signing days lie 250 to
# 1,050 days back, so started (+30), producing (+200) and dropped (+60) dates are all in the past.
PROJECTS_SQL = """
WITH units AS (SELECT array_agg(id ORDER BY code) AS ids FROM accounts_unit),
     industries AS (SELECT array_agg(id ORDER BY code) AS ids FROM projects_industry),
     numbered AS (
       SELECT g, (g::bigint * 2654435761) %% 4294967296 AS h FROM generate_series(1, %(n)s) AS g
     ),
     shaped AS (
       SELECT g, h, h %% 20 AS k,
              CURRENT_DATE - (250 + (h / 20) %% 800)::int AS signed_day,
              (ARRAY['local','out_of_city','out_of_province','overseas'])[1 + (h / 7) %% 4] AS origin,
              ((h / 19) %% 50000 + 100)::numeric AS total
       FROM numbered
     )
INSERT INTO projects_project (
  reference, name, investor, investor_kind, category, origin, returning_merchant, mountain_sea, channel, stage,
  total_investment, signed_amount, signed_on, started_on, producing_on, dropped_on, land_area_mu,
  confidential, next_follow_up_on, notes, created_at, updated_at, unit_id, industry_id)
SELECT
  'LOAD-' || g, %(prefix)s || g, '负载投资有限公司' || (h %% 5000),
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
  CASE WHEN k = 18 THEN signed_day + 60 WHEN k = 19 THEN CURRENT_DATE - (1 + h %% 300)::int END,
  (h %% 300)::numeric,
  (h %% 50) = 0,
  CASE WHEN k < 5 THEN CURRENT_DATE + (h %% 60)::int END,
  '',
  now() - make_interval(mins => (h %% 500000)::int),
  now() - make_interval(mins => (h %% 500000)::int),
  (SELECT ids FROM units)[1 + (h / 31) %% (SELECT cardinality(ids) FROM units)],
  (SELECT ids FROM industries)[1 + (h / 29) %% (SELECT cardinality(ids) FROM industries)]
FROM shaped
"""

# About seven tranches per signed project, from its signing on, never after its drop nor after yesterday.
DELIVERIES_SQL = """
INSERT INTO projects_capitaldelivery (project_id, delivered_on, amount, note, created_at)
SELECT p.id,
       LEAST(p.signed_on + (i * 37 + p.id %% 30)::int, CURRENT_DATE - 1, COALESCE(p.dropped_on, CURRENT_DATE)),
       round(p.signed_amount / 20, 2) + i,
       '', now()
FROM projects_project p
CROSS JOIN generate_series(1, 8) AS i
WHERE p.name LIKE %(pattern)s AND p.signed_on IS NOT NULL AND (i <= 7 OR p.id %% 7 = 0)
"""


def generated_project_count() -> int:
    from projects.models import Project

    return Project.objects.filter(name__startswith=GENERATED_NAME_PREFIX).count()


def generated_projects_build(count: int) -> None:
    """Insert `count` projects over the units in the database, with their deliveries, in one transaction."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PROJECTS_SQL, {"n": count, "prefix": GENERATED_NAME_PREFIX})
        cursor.execute(DELIVERIES_SQL, {"pattern": f"{GENERATED_NAME_PREFIX}%"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project; ANALYZE projects_capitaldelivery;")


# --- Accounts -------------------------------------------------------------------------------------


def load_accounts_ensure(password: str) -> LoadAccounts:
    """One staff member per unit, and a few leaders and API clients, each made once with `add_user`."""
    from accounts.models import Unit

    accounts = LoadAccounts(
        password=password,
        staff=[(f"load_staff_{code}", code) for code in Unit.objects.order_by("code").values_list("code", flat=True)],
        leaders=[f"load_leader_{i}" for i in range(1, LEADERS + 1)],
        api_clients=[f"load_api_{i}" for i in range(1, API_CLIENTS + 1)],
    )
    for username, unit_code in accounts.staff:
        _user_ensure(username, role="staff", unit_code=unit_code, password=password)
    for username in accounts.leaders:
        _user_ensure(username, role="leader", password=password)
    for username in accounts.api_clients:
        _user_ensure(username, role="api_reader", password=password)
    return accounts


def _user_ensure(username: str, *, role: str, password: str, unit_code: str | None = None) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    if get_user_model().objects.filter(username=username).exists():
        return
    options = {"role": role, "password": password, "stdout": io.StringIO()}
    if unit_code:
        options["unit_code"] = unit_code
    call_command("add_user", username, **options)


# --- Reports --------------------------------------------------------------------------------------


def reports_ensure(today: dt.date) -> list[tuple[int, int]]:
    """The leaders' home page shows the latest monthly report: compute the demo's December and the
    last full month of the generated data, once each. Returns the months computed now."""
    from django.core.management import call_command

    from targets.demo import YEAR as DEMO_YEAR
    from targets.models import Report

    last_month = today.replace(day=1) - dt.timedelta(days=1)
    computed = []
    for year, month in ((DEMO_YEAR, 12), (last_month.year, last_month.month)):
        if Report.objects.filter(year=year, month=month, rows__isnull=False).exists():
            continue
        call_command("compute_report", year, month, stdout=io.StringIO())
        computed.append((year, month))
    return computed
