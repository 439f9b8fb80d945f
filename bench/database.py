"""The benchmark's own database: it is emptied and refilled, so bench refuses any other.

Only a PostgreSQL database whose name starts with `investpro_bench_` is accepted, and that is
checked on the settings Django will connect with, before any connection is opened.
"""

import psycopg2
from django.core.management import call_command
from django.db import connection

BENCH_DATABASE_PREFIX = "investpro_bench_"


class NotABenchDatabase(Exception):
    """The configured database is not one the benchmark may empty."""


def require_bench_database(settings_dict: dict) -> str:
    """The database's name, if the benchmark may empty it; NotABenchDatabase otherwise."""
    engine, name = settings_dict.get("ENGINE", ""), str(settings_dict.get("NAME") or "")
    if "postgresql" not in engine:
        raise NotABenchDatabase(
            "The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…/investpro_bench_<name>."
        )
    if not name.startswith(BENCH_DATABASE_PREFIX) or name == BENCH_DATABASE_PREFIX:
        raise NotABenchDatabase(
            f"Refusing database '{name}': the benchmark empties the database it runs on, so it only runs on "
            f"a database whose name starts with '{BENCH_DATABASE_PREFIX}' (e.g. {BENCH_DATABASE_PREFIX}full)."
        )
    return name


def bench_database_prepare() -> None:
    """Creates the (already vetted) benchmark database if it is missing and migrates it."""
    settings_dict = connection.settings_dict
    name = require_bench_database(settings_dict)
    server = psycopg2.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
    )
    server.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
                print(f"Created database {name}.")
    finally:
        server.close()
    call_command("migrate", interactive=False, verbosity=0)
