"""Backup and restore, end to end through manage.py: back up, change data (create, modify, delete),
restore, and find every row exactly as it was. SQLite on a file database in tmp (the suite's own
test database is in memory), PostgreSQL on the test database (CI's second pass)."""

import datetime
import os
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from dbbackup.utils import filename_generate
from django.db import connections

from operations import tasks
from operations.backups import backup_prune
from projects.models import Project

from .processes import environment, manage, postgres_test_database_url

SEED = """
import datetime
from decimal import Decimal
from tests.factories import CapitalDeliveryFactory, ProjectFactory, UnitFactory, UserFactory
for n in range(3):
    unit = UnitFactory(code=f"seed{n}", name=f"种子单位{n}")
    for k in range(3):
        project = ProjectFactory(unit=unit, name=f"项目{n}-{k}", signed=True,
                                 signed_on=datetime.date(2011, 1 + k, 10), signed_amount=Decimal("100.50"))
        CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 1 + k, 11), amount=Decimal("10.25"))
UserFactory(username="seed-leader", role="leader")
"""

# After the backup: a new unit and project, a renamed and re-valued project, a delivery, a project
# and a user deleted.
CHANGE = """
from decimal import Decimal
from accounts.models import Unit, User
from projects.models import CapitalDelivery, Project
from tests.factories import ProjectFactory, UnitFactory
ProjectFactory(unit=UnitFactory(code="after", name="备份后新建"), name="备份后的项目")
Project.objects.filter(name="项目1-0").update(name="改名", signed_amount=Decimal("999"))
CapitalDelivery.objects.filter(project__name="项目2-2").delete()
Project.objects.filter(name="项目2-2").delete()
User.objects.filter(username="seed-leader").delete()
"""


def _snapshot(env: dict[str, str]) -> str:
    """Every row of every table the application knows, in primary-key order."""
    return manage("dumpdata", "--indent", "1", env=env).stdout


def _back_up_change_restore(env: dict[str, str], backups: Path, during_restore=None) -> tuple[str, str, str]:
    manage("shell", "-c", SEED, env=env)
    before = _snapshot(env)
    result = manage("backup", "--to", str(backups), env=env)
    [backup] = list(backups.iterdir())
    assert f"已备份 / backed up: {backup}" in result.stdout
    manage("shell", "-c", CHANGE, env=env)
    changed = _snapshot(env)
    if during_restore:
        during_restore()
    result = manage("restore", str(backup), env=env)
    assert f"已恢复 / restored from: {backup}" in result.stdout
    return before, changed, _snapshot(env)


def test_sqlite_backup_restores_every_row_exactly(tmp_path):
    """INVESTPRO_VAR_DIR points the embedded install (its SQLite file in WAL mode) into tmp."""
    env = environment(INVESTPRO_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=None)
    manage("migrate", "--no-input", env=env)
    database = tmp_path / "var" / "investpro.sqlite3"

    # Other processes' connections (the web server's), opened before the restore and kept open;
    # one is inside a read transaction while the restore runs.
    web = sqlite3.connect(database, isolation_level=None)
    reader = sqlite3.connect(database, isolation_level=None)

    def read_during_restore():
        assert web.execute("SELECT name FROM projects_project WHERE name = '改名'").fetchone() == ("改名",)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM projects_project").fetchone()

    before, changed, after = _back_up_change_restore(env, tmp_path / "backups", read_during_restore)
    reader.execute("COMMIT")

    assert changed != before and "改名" in changed and "备份后的项目" in changed
    assert after == before
    assert "改名" not in after and "项目2-2" in after and "seed-leader" in after
    # Below the ORM too: every table, index, row and sequence counter is the backup's.
    [backup] = list((tmp_path / "backups").iterdir())
    assert list(sqlite3.connect(backup).iterdump()) == list(sqlite3.connect(database).iterdump())
    # The connection that stayed open sees the restored database, still in WAL mode.
    assert web.execute("SELECT name FROM projects_project WHERE name = '改名'").fetchone() is None
    assert web.execute("SELECT name FROM projects_project WHERE name = '项目1-0'").fetchone() == ("项目1-0",)
    assert web.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    web.close()
    reader.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_backup_restores_every_row_exactly(tmp_path):
    """pg_dump --format=custom and pg_restore, on the test database, while this process keeps
    its (idle) connection open."""
    env = environment(DATABASE_URL=postgres_test_database_url(), CONN_MAX_AGE="0")
    Project.objects.exists()  # an open connection of our own, as the web server would have
    before, changed, after = _back_up_change_restore(env, tmp_path / "backups")

    assert changed != before and "改名" in changed
    assert after == before
    [backup] = list((tmp_path / "backups").iterdir())
    assert backup.name.endswith(".psql.bin")
    # This process's connection still works and sees the restored rows.
    connections.close_all()
    assert Project.objects.filter(name="项目1-0").exists() and not Project.objects.filter(name="改名").exists()


def test_restore_refuses_a_missing_file_with_one_clear_line(tmp_path):
    env = environment(INVESTPRO_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=None)
    result = manage("restore", str(tmp_path / "nope.sqlite3"), env=env, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == f"CommandError: 备份文件不存在 / no such backup file: {tmp_path / 'nope.sqlite3'}"


def test_restore_refuses_a_file_that_is_not_a_backup_and_leaves_the_database(tmp_path):
    env = environment(INVESTPRO_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=None)
    manage("migrate", "--no-input", env=env)
    manage("shell", "-c", SEED, env=env)
    before = _snapshot(env)
    wrong_kind = tmp_path / "investpro-host-2026-01-01-023000.psql.bin"
    not_a_database = tmp_path / "investpro-host-2026-01-01-023000.sqlite3"
    wrong_kind.write_bytes(b"PGDMP")
    not_a_database.write_text("这不是数据库 / not a database")

    refused = manage("restore", str(wrong_kind), env=env, check=False)
    assert refused.returncode == 1 and "不是本数据库类型的备份" in refused.stderr
    refused = manage("restore", str(not_a_database), env=env, check=False)
    assert refused.returncode == 1 and "不是有效的 SQLite 备份 / not a valid SQLite backup" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert _snapshot(env) == before


# --- retention ------------------------------------------------------------------------------------


def _backup_named(directory: Path, when: datetime.datetime, extension: str = "sqlite3") -> str:
    name = filename_generate(extension, "default", "host", wildcard=when.strftime("%Y-%m-%d-%H%M%S"))
    (directory / name).write_bytes(b"backup")
    return name


def test_prune_keeps_the_newest_backups_by_their_date_and_nothing_else_is_touched(tmp_path):
    nights = [datetime.datetime(2026, 11, day, 2, 30) for day in (3, 1, 5, 2, 4)]  # not in order
    names = {night.day: _backup_named(tmp_path, night) for night in nights}
    (tmp_path / "README.txt").write_text("not a backup")
    forgotten = tmp_path / ".partial-123"
    forgotten.write_bytes(b"half")
    os.utime(forgotten, (0, 0))  # left by a backup killed long ago
    recent = tmp_path / ".partial-456"
    recent.write_bytes(b"being written")

    removed = backup_prune(directory=tmp_path, keep=3)

    assert removed == sorted([names[1], names[2]])
    left = {path.name for path in tmp_path.iterdir()}
    assert left == {names[3], names[4], names[5], "README.txt", ".partial-456"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nightly_backup_writes_a_backup_and_keeps_the_newest(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_KEEP = 2
    older = [_backup_named(tmp_path, datetime.datetime(2020, 1, day, 2, 30)) for day in (1, 2, 3)]
    Project.objects.create(name="夜间备份", investor="某公司", unit=_unit(), total_investment=Decimal("1"))

    tasks.backup_nightly.apply(throw=True)

    left = sorted(path.name for path in tmp_path.iterdir())
    assert len(left) == 2 and older[2] in left and older[0] not in left and older[1] not in left
    [new] = [tmp_path / name for name in left if name != older[2]]
    if new.suffix == ".sqlite3":  # the embedded pass: the file is a database holding today's row
        rows = sqlite3.connect(new).execute("SELECT name FROM projects_project").fetchall()
        assert rows == [("夜间备份",)]
    else:  # PostgreSQL: a custom-format archive pg_restore can read
        listing = subprocess.run(["pg_restore", "--list", str(new)], capture_output=True, text=True, check=True)
        assert "projects_project" in listing.stdout


def _unit():
    from tests.factories import UnitFactory

    return UnitFactory(code="nightly")
