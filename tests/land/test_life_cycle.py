"""A parcel's life: 可供地 → 已意向 (one project) → 已出让 when it signs; releases with a reason; every
move audited; the refusals; the staff's page and the API actions with their roles."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import ConflictError
from projects.models import Parcel, Project
from projects.services import parcel_release, parcel_reserve, project_delete, project_save
from tests.factories import ProjectFactory, UnitFactory, UserFactory

from .conftest import SQUARE, published_parcel


@pytest.fixture
def parcel(unit):
    return published_parcel(unit, code="kc-1")


@pytest.fixture
def project(unit):
    return ProjectFactory(unit=unit, stage=Project.Stage.NEGOTIATING)


def sign(project: Project, actor=None) -> Project:
    return project_save(
        actor=actor, project=project, stage="signed", signed_on=datetime.date(2011, 8, 1), signed_amount=Decimal(100)
    )


def test_reserve_then_sign_sells_the_land(parcel, project, staff_user):
    parcel = parcel_reserve(actor=staff_user, parcel=parcel, project=project)
    project.refresh_from_db()
    assert (parcel.status, parcel.project, project.parcel) == ("reserved", project, parcel)
    assert parcel.reserved_on is not None
    sign(project, actor=staff_user)
    parcel.refresh_from_db()
    assert parcel.status == "taken"
    assert parcel.taken_on >= parcel.reserved_on
    statuses = list(parcel.history.order_by("history_date").values_list("status", "history_user"))
    assert statuses[-2:] == [("reserved", staff_user.pk), ("taken", staff_user.pk)]


def test_only_available_land_can_be_reserved(parcel, project, unit):
    parcel_reserve(actor=None, parcel=parcel, project=project)
    second = ProjectFactory(unit=unit)
    with pytest.raises(ConflictError, match="只有可供地才能意向"):
        parcel_reserve(actor=None, parcel=parcel, project=second)
    parcel.refresh_from_db()
    assert parcel.project == project
    second.refresh_from_db()
    assert second.parcel is None


def test_one_parcel_per_project(parcel, project, unit):
    parcel_reserve(actor=None, parcel=parcel, project=project)
    other = published_parcel(unit, code="kc-2")
    with pytest.raises(ConflictError, match="一个项目只能意向一块地"):
        parcel_reserve(actor=None, parcel=other, project=project)
    other.refresh_from_db()
    assert other.status == "available"


def test_a_dropped_project_cannot_reserve(parcel, unit):
    dropped = ProjectFactory(unit=unit, stage="dropped", dropped_on=datetime.date(2011, 5, 1))
    with pytest.raises(ConflictError, match="已终止"):
        parcel_reserve(actor=None, parcel=parcel, project=dropped)


def test_a_signed_project_takes_the_land_at_once(parcel, unit):
    signed = ProjectFactory(unit=unit, signed=True)
    assert parcel_reserve(actor=None, parcel=parcel, project=signed).status == "taken"


def test_release_records_the_reason(parcel, project, staff_user):
    parcel_reserve(actor=staff_user, parcel=parcel, project=project)
    parcel = parcel_release(actor=staff_user, parcel=parcel, reason="企业融资未到位")
    project.refresh_from_db()
    assert (parcel.status, parcel.project, parcel.reserved_on, project.parcel) == ("available", None, None, None)
    record = parcel.history.latest("history_date")
    assert record.history_change_reason == "释放：企业融资未到位"
    assert record.history_user == staff_user


def test_release_needs_a_reason_and_reserved_land(parcel, project):
    with pytest.raises(ConflictError, match="只有已意向的地块才能释放"):
        parcel_release(actor=None, parcel=parcel, reason="原因")
    parcel_reserve(actor=None, parcel=parcel, project=project)
    with pytest.raises(ValidationError):
        parcel_release(actor=None, parcel=parcel, reason="  ")
    sign(project)
    with pytest.raises(ConflictError):
        parcel_release(actor=None, parcel=parcel, reason="已出让的地不能释放")
    parcel.refresh_from_db()
    assert parcel.status == "taken"


def test_dropping_the_project_releases_its_land(parcel, project):
    parcel_reserve(actor=None, parcel=parcel, project=project)
    project.refresh_from_db()
    project_save(actor=None, project=project, stage="dropped", dropped_on=datetime.date(2011, 9, 1))
    parcel.refresh_from_db()
    assert (parcel.status, parcel.project) == ("available", None)


def test_a_project_holding_land_cannot_be_deleted(parcel, project):
    parcel_reserve(actor=None, parcel=parcel, project=project)
    with pytest.raises(ConflictError, match="请先释放地块"):
        project_delete(actor=None, project=project)
    assert Project.objects.filter(pk=project.pk).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "reserved"},  # no project
        {"status": "taken", "reserved_on": datetime.date(2011, 1, 1)},  # no project, no sale date
    ],
)
def test_the_model_refuses_a_status_set_by_hand(parcel, fields):
    for name, value in fields.items():
        setattr(parcel, name, value)
    with pytest.raises(ValidationError):
        parcel.full_clean()


def test_boundary_geojson_is_validated(parcel):
    parcel.boundary = SQUARE
    parcel.full_clean()
    for bad in (
        {"type": "Point", "coordinates": [118.8, 28.9]},
        {"type": "Polygon", "coordinates": [[[118.8, 28.9], [118.9, 28.9], [118.8, 28.9]]]},  # too few points
        {"type": "Polygon", "coordinates": [[[118.8, 28.9], [118.9, 28.9], [118.9, 29.0], [118.85, 29.0]]]},  # open
        {"type": "Polygon", "coordinates": [[[218.8, 28.9], [118.9, 28.9], [118.9, 29.0], [218.8, 28.9]]]},
        "not json at all",
    ):
        parcel.boundary = bad
        with pytest.raises(ValidationError) as error:
            parcel.full_clean()
        assert "boundary" in error.value.message_dict


# --- The staff's page ---------------------------------------------------------------------------


def test_staff_reserve_and_release_on_the_page(client, parcel, project, staff_user):
    client.force_login(staff_user)
    page = client.get("/land/kc-1/manage/").content.decode()
    assert "意向项目" in page and project.name in page
    response = client.post("/land/kc-1/reserve/", {"project": project.pk})
    assert response.status_code == 302
    parcel.refresh_from_db()
    assert parcel.status == "reserved"
    refused = client.post("/land/kc-1/release/", {"reason": ""})
    assert refused.status_code == 400 and "请填写释放原因。" in refused.content.decode()
    assert client.post("/land/kc-1/release/", {"reason": "企业改投他处"}).status_code == 302
    parcel.refresh_from_db()
    assert parcel.status == "available"
    assert "企业改投他处" in client.get("/land/kc-1/manage/").content.decode()


def test_another_units_staff_and_a_leader_may_not_reserve(client, parcel, project):
    for user in (UserFactory(role="staff", unit=UnitFactory()), UserFactory(role="leader")):
        client.force_login(user)
        assert client.post("/land/kc-1/reserve/", {"project": project.pk}).status_code == 403
    parcel.refresh_from_db()
    assert parcel.status == "available"


def test_the_staff_page_needs_sign_in(client, parcel):
    response = client.get("/land/kc-1/manage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_project_page_lists_suitable_land(client, unit, industries, staff_user):
    parcel = published_parcel(unit, code="kc-fit", name="合适的地块", industries=[industries["paper"]])
    project = ProjectFactory(
        unit=unit, industry=industries["paper"], land_area_mu=Decimal(50), total_investment=Decimal(20000)
    )
    client.force_login(staff_user)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "适合地块" in page and parcel.name in page and "投资强度 400 万元/亩，达到门槛 300 万元/亩" in page


# --- The API actions ---------------------------------------------------------------------------------


def test_api_reserve_and_release(client, parcel, project, staff_user):
    client.force_login(staff_user)
    response = client.post(
        f"/api/v1/parcels/{parcel.pk}/reserve/", {"project": project.pk}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "reserved"
    again = client.post(
        f"/api/v1/parcels/{parcel.pk}/reserve/", {"project": project.pk}, content_type="application/json"
    )
    assert again.status_code == 409
    bad = client.post(f"/api/v1/parcels/{parcel.pk}/release/", {}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()
    done = client.post(f"/api/v1/parcels/{parcel.pk}/release/", {"reason": "改期"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "available"


def test_api_reserve_refused_to_other_units_and_anonymous(client, parcel, project):
    url = f"/api/v1/parcels/{parcel.pk}/reserve/"
    assert client.post(url, {"project": project.pk}, content_type="application/json").status_code == 401
    client.force_login(UserFactory(role="staff", unit=UnitFactory()))
    assert client.post(url, {"project": project.pk}, content_type="application/json").status_code == 403
    client.force_login(UserFactory(role="leader"))
    assert client.post(url, {"project": project.pk}, content_type="application/json").status_code == 403
    parcel.refresh_from_db()
    assert parcel.status == "available"


def test_the_status_is_not_writable_through_the_api(client, parcel, staff_user):
    client.force_login(staff_user)
    client.patch(f"/api/v1/parcels/{parcel.pk}/", {"status": "taken"}, content_type="application/json")
    parcel.refresh_from_db()
    assert parcel.status == "available"


def test_the_public_api_hides_the_project(client, parcel, project):
    parcel_reserve(actor=None, parcel=parcel, project=project)
    body = client.get(f"/api/v1/parcels/{parcel.pk}/").json()
    assert body["status"] == "reserved" and "project" not in body
    assert Parcel.objects.get(pk=parcel.pk).project == project
