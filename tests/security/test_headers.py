"""Content-Security-Policy and Permissions-Policy on every kind of page (issue 12 item 2): the app's
own pages, the sign-in page, the admin and the API docs. No page runs an inline script: the policy
allows scripts from the app itself only, and the pages carry none."""

import re

import pytest
from django.urls import reverse

from tests.factories import ProjectFactory

PAGES = ["/", "/accounts/login/", "/admin/", "/admin/login/", "/api/docs/", "/api/docs/?script=", "/api/schema/"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_page_carries_both_policies(path, who, client, admin_user):
    if who == "admin":
        client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code in (200, 302), response.status_code

    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["form-action"] == ["'self'"] and directives["base-uri"] == ["'self'"]
    features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/admin/", "/admin/projects/project/", "/admin/projects/project/add/", "/api/docs/"],
)
def test_no_page_carries_an_inline_script(path, signed_in):
    ProjectFactory()
    response = signed_in.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" in html or path in ("/", "/accounts/login/")
    assert INLINE_SCRIPT.findall(html) == []
    assert " onclick=" not in html and " onload=" not in html and "javascript:" not in html


def test_the_api_docs_start_swagger_ui_from_a_script_file(client):
    page = client.get(reverse("api-docs")).content.decode()
    assert '<script src="/api/docs/?script="></script>' in page

    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle(" in script.content.decode()
    assert reverse("api-schema") in script.content.decode()


def test_the_api_docs_keep_the_strict_script_policy_and_deny_framing(client):
    response = client.get(reverse("api-docs"))
    assert "'unsafe-inline'" not in policy(response)["script-src"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def behind_a_tls_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_plain_http_is_redirected_to_https_but_the_health_probe_is_answered(behind_a_tls_proxy, client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)  # its own answer, not a redirect
