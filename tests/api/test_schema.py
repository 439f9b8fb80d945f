"""OpenAPI 3 at /api/schema/ without warnings, and Swagger UI at /api/docs/ served by the app itself so
that it works on an intranet without internet access (issue 4 item 5; CONVENTIONS rule 8). The schema
is the contract (issue 12 item 5): every operation lists its error answers with their bodies, the
parameters carry the bounds the API checks, and public operations say that they need no credentials."""

import json
import re
from urllib.parse import urlparse

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

ID_RANGE = {"minimum": 1, "maximum": 2**63 - 1}

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
    "/api/v1/projects/removed/": {"get"},
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
    "/api/v1/unit-groups/": {"get", "post"},
    "/api/v1/unit-groups/{code}/": {"get", "patch", "delete"},
    "/api/v1/reports/": {"get", "post"},
    "/api/v1/reports/{id}/": {"get"},
    "/api/v1/reports/{id}/publish/": {"post"},
    "/api/v1/reports/{id}/preview/": {"get"},
    "/api/v1/parcels/": {"get", "post"},
    "/api/v1/parcels/{id}/": {"get", "patch"},
    "/api/v1/parcels/{id}/matches/": {"get"},
    "/api/v1/parcels/{id}/reserve/": {"post"},
    "/api/v1/parcels/{id}/release/": {"post"},
    "/api/v1/projects/{id}/parcels/": {"get"},
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
    assert successes(paths["/api/v1/reports/"]["post"]) == {"202"}
    assert "requestBody" not in paths["/api/v1/reports/{id}/publish/"]["post"]
    export = paths["/api/v1/projects/export/"]["get"]
    assert {p["name"] for p in export["parameters"]} >= {"stage", "unit", "signed_from", "q", "ordering", "format"}
    assert set(export["responses"]["200"]["content"]) == {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/x-ndjson",
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
        if asset == docs_script_url():
            continue  # Swagger UI's start-up script, served by the docs view itself (no inline script under the CSP)
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file of the app"


def docs_script_url() -> str:
    return reverse("api-docs") + "?script="


def test_docs_page_does_not_call_the_online_validator(client):
    assert docs_script_url() in client.get(reverse("api-docs")).content.decode()
    script = client.get(docs_script_url()).content.decode()
    assert re.search(r'"validatorUrl":\s*null', script)


def served_schema(client) -> dict:
    return json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method != "parameters":
                yield path, method.upper(), operation


def successes(operation: dict) -> set[str]:
    return {code for code in operation["responses"] if code.startswith("2")}


def test_every_operation_documents_its_error_answers(client):
    schema = served_schema(client)
    public_reads = {("/api/v1/parcels/", "GET"), ("/api/v1/parcels/{id}/", "GET")}
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        expected = {"400", "401", "429"}
        if (path, method) not in public_reads:
            expected.add("403")
        # removed/ answers one list of ids, not pages: it has nothing to be "not found".
        if "{" in path or (method == "GET" and not path.endswith(("/export/", "/removed/"))):
            expected.add("404")  # no such object; a page past the last
        if path.endswith("/export/"):
            expected.add("404")  # a format that does not exist
        if method in {"POST", "PATCH", "DELETE"} and path != "/api/v1/auth/token/":
            expected.add("409")
        if method in {"POST", "PATCH"}:
            expected.add("413")
        if path.endswith("/removed/"):
            expected.add("410")  # a `since` before the kept log or the caller's own scope change: a full pull
        assert codes - successes(operation) == expected, (method, path, sorted(codes))
        for code in expected:
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            refs = [body["$ref"]] if "$ref" in body else [choice["$ref"] for choice in body["anyOf"]]
            if code in {"400", "409"}:
                assert refs == ["#/components/schemas/ValidationError", "#/components/schemas/ErrorDetail"], body
            else:
                assert refs == ["#/components/schemas/ErrorDetail"], (code, body)
        if "429" in operation["responses"]:
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_error_bodies_are_described(client):
    components = served_schema(client)["components"]["schemas"]
    assert components["ErrorDetail"]["required"] == ["detail"]
    assert components["ErrorDetail"]["properties"]["detail"]["type"] == "string"
    messages = components["ValidationError"]["additionalProperties"]["oneOf"][0]
    assert messages == {"type": "array", "items": {"type": "string"}}


def test_parameters_carry_their_bounds(client):
    paths = served_schema(client)["paths"]
    projects = {p["name"]: p for p in paths["/api/v1/projects/"]["get"]["parameters"]}
    assert projects["page"]["schema"]["minimum"] == 1 and "maximum" not in projects["page"]["schema"]
    assert (projects["page_size"]["schema"]["minimum"], projects["page_size"]["schema"]["maximum"]) == (1, 200)
    for name in ("chamber", "event"):
        assert ID_RANGE.items() <= projects[name]["schema"].items(), projects[name]
    assert projects["signed_from"]["schema"]["format"] == "date"
    assert "signed" in projects["stage"]["schema"]["items"]["enum"]
    assert "-signed_on" in projects["ordering"]["schema"]["items"]["enum"]
    # An empty filter means "any", as the staff pages' filter forms send it.
    assert all(p.get("allowEmptyValue") for name, p in projects.items() if name not in ("stage", "ordering"))
    deliveries = {p["name"]: p for p in paths["/api/v1/deliveries/"]["get"]["parameters"]}
    assert ID_RANGE.items() <= deliveries["project"]["schema"].items()
    targets = {p["name"]: p for p in paths["/api/v1/targets/"]["get"]["parameters"]}
    assert (targets["year"]["schema"]["minimum"], targets["year"]["schema"]["maximum"]) == (2000, 2100)
    detail = {p["name"]: p for p in paths["/api/v1/projects/{id}/"]["get"]["parameters"]}
    assert ID_RANGE.items() <= detail["id"]["schema"].items()


def test_request_bodies_are_json_with_no_unknown_fields(client):
    schema = served_schema(client)
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert set(operation["requestBody"]["content"]) == {"application/json"}, (method, path)
    request = schema["components"]["schemas"]["ProjectRequest"]
    assert request["additionalProperties"] is False
    assert "id" not in request["properties"] and "delivered_total" not in request["properties"]
    assert ID_RANGE.items() <= request["properties"]["chamber"].items()


def test_public_operations_declare_that_they_need_no_credentials(client):
    paths = served_schema(client)["paths"]
    for path in ("/api/v1/parcels/", "/api/v1/parcels/{id}/"):
        assert {} in paths[path]["get"]["security"], path  # anyone; signed in, a unit sees its drafts too
        assert {"tokenAuth": []} in paths[path]["get"]["security"]
    assert {} not in paths["/api/v1/parcels/"]["post"]["security"]
    assert {} in paths["/api/v1/auth/token/"]["post"]["security"]
    assert {} not in paths["/api/v1/projects/"]["get"]["security"]


def test_anonymous_callers_get_what_the_public_operations_promise(client, world):
    listed = client.get("/api/v1/parcels/")
    assert listed.status_code == 200
    assert [row["code"] for row in listed.json()["results"]] == [world.parcel.code]  # published only
    assert client.get(f"/api/v1/parcels/{world.draft_parcel.pk}/").status_code == 404  # as if missing
    assert client.get("/api/v1/projects/").status_code == 401


@pytest.mark.parametrize(
    "params, field",
    [({"page": "0"}, "page"), ({"page": "-1"}, "page"), ({"page": "abc"}, "page"), ({"page": "last"}, "page"),
     ({"page_size": "0"}, "page_size"), ({"page_size": "201"}, "page_size"), ({"page_size": "x"}, "page_size")],
)  # fmt: skip
def test_page_parameters_outside_their_bounds_are_400_naming_them(params, field, api_as, world):
    response = api_as("admin").get("/api/v1/projects/", params)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_page_parameters_within_their_bounds_are_served(api_as, world):
    admin = api_as("admin")
    page = admin.get("/api/v1/projects/", {"page_size": "200", "page": "1"})
    assert page.status_code == 200 and page.json()["count"] == 5
    assert len(admin.get("/api/v1/projects/", {"page_size": "2", "page": "3"}).json()["results"]) == 1
    assert admin.get("/api/v1/projects/", {"page": "", "page_size": ""}).json()["count"] == 5  # empty: default
    past = admin.get("/api/v1/projects/", {"page_size": "2", "page": "4"})
    assert past.status_code == 404 and "detail" in past.json()


def test_an_api_url_that_no_route_matches_is_a_json_404(api_as, client):
    for url in ("/api/v1/projects/1.5/", "/api/v1/nothing/", "/api/v2/"):
        response = api_as("admin").get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json" and "detail" in response.json(), url
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")
