"""The benchmark is safe to point at a server: it refuses any database not named for it, and the
dataset it builds obeys the model layer's rules, which its own check verifies."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F

from bench import dataset
from bench.database import NotABenchDatabase, require_bench_database
from bench.dataset import TODAY, Scale, dataset_build, dataset_check, dataset_present
from projects.models import CapitalDelivery, Project

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "settings_dict",
    [
        {"ENGINE": POSTGRES, "NAME": "investpro"},
        {"ENGINE": POSTGRES, "NAME": "investpro_dev"},
        {"ENGINE": POSTGRES, "NAME": "prod_investpro_bench_full"},
        {"ENGINE": POSTGRES, "NAME": "investpro_bench_"},
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "investpro_bench_full"},
    ],
)
def test_any_database_not_named_for_the_bench_is_refused(settings_dict):
    with pytest.raises(NotABenchDatabase):
        require_bench_database(settings_dict)


def test_a_bench_database_is_accepted():
    assert require_bench_database({"ENGINE": POSTGRES, "NAME": "investpro_bench_full"}) == "investpro_bench_full"


def run_bench(database_url: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "small"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_make_bench_on_the_embedded_database_stops_with_one_clear_line():
    refused = run_bench(None)
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1].startswith("bench: The benchmark runs on PostgreSQL")


@pytest.mark.postgres
def test_make_bench_on_another_postgresql_database_stops_before_touching_it(db):
    """A database that does not exist is not even created; one that does is left as it was."""
    server = _server_url()
    missing = f"investpro_notbench_{uuid.uuid4().hex[:8]}"
    refused = run_bench(f"{server}/{missing}")
    assert refused.returncode != 0
    assert f"bench: Refusing database '{missing}'" in refused.stderr
    assert not _database_exists(missing)


def _server_url() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0]


def _database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


TEST_SCALE = Scale("test", 2_000)


@pytest.fixture
def built(db):
    """The dataset at a fiftieth of `small`, in the test's own database (rolled back after it)."""
    dataset_build(TEST_SCALE)
    return TEST_SCALE


@pytest.mark.postgres
def test_the_built_dataset_obeys_the_model_rules(built):
    assert dataset_check(per_stage=12) == []
    # Over the whole dataset, not a sample, the date rules of a delivery (CapitalDelivery.clean):
    deliveries = CapitalDelivery.objects.select_related("project")
    assert deliveries.count() > 7 * Project.objects.filter(signed_on__isnull=False).count()
    assert not deliveries.filter(delivered_on__lt=F("project__signed_on")).exists()
    assert not deliveries.filter(delivered_on__gt=F("project__dropped_on")).exists()
    assert not deliveries.filter(delivered_on__gt=TODAY).exists()
    # Dropped projects are there with the tranches they received before the drop, so the rule is exercised.
    assert deliveries.filter(project__stage=Project.Stage.DROPPED).count() > 100


@pytest.mark.postgres
def test_the_check_names_the_rows_that_break_a_rule(built):
    """The check fails loudly on the old dataset's mistake: tranches dated after a project's drop."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_capitaldelivery d SET delivered_on = p.dropped_on + 1 FROM projects_project p "
            "WHERE p.id = d.project_id AND p.stage = 'dropped'"
        )

    breaks = dataset_check(per_stage=12)

    deliveries = [b for b in breaks if b.row.startswith("delivery ")]
    projects = [b for b in breaks if b.row.startswith("project ")]
    assert deliveries and projects and len(deliveries) + len(projects) == len(breaks)
    assert all(set(b.errors) == {"delivered_on"} for b in deliveries)  # after the project's drop
    assert all(set(b.errors) == {"dropped_on"} for b in projects)  # dropped before its last tranche


@pytest.mark.postgres
def test_a_changed_dataset_is_noticed_and_rebuilt(built, monkeypatch):
    assert dataset_present(built)
    assert not dataset_present(Scale("small", built.projects))
    monkeypatch.setattr(dataset, "VERSION", "another-version")
    assert not dataset_present(built)
