"""Production settings (issue 12 item 2): deploy/production.env.example with a real SECRET_KEY passes
`manage.py check --deploy` without a single warning, no secret key is committed, and a key that is not
a secret stops start-up with a message naming SECRET_KEY. Each case starts a fresh Python, as gunicorn,
the worker and manage.py do, since settings are read once per process."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import get_random_secret_key

ENV_FILE = Path(settings.BASE_DIR) / "deploy" / "production.env.example"
# What the tests set themselves: nothing of the calling shell's leaks into a case.
OWN_VARIABLES = {
    "INVESTPRO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "INVESTPRO_VAR_DIR",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
}  # fmt: skip
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def production_env_file() -> dict[str, str]:
    values = {}
    for line in ENV_FILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def environment(var_dir: Path, **variables: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in OWN_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="investpro.settings", INVESTPRO_VAR_DIR=str(var_dir), **variables)
    return env


def run(arguments: list[str], var_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=settings.BASE_DIR,
        env=environment(var_dir, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_silent_with_the_production_file_and_a_real_key(tmp_path):
    variables = production_env_file()
    assert variables["INVESTPRO_ENV"] == "production" and variables["DEBUG"] == "0"
    variables["SECRET_KEY"] = get_random_secret_key()

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **variables)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_the_production_file_alone_names_every_setting_check_deploy_needs():
    variables = production_env_file()
    for name in OWN_VARIABLES - {"INVESTPRO_VAR_DIR"}:
        assert name in variables, name
    assert variables["SECURE_SSL_REDIRECT"] == "1" and int(variables["SECURE_HSTS_SECONDS"]) >= 31536000
    assert {"DATABASE_URL", "REDIS_URL"} <= variables.keys()


def test_the_embedded_key_is_generated_once_private_and_reused(tmp_path):
    first = run(["-c", PRINT_KEY], tmp_path)
    second = run(["-c", PRINT_KEY], tmp_path)

    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert first.stdout.strip() == second.stdout.strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")] == []  # no leftovers
    # Another install (another var/) gets a key of its own.
    assert run(["-c", PRINT_KEY], tmp_path / "other").stdout.strip() != key


def test_processes_starting_together_share_one_key(tmp_path):
    command = [sys.executable, "-c", PRINT_KEY]
    env = environment(tmp_path)
    starts = [
        subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    keys = {process.communicate(timeout=120)[0].strip() for process in starts}
    assert keys == {(tmp_path / "secret_key").read_text()}


@pytest.mark.parametrize("prefix", ["", "$"], ids=["random", "starting-with-dollar"])
def test_a_key_set_in_the_environment_is_used_and_nothing_is_generated(tmp_path, prefix):
    # A random key starts with "$" once in fifty: it must be taken verbatim, not as a reference
    # to another variable (as django-environ reads "$NAME").
    key = prefix + get_random_secret_key()[len(prefix):]
    result = run(["-c", PRINT_KEY], tmp_path, SECRET_KEY=key)
    assert result.stdout.strip() == key
    assert not (tmp_path / "secret_key").exists()


REFUSED = [
    pytest.param({"DEBUG": "0", "SECRET_KEY": "investpro-embedded-insecure-key-set-SECRET_KEY-in-production"},
                 "SECRET_KEY", id="the-key-once-committed"),
    pytest.param({"DEBUG": "0", "SECRET_KEY": "too-short"}, "SECRET_KEY", id="too-short"),
    pytest.param({"SECRET_KEY": "a" * 60}, "SECRET_KEY", id="too-few-distinct-characters"),
    pytest.param({"SECRET_KEY": "django-insecure-" + get_random_secret_key()}, "SECRET_KEY", id="startproject-key"),
    pytest.param({"INVESTPRO_ENV": "production", "ALLOWED_HOSTS": "x.example"}, "SECRET_KEY",
                 id="production-without-a-key"),
    pytest.param({"INVESTPRO_ENV": "production", "ALLOWED_HOSTS": "x.example", "SECRET_KEY": ""}, "SECRET_KEY",
                 id="production-with-an-empty-key"),
    pytest.param({"INVESTPRO_ENV": "production", "SECRET_KEY": get_random_secret_key()}, "ALLOWED_HOSTS",
                 id="production-without-hosts"),
    pytest.param({"INVESTPRO_ENV": "production", "DEBUG": "1", "SECRET_KEY": get_random_secret_key(),
                  "ALLOWED_HOSTS": "x.example"}, "DEBUG", id="production-with-debug"),
    pytest.param({"INVESTPRO_ENV": "staging"}, "INVESTPRO_ENV", id="unknown-mode"),
    pytest.param({"SECURE_SSL_REDIRECT": "ture"}, "SECURE_SSL_REDIRECT", id="a-typo-in-a-flag"),
    pytest.param({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, "SECURE_PROXY_SSL_HEADER", id="proxy-header-name"),
]  # fmt: skip


@pytest.mark.parametrize(("variables", "named"), REFUSED)
def test_start_up_stops_with_a_message_naming_the_setting(variables, named, tmp_path):
    result = run(["-c", PRINT_KEY], tmp_path, **variables)

    assert result.returncode != 0
    assert result.stdout == ""  # no key was printed: settings never loaded
    assert f"configuration error: {named}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_example_file_as_shipped_is_refused_until_its_key_is_replaced(tmp_path):
    result = run(["manage.py", "check", "--deploy"], tmp_path, **production_env_file())
    assert result.returncode != 0
    assert "configuration error: SECRET_KEY:" in result.stderr


def test_a_corrupted_key_file_is_refused(tmp_path):
    (tmp_path / "secret_key").write_text("short")
    result = run(["-c", PRINT_KEY], tmp_path)
    assert result.returncode != 0
    assert "configuration error: SECRET_KEY:" in result.stderr and "secret_key" in result.stderr
