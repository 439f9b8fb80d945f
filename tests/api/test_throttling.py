"""Throttling per token, by scope, with rates read from settings on every request (issue 4 item 7):
past its budget a caller gets 429 with Retry-After; other callers and other scopes are unaffected.

Every test runs on a process-local cache and, marked `redis`, on the production Redis cache."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.throttling import ScopedThrottle
from tests.api.helpers import token_client
from tests.caches import production_redis_cache
from tests.factories import UserFactory

PROJECTS = reverse("project-list")
MINUTE_START = 60 * 29_000_000.0  # a time on a minute's boundary, where a throttle window opens


@pytest.fixture(autouse=True, params=["process-cache", pytest.param("redis-cache", marks=pytest.mark.redis)])
def throttle_cache(request, settings):
    if request.param == "process-cache":
        yield  # the suite's own LocMemCache (tests/conftest.py)
        return
    with production_redis_cache(settings) as cache:
        yield cache


@pytest.fixture
def clock(monkeypatch):
    """The throttle's time, set by the test: clock[0] = seconds since the epoch."""
    now = [MINUTE_START]
    monkeypatch.setattr(ScopedThrottle, "timer", lambda self: now[0])
    return now


@pytest.fixture
def rates(settings):
    """rates(read="3/min") sets those scopes' rates, the others stay generous."""

    def set_rates(**scopes):
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**current, **scopes},
        }

    return set_rates


def statuses(client, n, url=PROJECTS, **params) -> list[int]:
    return [client.get(url, params).status_code for _ in range(n)]


def test_the_fourth_read_in_a_minute_is_429_with_retry_after(world, api_as, rates):
    rates(read="3/min")
    client = api_as("own_staff")
    assert statuses(client, 3) == [200, 200, 200]
    response = client.get(PROJECTS)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"]


def test_each_token_has_its_own_budget(world, api_as, rates, staff_user):
    rates(read="3/min")
    first = api_as("own_staff")
    colleague = token_client(UserFactory(role="staff", unit=staff_user.unit))
    assert statuses(first, 4) == [200, 200, 200, 429]
    assert statuses(colleague, 3) == [200, 200, 200]
    assert colleague.get(PROJECTS).status_code == 429
    assert api_as("reader").get(PROJECTS).status_code == 200


def test_the_budget_is_per_user_whatever_the_endpoint(world, api_as, rates):
    rates(read="3/min")
    client = api_as("leader")
    assert client.get(reverse("unit-list")).status_code == 200
    assert client.get(reverse("industry-list")).status_code == 200
    assert client.get(reverse("event-list")).status_code == 200
    assert client.get(reverse("report-list")).status_code == 429


def test_writes_have_their_own_budget(world, api_as, rates):
    rates(read="2/min", write="1/min")
    client = api_as("own_staff")
    assert statuses(client, 3) == [200, 200, 429]
    body = {"project": world.project.pk, "happened_on": "2011-05-05", "summary": "电话沟通"}
    assert client.post(reverse("activity-list"), body, format="json").status_code == 201
    refused = client.post(reverse("activity-list"), body, format="json")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert world.project.activities.count() == 2  # the world's own activity and the first post


def test_anonymous_callers_are_throttled_by_address(world, client, rates):
    rates(anon="2/min")
    url = reverse("parcel-list")
    assert [client.get(url, REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_exports_have_their_own_smaller_budget(world, api_as, rates):
    rates(export="2/min")
    client = api_as("reader")
    url = reverse("project-export")
    assert statuses(client, 2, url=url) == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and "Retry-After" in refused
    assert refused["Content-Type"] == "application/json"
    assert client.get(reverse("delivery-export")).status_code == 429  # one budget for every export
    assert client.get(PROJECTS).status_code == 200  # reading the list is another budget


def test_report_requests_have_their_own_budget(world, api_as, rates):
    rates(report="1/min")
    leader = api_as("leader")
    assert leader.post(reverse("report-list"), {"year": 2011, "month": 5}, format="json").status_code == 202
    assert leader.post(reverse("report-list"), {"year": 2011, "month": 5}, format="json").status_code == 429
    assert leader.post(reverse("report-publish", args=[world.report.pk])).status_code == 429
    assert leader.get(reverse("report-list")).status_code == 200


def test_a_changed_rate_applies_at_the_next_request(world, api_as, rates):
    client = api_as("own_staff")
    rates(read="2/min")
    assert statuses(client, 3) == [200, 200, 429]
    rates(read="100/min")
    assert client.get(PROJECTS).status_code == 200


def test_guessing_passwords_at_the_token_endpoint_is_throttled_per_address(db, rates, staff_user):
    from rest_framework.test import APIClient

    rates(auth="3/min")
    guesser = APIClient(REMOTE_ADDR="10.9.9.9")
    guesses = [
        guesser.post(reverse("api-token"), {"username": staff_user.username, "password": f"guess-{i}"}).status_code
        for i in range(4)
    ]
    assert guesses == [400, 400, 400, 429]
    honest = APIClient(REMOTE_ADDR="10.9.9.10")
    response = honest.post(reverse("api-token"), {"username": staff_user.username, "password": "secret-pass-1"})
    assert response.status_code == 200 and response.json()["token"]


def test_the_budget_is_whole_again_when_the_window_closes(world, api_as, rates, clock):
    """Windows are the rate's periods (here whole minutes); Retry-After counts down to the window's end."""
    rates(read="2/min")
    client = api_as("own_staff")
    clock[0] = MINUTE_START + 20
    assert statuses(client, 2) == [200, 200]
    clock[0] = MINUTE_START + 45
    refused = client.get(PROJECTS)
    assert refused.status_code == 429 and refused["Retry-After"] == "15"
    clock[0] = MINUTE_START + 60
    assert statuses(client, 3) == [200, 200, 429]


def anonymous_allowed(address: str = "10.7.7.7") -> bool:
    """One anonymous request from `address` through the throttle DRF runs for the API's views."""
    request = Request(APIRequestFactory().get("/api/v1/parcels/", REMOTE_ADDR=address))
    return ScopedThrottle().allow_request(request, APIView())


def test_a_parallel_burst_never_gets_past_the_budget(db, rates, clock):
    """Eight threads ask 40 times each, all at once, for a budget of 100: exactly 100 pass. A
    read-then-write counter lets two requests that read together both pass."""
    rates(anon="100/min")
    threads = 8
    start = threading.Barrier(threads)

    def burst() -> list[bool]:
        start.wait()
        return [anonymous_allowed() for _ in range(40)]

    with ThreadPoolExecutor(threads) as pool:
        answers = [answer for done in [pool.submit(burst) for _ in range(threads)] for answer in done.result()]

    assert answers.count(True) == 100
    assert anonymous_allowed() is False
    assert anonymous_allowed("10.7.7.8") is True


def test_a_window_keeps_its_count_to_its_last_moment(db, rates, clock):
    """A budget spent in a window's last 0.2 s stays spent until the window ends, however long the
    wait in real time: the count is not stored with "what is left of the window" as its timeout,
    which Redis would round to nothing."""
    rates(anon="2/min")
    clock[0] = MINUTE_START + 59.8
    assert [anonymous_allowed() for _ in range(3)] == [True, True, False]

    time.sleep(1.2)  # real time, longer than the 0.2 s left and than a timeout rounded up to 1 s
    clock[0] = MINUTE_START + 59.95
    assert anonymous_allowed() is False

    clock[0] = MINUTE_START + 60
    assert [anonymous_allowed() for _ in range(3)] == [True, True, False]
