import datetime
import importlib.util
import os
import re
import shutil

import pytest
from django.utils import timezone

from tests.factories import UnitFactory, UserFactory

# A token of django.core.signing.dumps: value:timestamp:signature (an HMAC-SHA256, URL-safe base64).
SIGNED_AT_A_TIME = re.compile(r"^\.?[\w-]+:[0-9A-Za-z]+:[\w-]{43}$")


def pytest_make_parametrize_id(config, val, argname):
    """A parameter is part of its test's id, and pytest-xdist refuses to run when its workers collected
    different ids. A token signed when the module is imported holds the second it was signed, and two
    workers import a module a second apart on a busy machine: such a parameter is named by its
    argument (pytest numbers equal names), not by its value."""
    if isinstance(val, str) and SIGNED_AT_A_TIME.match(val):
        return argname
    return None


def pytest_collection_modifyitems(config, items):
    """Tests that need the production parts skip, with the reason, on the embedded default."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    on_redis = bool(os.environ.get("REDIS_URL"))
    has_browser = bool(shutil.which("chromium")) and importlib.util.find_spec("playwright") is not None
    for item in items:
        _require_serialized_rollback(item)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://… (CI's second pass)"))
        if "redis" in item.keywords and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL=redis://… (CI's second pass)"))
        if "broker" in item.keywords and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL and a real Celery worker (CI's second pass)"))
        if "browser" in item.keywords and not has_browser:
            item.add_marker(pytest.mark.skip(reason="needs Debian's chromium and playwright (CI installs them)"))


def _require_serialized_rollback(item) -> None:
    """A transactional test empties the database when it ends. With serialized_rollback it then
    restores what the migrations put there (role groups, standard indicators, industries); without
    it, migrate's post_migrate hook recreates the role groups under new ids, and the next test that
    restores its snapshot collides with them. So every transactional test restores."""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
        raise pytest.UsageError(f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)")


@pytest.fixture
def today() -> datetime.date:
    """The bureau's date (Asia/Shanghai) when the test starts: read per test, not at import, so that
    a run crossing midnight there (16:00 UTC) dates its forms by the day the server checks them on."""
    return timezone.localdate()


@pytest.fixture
def yesterday(today) -> datetime.date:
    return today - datetime.timedelta(days=1)


# A moment on a minute's boundary, where a throttle window opens (_throttle_clock_stopped).
THROTTLE_CLOCK = 60 * 29_000_000.0


@pytest.fixture
def unit(db):
    return UnitFactory(code="kecheng", name="柯城区")


@pytest.fixture
def staff_user(unit):
    return UserFactory(role="staff", unit=unit)


@pytest.fixture
def leader_user(db):
    return UserFactory(role="leader")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="admin")


@pytest.fixture
def eager_celery():
    """Celery tasks run in this thread when sent, as the worker would run them (the broker itself is
    exercised by the broker-marked tests). The setting is put back when the test ends, failed or not,
    so that no task of a later test runs eagerly."""
    from investpro.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickPBKDF2PasswordHasher"]


@pytest.fixture(autouse=True)
def _throttle_clock_stopped(monkeypatch):
    """The API's budgets count requests in fixed minutes of the clock (core.throttling): a test that
    spends a budget and expects the next request refused would find a fresh budget whenever a minute
    turned between the two. Every test sees the throttle's clock stopped at the start of a minute;
    the tests of the windows themselves move it (tests/api/test_throttling.py's `clock`)."""
    from core.throttling import FixedWindowRateThrottle

    monkeypatch.setattr(FixedWindowRateThrottle, "timer", lambda self: THROTTLE_CLOCK)


@pytest.fixture(autouse=True)
def _fresh_cache(settings, request):
    """Throttle counters live in the cache: every test starts with a full budget of its own, in a
    process-local cache, so that tests never flush a shared Redis (which may be the broker too)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }
