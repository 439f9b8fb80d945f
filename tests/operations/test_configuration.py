"""Configuration from the environment: DATABASE_URL's SQLite form and INVESTPRO_VAR_DIR work; a bad
value stops manage.py, gunicorn and celery at start-up with one line naming the variable."""

import sqlite3
import subprocess
import sys

import pytest

from .processes import environment, manage, run

PREFIX = "InvestPro 配置错误 / configuration error: "

BAD_VALUES = {
    "mysql": ({"DATABASE_URL": "mysql://bureau:pw@db.example/investpro"}, "DATABASE_URL: 不支持 'mysql'"),
    "nonsense": ({"DATABASE_URL": "nonsense"}, "DATABASE_URL: 不支持 '(无协议 / no scheme)'"),
    "memory": ({"DATABASE_URL": "sqlite://:memory:"}, "DATABASE_URL: 内存数据库不能被网站和后台任务共用"),
    "conn_max_age": ({"CONN_MAX_AGE": "sixty"}, "CONN_MAX_AGE: 须为整数 / must be an integer, not 'sixty'"),
    "backup_keep": ({"BACKUP_KEEP": "0"}, "BACKUP_KEEP: 须不小于 1 / must be at least 1, not 0"),
    "debug": ({"DEBUG": "ture"}, "DEBUG: 须为 1 或 0 / must be 1 or 0, not 'ture'"),
    "time_limit": ({"CELERY_TASK_TIME_LIMIT": "half an hour"}, "CELERY_TASK_TIME_LIMIT: 须为整数"),
    "throttle": ({"THROTTLE_READ": "lots"}, "THROTTLE_READ: 须形如 120/min"),
    "log_level": ({"LOG_LEVEL": "loud"}, "LOG_LEVEL: 须为 DEBUG, INFO, WARNING, ERROR, CRITICAL 之一"),
    "removals_keep": ({"SYNC_REMOVALS_KEEP_DAYS": "7"}, "SYNC_REMOVALS_KEEP_DAYS: 须长于 API_CURSOR_MAX_AGE"),
}

ENTRY_POINTS = {
    "manage.py": [sys.executable, "manage.py", "check"],
    "celery": [sys.executable, "-m", "celery", "-A", "investpro", "worker", "--pool=solo"],
    "gunicorn": [sys.executable, "-m", "gunicorn", "investpro.wsgi", "--bind", "127.0.0.1:0", "--workers", "2"],
}


def _start(entry_point: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run(ENTRY_POINTS[entry_point], env=env)


def _assert_refused_with_one_line(result: subprocess.CompletedProcess, entry_point: str, expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    # gunicorn too: it loads the settings in its master first (gunicorn.conf.py), before any worker.
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(PREFIX) and expected in line


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
@pytest.mark.parametrize("bad", BAD_VALUES)
def test_a_bad_value_stops_start_up_with_one_line_naming_it(bad, entry_point, tmp_path):
    variables, expected = BAD_VALUES[bad]
    env = environment(**{"INVESTPRO_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": None, **variables})
    result = _start(entry_point, env)
    _assert_refused_with_one_line(result, entry_point, expected)
    assert "pw@" not in result.stderr  # a URL's password is never echoed


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_an_unwritable_var_dir_stops_start_up_with_one_line(entry_point, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a directory cannot be made under a file, even by root
    env = environment(INVESTPRO_VAR_DIR=str(blocker / "var"), DATABASE_URL=None)
    result = _start(entry_point, env)
    _assert_refused_with_one_line(
        result, entry_point, f"INVESTPRO_VAR_DIR: 目录不可写 / {blocker / 'var'} is not a writable directory"
    )


def test_database_url_sqlite_form_gets_the_embedded_options(tmp_path):
    database = tmp_path / "elsewhere" / "bureau.sqlite3"
    env = environment(DATABASE_URL=f"sqlite:///{database}", INVESTPRO_VAR_DIR=str(tmp_path / "var"))
    manage("migrate", "--no-input", env=env)
    show = "from django.db import connection as c; print(c.settings_dict['NAME'], c.settings_dict['OPTIONS'])"
    shown = manage("shell", "-v", "0", "-c", show, env=env).stdout
    assert shown.startswith(f"{database} ")
    assert "'transaction_mode': 'IMMEDIATE'" in shown and "journal_mode=WAL" in shown
    assert sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert not (tmp_path / "var" / "investpro.sqlite3").exists()


def test_investpro_var_dir_holds_the_embedded_database_and_is_made_when_missing(tmp_path):
    var = tmp_path / "new" / "var"
    env = environment(INVESTPRO_VAR_DIR=str(var), DATABASE_URL=None)
    manage("migrate", "--no-input", env=env)
    assert (var / "investpro.sqlite3").is_file()
    show = "from django.conf import settings; print(settings.BACKUP_DIR)"
    assert manage("shell", "-v", "0", "-c", show, env=env).stdout.strip() == str(var / "backups")
