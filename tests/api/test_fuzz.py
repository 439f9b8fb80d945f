"""Schemathesis against the app's own OpenAPI schema, inside the suite (issue 4 item 8): for every
operation a bounded, deterministic set of generated requests — valid ones and malformed ones — sent
as an admin through the WSGI application. No answer may be a 5xx, and every documented answer must
match its schema and content type.

The database holds the small world of conftest.py with a computed report, so that lists and details
are checked with real rows, not only empty pages.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from targets import reporting
from tests.api.helpers import token_client

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# References by code or id are mostly drawn from what the world holds, so that generated requests get
# past "no such unit" and reach the filters, the serializers and the model rules behind them.
UNITS, INDUSTRIES, INDICATORS = ["kecheng", "qujiang"], ["new_materials", "logistics"], ["signed_capital"]
BINDINGS = {
    "units": ["query.unit", "body.unit", "body.organizer"],
    "industries": ["query.industry", "body.industry", "body.industries[*]"],
    "indicators": ["body.indicator"],
    "ids": ["path.id", "query.project", "body.project", "body.owner"],  # projects 1-5, users 1-3
    "first": ["query.chamber", "query.event", "query.contact", "body.chamber", "body.event", "body.parcel",
              "body.contact", "body.introduced_by"],  # the world has one chamber, event, contact, parcel
    "codes": ["path.code"],
}  # fmt: skip
CONFIG = {
    "seed": 20111231,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "dictionaries": {
        "units": {"values": UNITS},
        "industries": {"values": INDUSTRIES},
        "indicators": {"values": INDICATORS},
        "ids": {"values": [1, 2, 3]},
        "first": {"values": [1]},
        "codes": {"values": UNITS + INDUSTRIES + INDICATORS},
    },
    "parameters": {
        key: {"dictionary": name, "probability": 0.9} for name, keys in BINDINGS.items() for key in keys
    },
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


@pytest.fixture
def admin_token(world, admin_user) -> str:
    reporting.report_compute(report_id=world.report.pk)
    client = token_client(admin_user)
    return client._credentials["HTTP_AUTHORIZATION"]


@schema.parametrize()
# The fixtures are made once per operation and shared by its examples, which is what is wanted: the
# examples run against the same world, each in the test's one transaction.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_never_fails_and_answers_as_documented(case, admin_token):
    response = case.call(headers={"Authorization": admin_token})
    case.validate_response(response, checks=CHECKS)
