"""OpenAPI 3 at /api/schema/ without warnings, and Swagger UI at /api/docs/ served by the app itself so
that it works on an intranet without internet access (issue 4 item 5; CONVENTIONS rule 8)."""

import json
import re
from urllib.parse import urlparse

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/units/": {"get", "post"},
    "/api/v1/units/{code}/": {"get", "patch"},
    "/api/v1/industries/": {"get"},
    "/api/v1/industries/{code}/": {"get"},
    "/api/v1/indicators/": {"get", "post"},
    "/api/v1/indicators/{code}/": {"get", "patch"},
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{id}/": {"get", "patch", "delete"},
    "/api/v1/projects/export/": {"get"},
    "/api/v1/deliveries/": {"get", "post"},
    "/api/v1/deliveries/{id}/": {"get", "patch", "delete"},
    "/api/v1/deliveries/export/": {"get"},
    "/api/v1/activities/": {"get", "post"},
    "/api/v1/activities/{id}/": {"get"},
    "/api/v1/chambers/": {"get", "post"},
    "/api/v1/chambers/{id}/": {"get", "patch"},
    "/api/v1/contacts/": {"get", "post"},
    "/api/v1/contacts/{id}/": {"get", "patch"},
    "/api/v1/events/": {"get", "post"},
    "/api/v1/events/{id}/": {"get", "patch"},
    "/api/v1/targets/": {"get", "post"},
    "/api/v1/targets/{id}/": {"get", "patch"},
    "/api/v1/reports/": {"get", "post"},
    "/api/v1/reports/{id}/": {"get"},
    "/api/v1/reports/{id}/publish/": {"post"},
    "/api/v1/reports/{id}/preview/": {"get"},
    "/api/v1/parcels/": {"get", "post"},
    "/api/v1/parcels/{id}/": {"get", "patch"},
}


def test_spectacular_command_runs_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert schema["openapi"].startswith("3.")


def test_schema_endpoint_serves_the_contract(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items() if path.startswith("/api/v1/")}
    assert paths == CONTRACT_PATHS
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_schema_documents_what_the_endpoints_answer(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    paths = schema["paths"]
    assert set(paths["/api/v1/reports/"]["post"]["responses"]) == {"202"}
    assert "requestBody" not in paths["/api/v1/reports/{id}/publish/"]["post"]
    export = paths["/api/v1/projects/export/"]["get"]
    assert {p["name"] for p in export["parameters"]} >= {"stage", "unit", "signed_from", "q", "ordering", "format"}
    assert set(export["responses"]["200"]["content"]) == {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }  # fmt: skip
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert project["total_investment"]["type"] == "string" and project["total_investment"]["format"] == "decimal"
    assert project["unit"]["type"] == "string"
    # The city's row of a report and the city's target have no unit: the schema must allow null.
    assert schema["components"]["schemas"]["ReportRow"]["properties"]["unit"].get("nullable") is True
    assert schema["components"]["schemas"]["Target"]["properties"]["unit"].get("nullable") is True
    filters = {p["name"]: p for p in paths["/api/v1/projects/"]["get"]["parameters"]}
    assert filters["stage"]["explode"] is True  # repeatable: ?stage=signed&stage=started
    assert filters["mountain_sea"]["schema"]["type"] == "boolean"


def test_docs_page_uses_only_assets_served_by_the_app(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = [url for url in re.findall(r"""https?://[^\s"'<>)]+""", html) if urlparse(url).hostname not in (
        "testserver", "localhost", "127.0.0.1",
    )]  # fmt: skip
    assert external == []
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets, html[:500]
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file of the app"


def test_docs_page_does_not_call_the_online_validator(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert re.search(r'"validatorUrl":\s*null', html)
