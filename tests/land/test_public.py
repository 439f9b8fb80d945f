"""The public land pages: published land only, nothing confidential, one query count, cached."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Parcel
from projects.services import parcel_reserve
from tests.factories import ProjectFactory, UnitFactory, UserFactory

from .conftest import SQUARE, lead, published_parcel


@pytest.fixture
def land(unit, industries):
    """Two published parcels, one draft, and a confidential project holding one of the published."""
    open_land = published_parcel(unit, code="kc-open", name="航埠公开地块", industries=[industries["new_materials"]])
    reserved = published_parcel(unit, code="kc-reserved", name="航埠意向地块", industries=[industries["paper"]])
    draft = published_parcel(unit, code="kc-draft", name="尚未公开的地块", published=False, published_on=None)
    secret = lead(
        unit, industry=industries["paper"], need="50", investment="50000", confidential=True,
        name="保密的特种纸项目", investor="机密投资集团",
    )  # fmt: skip
    owner = UserFactory(role="staff", unit=unit, first_name="王招商")
    secret.owner = owner
    secret.save()
    parcel_reserve(actor=owner, parcel=reserved, project=secret)
    return {"open": open_land, "reserved": reserved, "draft": draft, "secret": secret, "owner": owner}


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_list_shows_published_land_only_and_no_names(client, land):
    response = client.get("/land/")
    assert response.status_code == 200
    html = response.content.decode()
    for parcel in Parcel.objects.all():
        assert (parcel.name in html) == parcel.published
        assert (parcel.code in html) == parcel.published
    for secret in ("保密的特种纸项目", "机密投资集团", "王招商", land["owner"].username):
        assert secret not in html
    assert "已意向" in visible_text(html)


def test_the_listed_parcels_are_exactly_the_published_set(client, land):
    html = client.get("/land/").content.decode()
    linked = set(re.findall(r'href="/land/([\w-]+)/"', html))
    assert linked == set(Parcel.objects.filter(published=True).values_list("code", flat=True))


def test_a_draft_parcel_page_is_not_found(client, land):
    assert client.get("/land/kc-draft/").status_code == 404
    assert client.get("/en/land/kc-draft/").status_code == 404


def test_the_parcel_page_has_its_facts_and_no_project(client, land):
    response = client.get("/land/kc-reserved/")
    html = response.content.decode()
    assert response.status_code == 200
    for fact in (
        "航埠意向地块",
        "柯城区航埠镇",
        "100",
        "特种纸",
        "限新材料项目",
        "300",
        "2011-06-01",
        "柯城区",
        "已意向",
    ):
        assert fact in html
    for secret in ("保密的特种纸项目", "机密投资集团", "王招商"):
        assert secret not in html
    assert "投资意向登记" in html


@pytest.mark.parametrize("url", ["/land/", "/land/?available=true&industry=new_materials&min_area=10&max_area=500"])
def test_the_query_count_does_not_grow_with_the_parcels(client, unit, industries, url):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page": 1}).status_code == 200
        return len(queries)

    published_parcel(unit, code="first", industries=[industries["new_materials"]], boundary=SQUARE)
    few = count()
    for n in range(12):
        published_parcel(UnitFactory(), code=f"more-{n}", industries=[industries["new_materials"]], boundary=SQUARE)
    assert count() == few


def test_filters(client, unit, industries):
    published_parcel(unit, code="big", area_mu=Decimal("500"), industries=[industries["paper"]])
    published_parcel(unit, code="small", area_mu=Decimal("20"), min_investment_intensity=Decimal("150"))
    sold_out = published_parcel(unit, code="sold-out", area_mu=Decimal("60"), min_investment_intensity=None)
    parcel_reserve(actor=None, parcel=sold_out, project=ProjectFactory(unit=unit, signed=True))

    def codes(**query) -> set[str]:
        html = client.get("/land/", query).content.decode()
        return set(re.findall(r'href="/land/([\w-]+)/"', html))

    assert codes(industry="paper") == {"big"}
    assert codes(min_area="60") == {"big", "sold-out"}
    assert codes(max_area="60") == {"small", "sold-out"}
    assert codes(max_intensity="200") == {"small", "sold-out"}
    assert codes(available="true") == {"big", "small"}
    assert codes(unit=unit.code) == {"big", "small", "sold-out"}


def test_a_bad_filter_is_a_400_with_the_reason(client, land):
    response = client.get("/land/", {"min_area": "lots"})
    assert response.status_code == 400
    assert "请输入数字。" in response.content.decode()


def test_the_cached_list_follows_a_status_change(client, land, unit):
    assert "可供地" in client.get("/land/", {"available": "true"}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/land/", {"available": "true"})
    assert len(queries) == 1  # the stamp only: the page came from the cache
    assert "kc-open" in again.content.decode()
    project = ProjectFactory(unit=unit)
    parcel_reserve(actor=None, parcel=land["open"], project=project)
    assert "kc-open" not in client.get("/land/", {"available": "true"}).content.decode()


def test_the_cached_page_carries_no_csrf_token(client, land):
    html = client.get("/land/").content.decode()
    assert '"X-CSRFToken": ""' in html
    assert "csrftoken" not in client.cookies


def test_the_english_version(client, land):
    response = client.get("/en/land/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Ready land" in html and "Available only" in html and "Reserved" in html
    assert "熟地信息公开" not in html
    assert 'href="/en/land/kc-open/"' in html
    assert 'href="/land/"' in html  # the switch back to Chinese
    detail = client.get("/en/land/kc-open/").content.decode()
    assert "Register your investment interest" in detail
    assert "Company name" in detail


def test_the_map_data_is_served_as_json_for_the_script(client, unit, industries):
    published_parcel(unit, code="drawn", boundary=SQUARE)
    html = client.get("/land/").content.decode()
    assert 'id="land-map-data"' in html and "land-map.js" in html and "echarts.min.js" in html
    assert "<script>" not in html  # nothing inline


def test_without_geojson_the_page_is_a_list(client, land):
    html = client.get("/land/").content.decode()
    assert "land-map-data" not in html and "echarts" not in html
    assert "kc-open" in html
