"""Sign-in as an attacker would try it (issue 12 items 1 and 8): password guessing on every path
that checks a password, a spoofed X-Forwarded-For, a parallel burst, weak passwords, and API tokens
that expire, can be revoked and record their last use.

The budget is the settings' default, SIGNIN_FAILURE_LIMIT (10) failures per username and per
address, then a lock of SIGNIN_COOLOFF_MINUTES (60). "Processed" means a password was checked:
a counting wrapper around User.check_password tells how many were."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import password_validation
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from accounts.models import ApiToken, Role, User
from accounts.signin import client_address
from accounts.tokens import ApiTokenAuthentication, token_issue
from tests.caches import production_redis_cache
from tests.factories import UserFactory

PASSWORD = "secret-pass-1"  # every factory user's
GUESSES = 128
LIMIT = django_settings.SIGNIN_FAILURE_LIMIT
COOLOFF = datetime.timedelta(minutes=django_settings.SIGNIN_COOLOFF_MINUTES)

# path → (url, status of a wrong password, status of a right one)
PATHS = {
    "accounts-login": ("/accounts/login/", 200, 302),
    "admin-login": ("/admin/login/", 200, 302),
    "token": ("/api/v1/auth/token/", 400, 200),
}


@pytest.fixture
def generous_throttle(settings):
    """The token endpoint's own per-address budget (THROTTLE_AUTH) out of the way, so that what
    refuses is the lockout."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "auth": "10000/min"}}


class PasswordChecks:
    """Counts the passwords checked, from any thread; `delay` widens the window in which parallel
    requests race, as a slow hasher does in production."""

    def __init__(self, delay: float = 0.0):
        self.count = 0
        self.delay = delay
        self._lock = threading.Lock()

    def install(self, monkeypatch) -> "PasswordChecks":
        original = User.check_password
        checks = self

        def counted(user, raw_password):
            with checks._lock:
                checks.count += 1
            if checks.delay:
                threading.Event().wait(checks.delay)
            return original(user, raw_password)

        monkeypatch.setattr(User, "check_password", counted)
        return self


@pytest.fixture
def checks(monkeypatch) -> PasswordChecks:
    return PasswordChecks().install(monkeypatch)


@pytest.fixture
def target(db) -> User:
    """An admin: it may sign in on all three paths."""
    return UserFactory(username="zhangwei", role=Role.ADMIN)


def sign_in(client: Client, path: str, username: str, password: str, **headers):
    return client.post(PATHS[path][0], {"username": username, "password": password}, headers=headers)


def assert_locked(response, path: str) -> None:
    assert response.status_code == 429, (path, response.status_code)
    assert int(response["Retry-After"]) == COOLOFF.total_seconds()
    if path == "token":
        assert response["Content-Type"] == "application/json"
        assert "登录失败次数过多" in response.json()["detail"]
        assert "token" not in response.json()
    else:
        assert "登录已暂时锁定" in response.content.decode()


# --- Guessing, on each path -----------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_guessing_one_account_from_one_address_is_locked_after_the_budget(
    path, target, checks, generous_throttle
):
    url, wrong, _right = PATHS[path]
    client = Client(REMOTE_ADDR="198.51.100.7")
    answers = [sign_in(client, path, target.username, f"guess-{i}") for i in range(GUESSES)]
    assert [a.status_code for a in answers[: LIMIT - 1]] == [wrong] * (LIMIT - 1)
    for answer in answers[LIMIT - 1 :]:  # the failure that reaches the budget is answered as a lock
        assert_locked(answer, path)
    assert checks.count == LIMIT
    # The right password is refused too while the lock lasts, and is not even checked.
    assert_locked(sign_in(client, path, target.username, PASSWORD), path)
    assert checks.count == LIMIT
    target.refresh_from_db()
    assert target.last_login is None
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_guessing_one_account_from_many_addresses_is_locked_by_username(path, target, checks, generous_throttle):
    url, wrong, _right = PATHS[path]
    answers = [
        sign_in(Client(REMOTE_ADDR=f"203.0.113.{i}"), path, target.username, f"guess-{i}") for i in range(GUESSES)
    ]
    assert [a.status_code for a in answers].count(429) == GUESSES - LIMIT + 1
    assert checks.count == LIMIT
    assert_locked(sign_in(Client(REMOTE_ADDR="192.0.2.200"), path, target.username, PASSWORD), path)


@pytest.mark.parametrize("path", PATHS)
def test_guessing_many_accounts_from_one_address_is_locked_by_address(path, target, checks, generous_throttle):
    client = Client(REMOTE_ADDR="198.51.100.8")
    answers = [sign_in(client, path, f"user-{i}", "123456") for i in range(GUESSES)]
    assert [a.status_code for a in answers].count(429) == GUESSES - LIMIT + 1
    # That address may not sign in even to an account nobody guessed at; another address may.
    assert_locked(sign_in(client, path, target.username, PASSWORD), path)
    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), path, target.username, PASSWORD).status_code == PATHS[path][2]


@pytest.mark.parametrize("path", PATHS)
def test_successful_sign_ins_do_not_spend_the_budget(path, target, checks, generous_throttle):
    client = Client(REMOTE_ADDR="198.51.100.10")
    for i in range(LIMIT - 1):
        assert sign_in(client, path, target.username, f"guess-{i}").status_code == PATHS[path][1]
    for _ in range(3 * LIMIT):
        assert sign_in(Client(REMOTE_ADDR="198.51.100.10"), path, target.username, PASSWORD).status_code == (
            PATHS[path][2]
        )
    assert_locked(sign_in(client, path, target.username, "the-last-guess"), path)


# --- Addresses: the client never chooses its own ---------------------------------------------------


def spoofed(i: int) -> dict:
    return {"X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"}


@pytest.mark.parametrize("path", PATHS)
def test_a_changing_x_forwarded_for_does_not_reset_the_budget(path, checks, generous_throttle, db):
    """Many usernames, one real address, a new X-Forwarded-For on every request: one address."""
    client = Client(REMOTE_ADDR="198.51.100.11")
    answers = [sign_in(client, path, f"user-{i}", "123456", **spoofed(i)) for i in range(GUESSES)]
    assert [a.status_code for a in answers].count(429) == GUESSES - LIMIT + 1


def test_the_token_endpoints_own_budget_ignores_a_changing_x_forwarded_for(settings, target, checks):
    """THROTTLE_AUTH (10/min by default) per address, with the lockout out of the way."""
    settings.AXES_FAILURE_LIMIT = 1000
    client = Client(REMOTE_ADDR="198.51.100.12")
    answers = [sign_in(client, "token", f"user-{i}", "123456", **spoofed(i)) for i in range(GUESSES)]
    budget = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])
    assert [a.status_code for a in answers] == [400] * budget + [429] * (GUESSES - budget)
    assert "Retry-After" in answers[-1]


def test_behind_trusted_proxies_the_address_is_the_one_the_proxy_saw(settings, target, checks, generous_throttle):
    """TRUSTED_PROXY_COUNT=1 (DRF's NUM_PROXIES): nginx appends the address it saw to whatever the
    client sent; that last entry is the client, for the lockout and the throttles alike."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    answers = [
        sign_in(proxy, "token", f"user-{i}", "123456", **{"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.50"})
        for i in range(3 * LIMIT)
    ]
    assert [a.status_code for a in answers].count(429) == 2 * LIMIT + 1
    # Another client behind the same proxy has its own budget.
    other = sign_in(proxy, "token", target.username, PASSWORD, **{"X-Forwarded-For": "203.0.113.51"})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "192.0.2.1"),
        (0, "6.6.6.6", "192.0.2.1"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (1, None, "192.0.2.1"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, rf, proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    assert client_address(rf.post("/accounts/login/", REMOTE_ADDR="192.0.2.1", headers=headers)) == expected


# --- Parallel requests ------------------------------------------------------------------------------


@pytest.fixture(params=["process-cache", "file-cache", pytest.param("redis-cache", marks=pytest.mark.redis)])
def counters(request, settings, tmp_path):
    """The lockout's counters in the suite's LocMemCache, in the embedded install's locked file
    cache, and (marked redis) in the production Redis cache."""
    if request.param == "file-cache":
        settings.CACHES = {"default": {"BACKEND": "core.filecache.LockedFileBasedCache", "LOCATION": str(tmp_path)}}
    if request.param == "redis-cache":
        with production_redis_cache(settings):
            yield request.param
        return
    yield request.param


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_parallel_burst_never_gets_more_guesses_than_the_budget(counters, monkeypatch, generous_throttle):
    """40 wrong passwords at once, for a budget of 10: exactly 10 are checked, whatever the race."""
    target = UserFactory(username="liqiang", role=Role.ADMIN)
    checks = PasswordChecks(delay=0.05).install(monkeypatch)
    burst = 40
    start = threading.Barrier(burst)

    def guess(i: int) -> int:
        try:
            start.wait()
            return sign_in(Client(REMOTE_ADDR="198.51.100.13"), "token", target.username, f"guess-{i}").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(burst) as pool:
        answers = list(pool.map(guess, range(burst)))
    # A refused attempt's count is given back a moment after it was taken, so a burst may use less
    # than the budget, never more; what it did not use is still there, and not one guess more.
    in_burst = checks.count
    assert 0 < in_burst <= LIMIT, answers
    assert set(answers) <= {400, 429} and answers.count(429) >= burst - LIMIT
    later = [sign_in(Client(REMOTE_ADDR="198.51.100.13"), "token", target.username, "x") for _ in range(LIMIT)]
    assert checks.count == LIMIT
    still_wrong = max(LIMIT - in_burst - 1, 0)  # the failure that spends the budget answers 429 itself
    assert [a.status_code for a in later] == [400] * still_wrong + [429] * (LIMIT - still_wrong)
    assert sign_in(Client(REMOTE_ADDR="198.51.100.14"), "token", target.username, PASSWORD).status_code == 429
    assert not ApiToken.objects.exists()


# --- The end of a lock ------------------------------------------------------------------------------


@pytest.fixture
def cache_clock(monkeypatch):
    """The LocMemCache's time (when its keys were set and when they expire), moved forward by the test."""
    import time

    import django.core.cache.backends.base as base
    import django.core.cache.backends.locmem as locmem

    class Clock:
        offset = 0.0

        @staticmethod
        def time() -> float:
            return time.time() + Clock.offset

    monkeypatch.setattr(base, "time", Clock)
    monkeypatch.setattr(locmem, "time", Clock)
    return Clock


def lock(client: Client, username: str) -> None:
    for i in range(LIMIT):
        sign_in(client, "accounts-login", username, f"guess-{i}")
    assert sign_in(client, "accounts-login", username, PASSWORD).status_code == 429


def test_a_lock_ends_when_the_cool_off_has_passed(target, cache_clock):
    client = Client(REMOTE_ADDR="198.51.100.15")
    lock(client, target.username)
    cache_clock.offset = COOLOFF.total_seconds() - 60
    assert sign_in(client, "accounts-login", target.username, PASSWORD).status_code == 429
    cache_clock.offset = COOLOFF.total_seconds() + 1
    assert sign_in(client, "accounts-login", target.username, PASSWORD).status_code == 302
    target.refresh_from_db()
    assert target.last_login is not None


def test_refused_attempts_do_not_extend_the_lock(target, cache_clock):
    client = Client(REMOTE_ADDR="198.51.100.16")
    lock(client, target.username)
    for minutes in (10, 30, 50):
        cache_clock.offset = minutes * 60
        assert sign_in(client, "accounts-login", target.username, "still-guessing").status_code == 429
    cache_clock.offset = COOLOFF.total_seconds() + 1
    assert sign_in(client, "accounts-login", target.username, PASSWORD).status_code == 302


def test_an_admin_lifts_a_lock_with_axes_reset_commands(target):
    client = Client(REMOTE_ADDR="198.51.100.17")
    lock(client, target.username)
    call_command("axes_reset_username", target.username)
    # The username is free, the address still locked: another address signs in, this one not yet.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.18"), "accounts-login", target.username, PASSWORD).status_code == 302
    assert sign_in(client, "accounts-login", target.username, PASSWORD).status_code == 429
    call_command("axes_reset_ip", "198.51.100.17")
    assert sign_in(client, "accounts-login", target.username, PASSWORD).status_code == 302


# --- Passwords ----------------------------------------------------------------------------------------


def test_add_user_refuses_a_weak_password_with_the_validators_messages(db):
    with pytest.raises(CommandError) as refused:
        call_command("add_user", "mallory", "--role", "admin", "--password", "a")
    message = str(refused.value)
    assert message.startswith("password:")
    assert "12" in message  # MinimumLengthValidator's message names the minimum
    assert not User.objects.filter(username="mallory").exists()
    with pytest.raises(CommandError, match="password:"):
        call_command("add_user", "mallory", "--role", "admin", "--password", "12345678901234")  # numeric
    with pytest.raises(CommandError, match="password:"):
        call_command("add_user", "mallory", "--role", "admin", "--password", "mallory12345")  # like the name
    assert not User.objects.filter(username="mallory").exists()


def test_create_admin_account_prints_a_password_the_validators_accept(db, capsys):
    call_command("create_admin_account")
    out = capsys.readouterr().out
    password = out.split("password:")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.check_password(password)
    password_validation.validate_password(password, admin)  # raises if it did not pass


def test_the_admin_add_form_refuses_a_weak_password(client, db):
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    url = reverse("admin:accounts_user_add")
    form = {"username": "wangfang", "usable_password": "true", "role": Role.LEADER}
    response = client.post(url, {**form, "password1": "a", "password2": "a"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    assert not User.objects.filter(username="wangfang").exists()
    strong = "Quzhou-bureau-2011!"
    response = client.post(url, {**form, "password1": strong, "password2": strong})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="wangfang").check_password(strong)


# --- API tokens -----------------------------------------------------------------------------------------


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Token {key}"})


PROJECTS = "/api/v1/projects/"


def test_a_token_expires_after_the_configured_time(target, generous_throttle):
    before = timezone.now()
    response = sign_in(Client(), "token", target.username, PASSWORD)
    assert response.status_code == 200
    body = response.json()
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    ttl = django_settings.REST_KNOX["TOKEN_TTL"]
    assert ttl == datetime.timedelta(days=30)
    assert before + ttl <= expiry <= timezone.now() + ttl
    stored = ApiToken.objects.get(user=target)
    assert stored.expiry == expiry and body["token"] not in (stored.digest, stored.token_key)  # only a hash kept
    assert bearer(body["token"]).get(PROJECTS).status_code == 200
    ApiToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    expired = bearer(body["token"]).get(PROJECTS)
    assert expired.status_code == 401
    assert expired.json() == {"detail": "令牌已过期，请重新获取。"}


def test_the_token_lifetime_is_a_setting(settings, target):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(days=1)}
    api_token, _key = token_issue(user=target)
    assert abs(api_token.expiry - (timezone.now() + datetime.timedelta(days=1))) < datetime.timedelta(minutes=1)


def test_issuing_a_token_deletes_the_users_expired_ones(target):
    old, _key = token_issue(user=target)
    ApiToken.objects.filter(pk=old.pk).update(expiry=timezone.now() - datetime.timedelta(days=1))
    token_issue(user=target)
    assert ApiToken.objects.filter(user=target).count() == 1 and not ApiToken.objects.filter(pk=old.pk).exists()


def test_an_admin_revokes_a_token(client, target):
    _api_token, key = token_issue(user=UserFactory(role=Role.API_READER, username="reader1"))
    holder = bearer(key)
    assert holder.get(PROJECTS).status_code == 200
    client.force_login(target)
    changelist = reverse("admin:accounts_apitoken_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and "reader1" in page.content.decode()
    token = ApiToken.objects.get(user__username="reader1")
    response = client.post(changelist, {"action": "revoke_selected", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    refused = holder.get(PROJECTS)
    assert refused.status_code == 401 and refused.json() == {"detail": "令牌无效。"}


def test_a_token_records_its_last_use_at_most_once_a_minute(target, django_assert_num_queries):
    api_token, key = token_issue(user=target)
    assert api_token.last_used is None
    holder = bearer(key)
    assert holder.get(PROJECTS).status_code == 200
    api_token.refresh_from_db()
    first_use = api_token.last_used
    assert first_use is not None and timezone.now() - first_use < datetime.timedelta(seconds=10)
    # Within the minute: no write. Authentication is then one query (the token with its user).
    request = APIRequestFactory().get(PROJECTS, HTTP_AUTHORIZATION=f"Token {key}")
    with django_assert_num_queries(1):
        user, _token = ApiTokenAuthentication().authenticate(request)
    assert user == target
    api_token.refresh_from_db()
    assert api_token.last_used == first_use
    # Over a minute later: written again.
    ApiToken.objects.filter(pk=api_token.pk).update(last_used=first_use - datetime.timedelta(minutes=2))
    assert holder.get(PROJECTS).status_code == 200
    api_token.refresh_from_db()
    assert api_token.last_used > first_use - datetime.timedelta(seconds=1)


def test_a_malformed_or_unknown_token_is_401(target):
    for header in ("Token", "Token a b", "Token " + "0" * 64, "Token ÿÿ"):
        response = Client(headers={"Authorization": header}).get(PROJECTS)
        assert response.status_code == 401, header
