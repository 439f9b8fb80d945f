"""Run InvestPro's own entry points (manage.py, celery, gunicorn) as the operator would, in a
subprocess with an environment of the test's choosing."""

import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings
from django.db import connection

TIMEOUT = 120  # seconds for any one command


def environment(**variables: str | None) -> dict[str, str]:
    """This process's environment with variables set, or removed where None."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "investpro.settings", "PYTHONUNBUFFERED": "1"}
    for name, value in variables.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(command: list[str], *, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command from the project folder, as the operator would, and capture what it says."""
    return subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def manage(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = run([sys.executable, "manage.py", *args], env=env)
    if check:
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def postgres_test_database_url() -> str:
    """The PostgreSQL test database (test_<name>) as a DATABASE_URL for a subprocess."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
