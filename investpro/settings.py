"""InvestPro settings, read from the environment.

With no environment set, InvestPro runs embedded: a SQLite file in WAL mode and a Celery broker kept
in files under var/, so that `make run` needs no server. DATABASE_URL (PostgreSQL) and REDIS_URL
switch to the production parts; the same code and migrations run on both.
"""

import os
import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _refuse(variable: str, problem: str) -> NoReturn:
    """Stop start-up with one line naming the variable. manage.py, gunicorn and celery all import
    these settings first; a traceback would bury the one thing the operator has to fix."""
    sys.stderr.write(f"InvestPro 配置错误 / configuration error: {variable}: {problem}\n")
    sys.stderr.flush()
    # A gunicorn worker that exits 1 is started again forever; 4 is gunicorn's "application failed
    # to load", on which its master stops too.
    raise SystemExit(4 if "gunicorn" in sys.modules else 1)


def _env_int(variable: str, default: int, *, minimum: int = 0) -> int:
    try:
        value = env.int(variable, default=default)
    except ValueError:
        _refuse(variable, f"须为整数 / must be an integer, not {env.str(variable)!r}")
    if value < minimum:
        _refuse(variable, f"须不小于 {minimum} / must be at least {minimum}, not {value}")
    return value


def _writable_directory(variable: str, path: Path) -> Path:
    """Create the directory if needed and prove it writable by writing into it (root passes any
    permission check, so only a real write tells)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        _refuse(variable, f"目录不可写 / {path} is not a writable directory ({exc.strerror})")
    return path


def _env_flag(variable: str, default: bool) -> bool:
    """A yes/no setting; a typo such as `ture` stops start-up instead of silently meaning "off"."""
    value = env.str(variable, default="").strip().lower()
    if not value:
        return default
    if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        _refuse(variable, f"须为 1 或 0 / must be 1 or 0, not {value!r}")
    return value in {"1", "true", "yes", "on"}


# DRF's rate format ("120/min"); DRF itself would only complain at the first request, with a 500.
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _env_rate(variable: str, default: str) -> str:
    value = env.str(variable, default=default).strip()
    if not _RATE.match(value):
        _refuse(variable, f"须形如 120/min / must look like 120/min (s, min, hour, day), not {value!r}")
    return value


def _env_choice(variable: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(variable, default=default).strip().upper()
    if value not in choices:
        _refuse(variable, f"须为 {', '.join(choices)} 之一 / must be one of them, not {value!r}")
    return value


DEBUG = _env_flag("DEBUG", False)
# Where the embedded install keeps its database, broker, cache and backups; relative to the project.
VAR_DIR = _writable_directory(
    "INVESTPRO_VAR_DIR", BASE_DIR / Path(env.str("INVESTPRO_VAR_DIR", default="var")).expanduser()
)


# --- Security: secret key, hosts, HTTPS, cookies, Content-Security-Policy, Permissions-Policy ------
#
# Two modes, chosen by INVESTPRO_ENV. "embedded" (the default: `make run`, the test suite, CI, the
# benchmark) runs with safe values and, with no SECRET_KEY, generates a random key into
# VAR_DIR/secret_key (mode 0600) on first start and reuses it, so that no key is ever committed and
# sessions survive restarts. "production" (deploy/production.env.example) is declared, never guessed:
# DEBUG is off in the embedded mode too, and CI and the benchmark use DATABASE_URL without being a
# deployment. In production SECRET_KEY and ALLOWED_HOSTS must be set, DEBUG must be off, and the
# HTTPS settings (redirect, HSTS, secure cookies) default to on.
# In either mode, with DEBUG off, a SECRET_KEY that is set must be usable: not the key once committed
# here, at least 50 characters of which at least 5 distinct (the bar of Django's security.W009), or
# start-up stops naming the variable.

_MODES = ("embedded", "production")
INVESTPRO_ENV = env.str("INVESTPRO_ENV", default="embedded")
if INVESTPRO_ENV not in _MODES:
    _refuse("INVESTPRO_ENV", f"须为 embedded 或 production / must be one of {', '.join(_MODES)}, not {INVESTPRO_ENV!r}")
PRODUCTION = INVESTPRO_ENV == "production"
if PRODUCTION and DEBUG:
    _refuse("DEBUG", "生产环境不得开启调试 / must be 0 when INVESTPRO_ENV=production")

# Keys that are public knowledge: the embedded default this file once carried, and the example's placeholder.
_KNOWN_KEYS = {
    "investpro-embedded-insecure-key-set-SECRET_KEY-in-production",
    "CHANGE-ME-to-the-output-of-get_random_secret_key",
}
_SECRET_KEY_MIN_LENGTH = 50
_SECRET_KEY_MIN_UNIQUE = 5


def _secret_key_problem(key: str) -> str | None:
    if key in _KNOWN_KEYS or key.startswith("django-insecure-"):
        return "是公开的示例值 / is a published value, not a secret"
    if len(key) < _SECRET_KEY_MIN_LENGTH or len(set(key)) < _SECRET_KEY_MIN_UNIQUE:
        return (
            f"太短 / too weak: at least {_SECRET_KEY_MIN_LENGTH} characters, {_SECRET_KEY_MIN_UNIQUE} distinct"
        )
    return None


def _generated_secret_key(path: Path) -> str:
    """The embedded key: read it, or create it once. The web server, the worker and beat start
    together, so the key is written to a private temporary file and linked into place: exactly one
    process wins, and no process ever reads a half-written key."""
    from django.core.management.utils import get_random_secret_key

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
        try:
            with open(handle, "w") as out:
                out.write(get_random_secret_key())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if problem := _secret_key_problem(key):
        _refuse("SECRET_KEY", f"{path} {problem}; 删除该文件以重新生成 / delete the file to generate a new key")
    return key


def _secret_key() -> str:
    # Read verbatim: django-environ would take a value starting with "$" (one random key in fifty)
    # for a reference to another variable and silently use something else.
    key = os.environ.get("SECRET_KEY", "").strip()
    if not key:
        if PRODUCTION:
            _refuse(
                "SECRET_KEY",
                "生产环境必须设置 / must be set when INVESTPRO_ENV=production; generate one with "
                "python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())'",
            )
        return _generated_secret_key(VAR_DIR / "secret_key")
    if not DEBUG and (problem := _secret_key_problem(key)):
        _refuse("SECRET_KEY", problem)
    return key


SECRET_KEY = _secret_key()
if PRODUCTION and "ALLOWED_HOSTS" not in env:
    _refuse("ALLOWED_HOSTS", "生产环境必须设置 / must be set when INVESTPRO_ENV=production (the site's host names)")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# The https:// origins of the site as the browser sees it, when that differs from the Host header
# (a proxy that rewrites it).
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_SSL_REDIRECT = _env_flag("SECURE_SSL_REDIRECT", default=PRODUCTION)
# A health probe on the same host asks gunicorn directly, over plain HTTP: answer it, not redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = _env_flag("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SESSION_COOKIE_SECURE = _env_flag("SESSION_COOKIE_SECURE", default=PRODUCTION)
# Sessions are kept in the database and read through the cache (write-through): every page reads
# its session, and one cache read costs less than a query (make bench, the project list page).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_SECURE = _env_flag("CSRF_COOKIE_SECURE", default=PRODUCTION)
# Opt-in, and only behind a proxy that terminates TLS and always sets (overwrites) this header:
# otherwise a client could claim HTTPS itself. Named as Django sees it, e.g. HTTP_X_FORWARDED_PROTO.
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _PROXY_SSL_HEADER and not _PROXY_SSL_HEADER.startswith("HTTP_"):
    _refuse(
        "SECURE_PROXY_SSL_HEADER",
        f"须为 HTTP_ 开头的名称 / must be a name like HTTP_X_FORWARDED_PROTO, not {_PROXY_SSL_HEADER!r}",
    )
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None

# django-csp 4. Every script a page loads is a file from 'self'; no inline script anywhere (Swagger
# UI's start-up script is served as a file by SpectacularSwaggerSplitView, see investpro/urls.py).
# Styles allow 'unsafe-inline', scripts never: pages the app takes from its libraries carry inline
# styles (Swagger UI's <style> block, the audit history's and DRF's browsable API's style="..."),
# and a style cannot run code. Images allow data: for the icons Swagger UI's stylesheet embeds.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# django-permissions-policy: the browser features a CRM never needs are switched off for every page.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb",
    )
}  # fmt: skip


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: hashed, expiring (the Sign-in section)
    "axes",  # sign-in lockout (the Sign-in section)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "django_htmx",
    # The project's apps, lowest first: an app imports only apps above it in this list.
    "accounts",
    "chambers",
    "projects",
    "notifications",
    "land",
    "ledgers",
    "targets",
    "workspace",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 413 with a JSON body for an API request over DATA_UPLOAD_MAX_MEMORY_SIZE, before it is read.
    "core.middleware.BodySizeLimitMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (the Security section above).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: the pages answer an htmx request with the part it swaps in, a plain one in full.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the signed-in user on every audited write made during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a sign-in refused by the lockout into its page (Sign-in section).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "investpro.urls"
WSGI_APPLICATION = "investpro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspace.context.navigation",
            ],
        },
    },
]


# --- Database -------------------------------------------------------------------------------------

def _sqlite_database(path: Path) -> dict:
    """The embedded database: WAL lets the web process read while the worker writes, and
    IMMEDIATE transactions take the write lock up front instead of failing half-way."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }


def _database_from_url(url: str, conn_max_age: int) -> dict:
    """postgres://user:password@host:5432/name, or sqlite:///relative/path and sqlite:////absolute/path
    (relative to the project) with the embedded database's options. The URL itself is never echoed:
    it may hold a password."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql", "pgsql"):
        return {**env.db_url_config(url), "CONN_MAX_AGE": conn_max_age}
    if scheme == "sqlite":
        name = env.db_url_config(url)["NAME"]
        if name in ("", ":memory:"):
            _refuse("DATABASE_URL", "内存数据库不能被网站和后台任务共用 / give a file: sqlite:////path/to/investpro.sqlite3")
        path = BASE_DIR / Path(name).expanduser()
        _writable_directory("DATABASE_URL", path.parent)
        return _sqlite_database(path)
    _refuse(
        "DATABASE_URL",
        f"不支持 {scheme or '(无协议 / no scheme)'!r} / use postgres://user@host:5432/name or sqlite:////path/to/file",
    )


# Read even on SQLite (where Django's default, 0, is kept) so that a bad value fails everywhere.
_CONN_MAX_AGE = _env_int("CONN_MAX_AGE", 60)
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": _database_from_url(env.str("DATABASE_URL"), _CONN_MAX_AGE)}
else:
    DATABASES = {"default": _sqlite_database(VAR_DIR / "investpro.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite keeps a covering index's key and ignores its INCLUDE columns, as Django's W040 says; the
# index still serves there, and it is PostgreSQL's (projects.CapitalDelivery) that the INCLUDE is for.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "accounts.User"

# Backups (operations/backups.py, django-dbbackup's connectors): SQLite through its online backup API,
# PostgreSQL through pg_dump/pg_restore in the custom format. `manage.py backup` writes into
# BACKUP_DIR unless told --to; the nightly backup (beat) keeps the newest BACKUP_KEEP there.
BACKUP_DIR = VAR_DIR / "backups"
BACKUP_KEEP = _env_int("BACKUP_KEEP", 14, minimum=1)
DBBACKUP_CONNECTOR_MAPPING = {
    "django.db.backends.sqlite3": "operations.backups.SqliteOnlineConnector",
    "django.db.backends.postgresql": "operations.backups.PostgresCustomFormatConnector",
}
DBBACKUP_FILENAME_TEMPLATE = "investpro-{servername}-{datetime}.{extension}"
DBBACKUP_SEND_EMAIL = False  # a failure goes to the log, not to a mail server
# /healthz and `manage.py doctor`: the worker and beat are down when the last heartbeat (sent by
# beat every minute, recorded by a worker) is older than this many seconds.
HEALTH_STALE_AFTER = _env_int("HEALTH_STALE_AFTER", 180, minimum=90)
# django-axes' backend first: it refuses a locked-out sign-in before any password is checked (the
# Sign-in section). Then who may do what: each role's model permissions, one table in accounts/roles.py
# (read without a query); axes' standalone backend answers no permission question.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.roles.RoleBackend"]


# --- Celery ---------------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The embedded broker: messages are files under var/broker, shared by the web process, the
    # worker and beat on this machine. Fanout (remote control) is supported by this transport. It
    # deletes a message as soon as a worker takes it: a worker killed before finishing loses it, and
    # the reconciler below is what recovers the report (tests/test_processes.py kills one).
    _BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True  # a task's outcome is kept on the domain object (e.g. a Report's status)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge after the run: Redis then redelivers a killed worker's message (after visibility_timeout),
# and either broker gets back the message of a pool process that died under a live worker. The
# embedded broker cannot redeliver once its worker's main process is gone; on both, what guarantees
# that a report is computed is its status in the database, read by the reconciler below.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = _env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=60)
CELERY_TASK_SOFT_TIME_LIMIT = _env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=30)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    _refuse("CELERY_TASK_SOFT_TIME_LIMIT", "须小于 CELERY_TASK_TIME_LIMIT / must be below CELERY_TASK_TIME_LIMIT")
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The reconciler (beat, every minute; targets.reporting.report_reconcile) sends a report's job again
# when it was lost: queued for longer than REPORT_REQUEUE_QUEUED_AFTER seconds with no run started
# (a second job for a message that was only slow is harmless: runs of a month take turns), or
# running for longer than REPORT_REQUEUE_RUNNING_AFTER seconds with no live run holding its lock (a
# killed worker). With the defaults a lost job is sent again within 4 minutes.
# At least 30 s: a live run may wait that long (SQLite's lock timeout) to begin either of its transactions.
if "REPORT_STALE_AFTER" in env:
    _refuse("REPORT_STALE_AFTER", "已由 REPORT_REQUEUE_QUEUED_AFTER 与 _RUNNING_AFTER 取代 / replaced by them")
REPORT_REQUEUE_QUEUED_AFTER = _env_int("REPORT_REQUEUE_QUEUED_AFTER", 3 * 60, minimum=30)
REPORT_REQUEUE_RUNNING_AFTER = _env_int("REPORT_REQUEUE_RUNNING_AFTER", 60, minimum=30)
# Run by exactly one beat process; crontab times are in CELERY_TIMEZONE (the bureau's, Asia/Shanghai).
CELERY_BEAT_SCHEDULE: dict = {
    # The monthly report: the current month every night, and the previous month until it is published.
    "reports-nightly": {"task": "targets.tasks.recompute_open_reports", "schedule": crontab(hour=1, minute=30)},
    "reports-reconcile": {"task": "targets.tasks.reconcile_reports", "schedule": crontab(minute="*")},
    # Excel imports: send again a job whose message was lost, abandon old previews, remove old files.
    "imports-tidy": {"task": "ledgers.tasks.tidy_imports", "schedule": crontab(minute="*/5")},
    # Operations: the heartbeat /healthz reads (stamped with beat's send time; a backlog left by a
    # stopped worker expires instead of being replayed), and the nightly backup.
    "operations-heartbeat": {
        "task": "operations.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": HEALTH_STALE_AFTER},
    },
    "operations-backup-nightly": {"task": "operations.tasks.backup_nightly", "schedule": crontab(hour=2, minute=30)},
    # REST sync: removal-log entries older than SYNC_REMOVALS_KEEP_DAYS (projects.services.removals_prune).
    "sync-removals-prune": {"task": "projects.tasks.prune_removals", "schedule": crontab(hour=3, minute=30)},
    # Staff reminders (notifications.services.reminders_send): written before the working day starts.
    "reminders-nightly": {"task": "notifications.tasks.send_reminders", "schedule": crontab(hour=6, minute=30)},
}


# --- Staff workspace: reminders ------------------------------------------------------------------

# A unit's project with no follow-up logged for this many days is "stale" on the 工作台 and in the
# nightly reminders.
STALE_PROJECT_DAYS = _env_int("STALE_PROJECT_DAYS", 30, minimum=1)
# The public land page (/land/): enquiries an address may leave per hour (the honeypot stops the
# simplest bots, this the rest), and how long the anonymous list is cached, in seconds (a parcel's
# change also empties it at once: land.selectors.public_list_stamp).
LAND_ENQUIRIES_PER_HOUR = _env_int("LAND_ENQUIRIES_PER_HOUR", 5, minimum=1)
LAND_LIST_CACHE_SECONDS = _env_int("LAND_LIST_CACHE_SECONDS", 300, minimum=1)
# Reminders also go out by email where EMAIL_HOST is set (SMTP); the embedded default writes them to
# the console, that is the worker's log.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="investpro@localhost")


# --- Cache (throttling counters): shared by every web process -------------------------------------

if REDIS_URL:
    # django-redis: atomic INCR for the throttle counters, and one client per connection pool.
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Django's file cache, its counters made atomic across gunicorn's processes with a file lock
    # (core/filecache.py), so that the throttles and the sign-in lockout hold their budgets; room
    # enough that culling (a third of the entries, at random) never resets a sign-in counter.
    CACHES = {
        "default": {
            "BACKEND": "core.filecache.LockedFileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }


# --- Auth, i18n, static ---------------------------------------------------------------------------

# Every password that is set (add_user, create_admin_account, the admin's user forms, a password
# change) passes Django's four validators; 12 characters at least (OWASP ASVS 2.1.1).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout (django-axes, accounts/signin.py). Every path that checks a password
# (/accounts/login/, /admin/login/, POST /api/v1/auth/token/) counts failures per username and,
# apart, per client address. After SIGNIN_FAILURE_LIMIT failures that username, and that address, are
# refused (the right password too) until SIGNIN_COOLOFF_MINUTES have passed since the last counted
# failure: the HTML sign-ins answer a page (429), the token endpoint a JSON 429 with Retry-After.
# An attempt is counted before its password is checked, atomically in the cache, so that parallel
# requests cannot overshoot the budget. Defaults: 10 failures, 60 minutes, so at most 20 guesses at an
# account in any hour, where OWASP ASVS 2.2.1 allows 100; a setting that would allow more is refused.
# A locked-out user waits, or an admin runs `manage.py axes_reset_username NAME` (or axes_reset_ip).
SIGNIN_FAILURE_LIMIT = _env_int("SIGNIN_FAILURE_LIMIT", 10, minimum=1)
SIGNIN_COOLOFF_MINUTES = _env_int("SIGNIN_COOLOFF_MINUTES", 60, minimum=1)
# Bursts of SIGNIN_FAILURE_LIMIT, each after the previous cool-off: how many fit in one hour.
if SIGNIN_FAILURE_LIMIT * (60 // SIGNIN_COOLOFF_MINUTES + 1) > 100:
    _refuse(
        "SIGNIN_FAILURE_LIMIT",
        "与 SIGNIN_COOLOFF_MINUTES 一起每小时允许超过 100 次失败登录 / with SIGNIN_COOLOFF_MINUTES this allows "
        "more than 100 failed sign-ins an hour (OWASP ASVS 2.2.1)",
    )
AXES_HANDLER = "accounts.signin.SignInBudgetHandler"
AXES_FAILURE_LIMIT = SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
# A refused attempt does not restart the cool-off: the lock ends when announced.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout_response"  # that page, with Retry-After
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # the counters live in the cache; axes' database tables stay empty
AXES_VERBOSE = False  # no start-up banner on every manage.py command; lockouts are still logged
# The client's address: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies that each append
# the address they saw to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for), the address the
# outermost proxy saw. Never a value the client wrote itself. The same rule (DRF's NUM_PROXIES) gives
# the API throttles their per-address budgets. Default 0: gunicorn faces the clients directly.
TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_address"

# API tokens (django-rest-knox, accounts/tokens.py): `Authorization: Token <key>`, stored hashed,
# valid TOKEN_TTL_DAYS from issue (no silent renewal), revoked by deleting them in the admin.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# knox's own migrations would create its unused knox_authtoken table (their CreateModel does not say
# that the model is swappable), whose key to the users then stops PostgreSQL from truncating them.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=_env_int("TOKEN_TTL_DAYS", 30, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# A token's last_used is written when it is older than this: one UPDATE a minute per busy token at most.
TOKEN_LAST_USED_PRECISION = timedelta(seconds=60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
TIME_ZONE = "Asia/Shanghai"  # the bureau's time zone; times are stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


# --- REST framework -------------------------------------------------------------------------------

# The largest request body the application reads, in bytes (Django's 2.5 MB by default): a bigger
# one is answered 413 with a JSON error on the API (core.middleware), 400 by Django elsewhere.
DATA_UPLOAD_MAX_MEMORY_SIZE = _env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)

# REST clients at scale (core/pagination.py, core/sync.py): a cursor is refused after this many
# seconds; an unfiltered list's count above this many rows is PostgreSQL's estimate; a sync page
# serves changes up to the oldest open transaction less this margin for the web and database clocks,
# waiting at most SYNC_MAX_TRANSACTION seconds for one transaction.
API_CURSOR_MAX_AGE = _env_int("API_CURSOR_MAX_AGE", 7 * 24 * 3600, minimum=60)
API_COUNT_ESTIMATE_THRESHOLD = _env_int("API_COUNT_ESTIMATE_THRESHOLD", 100_000)
SYNC_CLOCK_MARGIN = _env_int("SYNC_CLOCK_MARGIN_MS", 0) / 1000
SYNC_MAX_TRANSACTION = _env_int("SYNC_MAX_TRANSACTION", 600, minimum=1)
# The removal log (projects/removed/) keeps this many days; the nightly prune (beat) deletes older
# entries, and a `since` before them is refused (410: do a full pull). Longer than a cursor lives: a
# full pull may take that long, and its mark must still be within the log when it ends.
SYNC_REMOVALS_KEEP_DAYS = _env_int("SYNC_REMOVALS_KEEP_DAYS", 30, minimum=1)
if SYNC_REMOVALS_KEEP_DAYS * 24 * 3600 <= API_CURSOR_MAX_AGE:
    _refuse(
        "SYNC_REMOVALS_KEEP_DAYS",
        f"须长于 API_CURSOR_MAX_AGE（{API_CURSOR_MAX_AGE} 秒）/ must be longer than API_CURSOR_MAX_AGE "
        f"({API_CURSOR_MAX_AGE} s), not {SYNC_REMOVALS_KEEP_DAYS} days",
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.ModelPermission"],
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    # drf-spectacular plus the error answers, parameter bounds and public operations (core/schema.py).
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    # Per-address budgets take the client address by the sign-in lockout's rule (TRUSTED_PROXY_COUNT).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # JSON nested deeper than core.parsers.MAX_DEPTH is a 400, not a RecursionError; forms as DRF's default.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per caller (a token's user, or an anonymous address) and per scope; 429 answers carry Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ScopedThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _env_rate("THROTTLE_ANON", "120/min"),
        "auth": _env_rate("THROTTLE_AUTH", "10/min"),
        "read": _env_rate("THROTTLE_READ", "1200/min"),
        "write": _env_rate("THROTTLE_WRITE", "300/min"),
        "export": _env_rate("THROTTLE_EXPORT", "20/min"),
        "report": _env_rate("THROTTLE_REPORT", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "InvestPro API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise send the schema to validator.swagger.io: nothing leaves the intranet.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    # The schema describes the API, not itself: /api/schema/ is left out of its own paths.
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies apart from responses (ProjectRequest beside Project): read-only fields such as
    # `id` or `delivered_total` are not offered to clients that generate their code from the schema.
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's bodies are JSON (DESIGN §4): the form parsers serve the browsable API and are not
    # part of the contract (a form sends "" where JSON would send null or leave the field out).
    "PARSER_WHITELIST": ["core.parsers.BoundedJSONParser", "rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "OriginEnum": "projects.models.Origin",
        "ReportStatusEnum": "targets.models.Report.Status",
        "ParcelStatusEnum": "projects.models.Parcel.Status",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": _env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}


# --- Leaders' bulletin (一月一通报) and quarterly inspection (一季一督查) ----------------------------

# The issuing unit printed under the bulletin's title (.docx).
BULLETIN_ISSUER = env.str("BULLETIN_ISSUER", default="市招商局").strip() or "市招商局"
# A signed project not started this many days after signing is listed by the quarterly inspection.
INSPECTION_START_DAYS = _env_int("INSPECTION_START_DAYS", 180, minimum=1)
