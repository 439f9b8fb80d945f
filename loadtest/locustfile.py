"""The simulated users of `make loadtest`: the bureau's staff, its leaders and REST clients.

It talks HTTP only. Who signs in is read from the JSON file named by LOADTEST_ACCOUNTS (written by
the data step, `python -m loadtest`); LOADTEST_SUMMARY names where the table per kind is written
when the run stops. Run it from the repository's root, e.g.

    LOADTEST_ACCOUNTS=var/loadtest/accounts.json python -m locust -f loadtest/locustfile.py \
        --headless -u 100 -r 10 -t 5m --host http://127.0.0.1:8710

Every request is named "<kind>: <what>"; the kinds are the rows of the summary tables (loadtest/summary.py,
from every response kept as a sample). A response is an error unless its status is the one expected
(a 429 from a throttle is an error too).

One class per kind of user. Pages are listed in each class's `pages`, so the staff pages of
DESIGN §5b (`/projects/`, `/dashboard/`) are added there once they exist.
"""

import datetime as dt
import itertools
import os
import random
import time
from pathlib import Path

from locust import HttpUser, between, events, task

from loadtest.accounts import LoadAccounts
from loadtest.periods import month_before, quarter_before
from loadtest.summary import Sample, report

ACCOUNTS_FILE = Path(os.environ.get("LOADTEST_ACCOUNTS", "var/loadtest/accounts.json"))
ACCOUNTS = LoadAccounts.read(ACCOUNTS_FILE)
STAFF_ACCOUNTS = itertools.cycle(ACCOUNTS.staff)
LEADER_ACCOUNTS = itertools.cycle(ACCOUNTS.leaders)
API_ACCOUNTS = itertools.cycle(ACCOUNTS.api_clients)
UNIT_CODES = [code for _, code in ACCOUNTS.staff]
STAGES = ["lead", "negotiating", "signed", "started", "producing", "dropped"]
ORIGINS = ["local", "out_of_city", "out_of_province", "overseas"]
# Seconds each simulated user waits between two requests, "MIN-MAX" (LOADTEST_WAIT).
THINK_SECONDS = tuple(float(bound) for bound in os.environ.get("LOADTEST_WAIT", "1-4").split("-", 1))


class BureauUser(HttpUser):
    """What every simulated user shares: checked requests and the two ways to sign in."""

    abstract = True
    wait_time = between(*THINK_SECONDS)  # a person reads a page before the next click; a script is paced alike

    def checked(self, method: str, path: str, *, name: str, expect: int = 200, **kwargs):
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code == 0:  # no answer: the connection failed or was closed
                response.failure(f"no response: {type(response.error).__name__}: {response.error}")
            elif response.status_code != expect:
                response.failure(f"{response.status_code} (expected {expect}): {response.text[:200]}")
            return response

    def session_sign_in(self, username: str) -> None:
        """Sign in through the login form, as a browser does; later writes send the CSRF cookie back."""
        self.checked("GET", "/accounts/login/", name="sign-in: login form")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": ACCOUNTS.password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign-in: session",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in of {username} answered {response.status_code}")

    def csrf_headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def project_ids(self, query: str, *, name: str) -> list[int]:
        response = self.checked("GET", f"/api/v1/projects/?{query}", name=name)
        try:
            return [row["id"] for row in response.json()["results"]]
        except (ValueError, KeyError):
            return []


class StaffUser(BureauUser):
    """A unit's 招商专员: pages in the browser's session, its unit's list, and the day's writes."""

    weight = 6
    pages = ["/"]  # add "/projects/", "/board/", "/dashboard/" here once those pages exist

    def on_start(self) -> None:
        self.username, self.unit = next(STAFF_ACCOUNTS)
        self.session_sign_in(self.username)
        self.own_ids = self.project_ids(f"unit={self.unit}&page_size=50", name="api read: project list by unit")
        self.signed_ids = self.project_ids(
            f"unit={self.unit}&stage=signed&page_size=50", name="api read: project list by unit"
        )

    @task(4)
    def page(self) -> None:
        path = random.choice(self.pages)
        self.checked("GET", path, name=f"staff page: {path}")

    @task(4)
    def unit_list(self) -> None:
        stage = random.choice(STAGES)
        page = random.randint(1, 5)
        self.checked(
            "GET",
            f"/api/v1/projects/?unit={self.unit}&stage={stage}&page={page}&page_size=20",
            name="api read: project list by unit",
        )

    @task(2)
    def project_detail(self) -> None:
        if self.own_ids:
            self.checked("GET", f"/api/v1/projects/{random.choice(self.own_ids)}/", name="api read: project detail")

    @task(1)
    def project_deliveries(self) -> None:
        if self.signed_ids:
            project = random.choice(self.signed_ids)
            self.checked("GET", f"/api/v1/deliveries/?project={project}", name="api read: deliveries of a project")

    @task(1)
    def create_lead(self) -> None:
        data = {
            "name": f"压测新线索{random.randint(1, 10**9)}",
            "investor": "压测投资有限公司",
            "unit": self.unit,
            "stage": "lead",
            "origin": random.choice(ORIGINS[:2]),
            "total_investment": f"{random.randint(100, 50000)}.00",
            "next_follow_up_on": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
        }
        response = self.checked(
            "POST", "/api/v1/projects/", name="api write: create project", expect=201, json=data,
            headers=self.csrf_headers(),
        )  # fmt: skip
        if response.status_code == 201:
            self.own_ids.append(response.json()["id"])

    @task(2)
    def follow_up(self) -> None:
        if not self.own_ids:
            return
        data = {"next_follow_up_on": (dt.date.today() + dt.timedelta(days=random.randint(1, 30))).isoformat()}
        self.checked(
            "PATCH", f"/api/v1/projects/{random.choice(self.own_ids)}/", name="api write: update project",
            json=data, headers=self.csrf_headers(),
        )  # fmt: skip

    @task(1)
    def record_delivery(self) -> None:
        if not self.signed_ids:
            return
        data = {
            "project": random.choice(self.signed_ids),
            "delivered_on": dt.date.today().isoformat(),
            "amount": f"{random.randint(10, 500)}.00",
            "note": "压测",
        }
        self.checked(
            "POST", "/api/v1/deliveries/", name="api write: record delivery", expect=201, json=data,
            headers=self.csrf_headers(),
        )  # fmt: skip

    @task(1)
    def log_activity(self) -> None:
        if not self.own_ids:
            return
        data = {
            "project": random.choice(self.own_ids),
            "kind": "call",
            "happened_on": dt.date.today().isoformat(),
            "summary": "压测：电话跟进，对方确认下周来访。",
        }
        self.checked(
            "POST", "/api/v1/activities/", name="api write: log activity", expect=201, json=data,
            headers=self.csrf_headers(),
        )  # fmt: skip

    @task(1)
    def export_unit_quarter(self) -> None:
        first, last = quarter_before(dt.date.today(), random.randint(1, 8))
        self.checked(
            "GET",
            f"/api/v1/projects/export/?format=csv&unit={self.unit}&signed_from={first}&signed_to={last}",
            name="export: projects csv (a unit's quarter)",
        )


class LeaderUser(BureauUser):
    """A bureau leader: the dashboard (the home page for now), the view-only admin and the reports."""

    weight = 2
    pages = ["/"]  # the leaders' dashboard; add "/dashboard/" once it exists

    def on_start(self) -> None:
        self.session_sign_in(next(LEADER_ACCOUNTS))
        self.project_sample = self.project_ids("page_size=50", name="api read: project list")
        self.report_ids = []
        response = self.checked("GET", "/api/v1/reports/", name="report read: report list")
        if response.status_code == 200:
            self.report_ids = [row["id"] for row in response.json()["results"]]

    @task(4)
    def dashboard(self) -> None:
        path = random.choice(self.pages)
        self.checked("GET", path, name=f"leader dashboard: {path}")

    @task(2)
    def admin_project_list(self) -> None:
        self.checked("GET", "/admin/projects/project/", name="admin: project list")

    @task(1)
    def admin_project_list_filtered(self) -> None:
        year = dt.date.today().year - random.randint(0, 2)
        stage = random.choice(STAGES[2:])
        self.checked(
            "GET", f"/admin/projects/project/?stage__exact={stage}&signed_on__year={year}",
            name="admin: project list filtered",
        )  # fmt: skip

    @task(1)
    def admin_project(self) -> None:
        if self.project_sample:
            project = random.choice(self.project_sample)
            self.checked("GET", f"/admin/projects/project/{project}/change/", name="admin: project page")

    @task(2)
    def report(self) -> None:
        if self.report_ids:
            report_id = random.choice(self.report_ids)
            self.checked("GET", f"/api/v1/reports/{report_id}/", name="report read: report with rows")


class ApiClientUser(BureauUser):
    """A REST client of another office: token reads of filtered lists, details and exports."""

    weight = 2

    def on_start(self) -> None:
        response = self.checked(
            "POST", "/api/v1/auth/token/", name="sign-in: api token",
            json={"username": next(API_ACCOUNTS), "password": ACCOUNTS.password},
        )  # fmt: skip
        if response.status_code == 200:
            self.client.headers["Authorization"] = f"Token {response.json()['token']}"
        self.project_sample = self.project_ids("page_size=50", name="api read: project list")

    @task(3)
    def filtered_list(self) -> None:
        first, last = quarter_before(dt.date.today(), random.randint(1, 8))
        query = random.choice(
            [
                f"unit={random.choice(UNIT_CODES)}&signed_from={first}&signed_to={last}&ordering=-signed_on",
                f"stage=signed&origin={random.choice(ORIGINS)}&page={random.randint(1, 50)}",
                f"q=负载投资有限公司{random.randint(1, 4999)}",
            ]
        )
        self.checked("GET", f"/api/v1/projects/?{query}&page_size=50", name="api read: project list filtered")

    @task(2)
    def list_pages(self) -> None:
        self.checked(
            "GET", f"/api/v1/projects/?page={random.randint(1, 100)}&page_size=50", name="api read: project list",
        )  # fmt: skip

    @task(2)
    def project_detail(self) -> None:
        if self.project_sample:
            project = random.choice(self.project_sample)
            self.checked("GET", f"/api/v1/projects/{project}/", name="api read: project detail")

    @task(2)
    def monthly_deliveries(self) -> None:
        first, last = month_before(dt.date.today(), random.randint(1, 24))
        self.checked(
            "GET",
            f"/api/v1/deliveries/?unit={random.choice(UNIT_CODES)}&delivered_from={first}&delivered_to={last}",
            name="api read: deliveries of a unit's month",
        )

    @task(1)
    def export(self) -> None:
        file_format = random.choice(["csv", "xlsx"])
        first, last = quarter_before(dt.date.today(), random.randint(1, 8))
        self.checked(
            "GET",
            f"/api/v1/projects/export/?format={file_format}&unit={random.choice(UNIT_CODES)}"
            f"&signed_from={first}&signed_to={last}",
            name=f"export: projects {file_format} (a unit's quarter)",
        )


SAMPLES: list[Sample] = []
RUN: dict[str, float] = {}


@events.test_start.add_listener
def note_start(environment, **kwargs) -> None:
    SAMPLES.clear()
    RUN["started"] = time.time()


@events.request.add_listener
def keep_sample(name, response_time, exception=None, **kwargs) -> None:
    SAMPLES.append(Sample(name, time.time(), response_time, str(exception) if exception else None))


@events.test_stop.add_listener
def write_summary(environment, **kwargs) -> None:
    """The tables per kind, where the runner reads them (LOADTEST_SUMMARY)."""
    path = os.environ.get("LOADTEST_SUMMARY")
    if path:
        text = report(SAMPLES, run_started=RUN.get("started", time.time()), run_ended=time.time())
        Path(path).write_text(text + "\n", encoding="utf-8")
