"""Schemathesis against the app's own OpenAPI schema, inside the suite (issue 4 item 8, issue 12
item 5): for every operation a bounded, deterministic set of generated requests, valid ones and
malformed ones, sent through the WSGI application as an admin and as an api_reader, with ALL of
Schemathesis' checks: no 5xx; every status, content type, header and body as documented; every
schema-valid request accepted and every schema-violating one refused.

The database holds the small world of conftest.py with a computed report, so that lists and details
are checked with real rows, not only empty pages. About 100 operations × roles, MAX_EXAMPLES each:
roughly a minute and a half on the 2-core development machine.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from targets import reporting
from tests.api.helpers import token_client

MAX_EXAMPLES = 15
# References by code or id in valid requests are drawn from what the world holds: a well-formed
# reference to a unit that does not exist is refused (400 naming the field), which is right and which
# no schema can foresee. Malformed requests still get malformed references.
UNITS, INDUSTRIES, INDICATORS = ["kecheng", "qujiang"], ["new_materials", "logistics"], ["signed_capital"]
BINDINGS = {
    "units": ["query.unit", "body.unit", "body.organizer"],
    "industries": ["query.industry", "body.industry", "body.industries[*]"],
    "indicators": ["body.indicator"],
    "ids": ["path.id", "query.project", "body.project", "body.owner"],  # projects 1-5, users 1-3
    "first": ["query.chamber", "query.event", "query.contact", "body.chamber", "body.event", "body.parcel",
              "body.contact", "body.introduced_by"],  # the world has one chamber, event, contact, parcel
    "codes": ["path.code"],
    # A cursor is the server's own signed token, handed out in `next` links: a valid request starts
    # a walk (`cursor=`); any other string is refused (400), which no schema can foresee.
    "cursors": ["query.cursor"],
}  # fmt: skip
CONFIG = {
    "seed": 20111231,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "operations": [
        {
            # A write the schema calls valid may still break a data rule that no schema can state, so
            # for POST and PATCH a 400 (or 409) counts as an answer to valid data, its body still
            # checked against the documented error body by response_schema_conformance:
            # - codes and ids that are data: a unit, industry or indicator code, or a chamber id,
            #   that does not exist (the coverage phase sends "0" and 1 whatever the dictionaries say);
            # - rules across fields or rows, kept by the models' clean() and constraints: a delivery
            #   before its project's signing or of 0, a stage without its date, a parcel published
            #   without a date, a duplicate code or (year, indicator, unit).
            # Every other check stays on, and reads keep the default: a schema-valid GET answers 2xx.
            "include-method": ["POST", "PATCH"],
            "exclude-path": ["/api/v1/auth/token/"],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
                }
            },
        },
        {
            # A well-formed sign-in with a wrong password is refused (400), or locked out (403).
            "include-path": "/api/v1/auth/token/",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["200", "400", "403", "429"]}},
        },
    ],
    "dictionaries": {
        "units": {"values": UNITS},
        "industries": {"values": INDUSTRIES},
        "indicators": {"values": INDICATORS},
        "ids": {"values": [1, 2, 3]},
        "first": {"values": [1]},
        "codes": {"values": UNITS + INDUSTRIES + INDICATORS},
        "cursors": {"values": [""]},
    },
    "parameters": {key: {"dictionary": name, "probability": 1.0} for name, keys in BINDINGS.items() for key in keys},
}


def load_schema():
    """The schema as the app serves it, fetched through its WSGI application when the module is
    collected (that request's throttle counter goes to a throwaway cache, not the app's)."""
    from investpro.wsgi import application

    throwaway = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "schema"}}
    with override_settings(CACHES=throwaway):
        return schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", application, config=SchemathesisConfig.from_dict(CONFIG)
        )


schema = load_schema()


@pytest.fixture(autouse=True)
def _generous_rates(settings):
    """Hundreds of requests a minute from one token: throttling is tested on its own."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {scope: "100000/min" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]},
    }


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    """The examples call the WSGI app directly, not through Django's test client, so Django's end of
    request closes a database connection that is in a transaction (on PostgreSQL with
    CONN_MAX_AGE) — the test's own. The test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["admin", "reader"])
def caller(request, world, admin_user, reader_user) -> str:
    """The Authorization header of an admin (may do everything) or an api_reader (reads the
    non-confidential data, is refused every write)."""
    reporting.report_compute(report_id=world.report.pk)
    client = token_client({"admin": admin_user, "reader": reader_user}[request.param])
    return client._credentials["HTTP_AUTHORIZATION"]


@schema.parametrize()
# The fixtures are made once per operation and role and shared by its examples, which is what is
# wanted: the examples run against the same world, each in the test's one transaction.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_documented(case, caller):
    # Every check Schemathesis has (checks=None): conformance of status, content type, headers and
    # body, acceptance of valid data and refusal of invalid data, authentication that is enforced.
    case.call_and_validate(headers={"Authorization": caller})
