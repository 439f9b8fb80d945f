"""Matching ready land and projects: every rule at its boundary, in both directions, and the API."""

from decimal import Decimal

import pytest

from projects.models import Project
from projects.selectors import land_matches
from tests.factories import UnitFactory, UserFactory

from .conftest import lead, published_parcel


@pytest.fixture
def parcel(unit, industries):
    # 100 亩, threshold 300 万元/亩, for new materials.
    return published_parcel(unit, industries=[industries["new_materials"]])


def verdict(parcel, project, user):
    [match] = [m for m in land_matches(user=user, parcel=parcel) if m.project.pk == project.pk]
    return match


def rule(match, name):
    return next(r for r in match.rules if r.rule == name)


def test_a_project_at_every_threshold_fits(parcel, unit, industries, staff_user):
    # Exactly 100 亩 needed, exactly 300 万元/亩 (30,000 ÷ 100): both boundaries are inclusive.
    project = lead(unit, industry=industries["new_materials"], need="100", investment="30000")
    match = verdict(parcel, project, staff_user)
    assert match.fits
    assert rule(match, "area").text == "地块 100 亩，满足用地 100 亩"
    assert rule(match, "intensity").text == "投资强度 300 万元/亩，达到门槛 300 万元/亩"
    assert rule(match, "industry").text == "产业“新材料”在地块适合产业内"


def test_just_below_the_intensity_threshold_misses_by_how_much(parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["new_materials"], need="100", investment="29999")
    match = verdict(parcel, project, staff_user)
    assert not match.fits
    assert [r.rule for r in match.misses] == ["intensity"]
    assert rule(match, "intensity").text == "投资强度 299.99 万元/亩，比门槛 300 万元/亩低 0.01 万元/亩"


def test_a_land_need_over_the_area_misses_by_how_much(parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["new_materials"], need="100.01", investment="90000")
    match = verdict(parcel, project, staff_user)
    assert [r.rule for r in match.misses] == ["area"]
    assert rule(match, "area").text == "地块 100 亩，比用地 100.01 亩少 0.01 亩"


def test_an_industry_the_parcel_does_not_allow_misses(parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["paper"], need="50", investment="50000", parcel=parcel)
    match = verdict(parcel, project, staff_user)  # listed because it enquired about this parcel
    assert [r.rule for r in match.misses] == ["industry"]
    assert "不在地块适合产业（新材料）内" in rule(match, "industry").text


def test_other_industries_are_not_candidates_unless_they_enquired(parcel, unit, industries, staff_user):
    lead(unit, industry=industries["paper"], need="50", investment="50000")
    assert land_matches(user=staff_user, parcel=parcel) == []


def test_no_land_need_cannot_be_judged(parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["new_materials"], need="0", investment="50000")
    project.land_area_mu = None
    project.save()
    match = verdict(parcel, project, staff_user)
    assert {r.rule for r in match.misses} == {"area", "intensity"}


def test_a_parcel_without_industries_or_threshold_allows_any(unit, industries, staff_user):
    parcel = published_parcel(unit, min_investment_intensity=None)
    project = lead(unit, industry=industries["paper"], need="10", investment="1")
    match = verdict(parcel, project, staff_user)
    assert match.fits
    assert rule(match, "industry").text == "地块不限产业"
    assert rule(match, "intensity").text == "地块无投资强度门槛"


def test_only_leads_and_negotiations_holding_no_land_are_candidates(parcel, unit, industries, staff_user):
    good = dict(industry=industries["new_materials"], need="50", investment="50000")
    negotiating = lead(unit, stage=Project.Stage.NEGOTIATING, **good)
    lead(unit, signed=True, **good)
    lead(unit, stage=Project.Stage.DROPPED, dropped_on="2011-05-01", **good)
    other_parcel = published_parcel(unit, code="other")
    lead(unit, parcel=other_parcel, **good)  # enquired about other land
    assert [m.project.pk for m in land_matches(user=staff_user, parcel=parcel)] == [negotiating.pk]


def test_fitting_matches_come_first(parcel, unit, industries, staff_user):
    missing = lead(unit, industry=industries["new_materials"], need="50", investment="100")
    fitting = lead(unit, industry=industries["new_materials"], need="50", investment="15000")
    matches = land_matches(user=staff_user, parcel=parcel)
    assert [m.project.pk for m in matches] == [fitting.pk, missing.pk]


def test_the_other_direction_lists_available_land_with_the_same_verdicts(parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["new_materials"], need="80", investment="24000")
    small = published_parcel(unit, code="small", area_mu=Decimal("79.99"), industries=[industries["new_materials"]])
    published_parcel(unit, code="taken-land", status="available")  # no industries: allows any
    matches = land_matches(user=staff_user, project=project)
    by_code = {m.parcel.code: m for m in matches}
    assert by_code[parcel.code].fits
    assert [r.rule for r in by_code[small.code].misses] == ["area"]
    assert matches[-1].parcel.code == small.code  # the one that misses comes last


def test_confidential_projects_of_another_unit_are_not_matched(parcel, unit, industries):
    other_unit = UnitFactory()
    lead(other_unit, industry=industries["new_materials"], need="50", investment="50000", confidential=True)
    outsider = UserFactory(role="staff", unit=UnitFactory())
    assert land_matches(user=outsider, parcel=parcel) == []


def test_one_of_parcel_or_project(parcel, staff_user):
    with pytest.raises(TypeError):
        land_matches(user=staff_user)


# --- API --------------------------------------------------------------------------------------------


def test_the_parcel_matches_endpoint(client, parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["new_materials"], need="100", investment="29999")
    client.force_login(staff_user)
    response = client.get(f"/api/v1/parcels/{parcel.pk}/matches/")
    assert response.status_code == 200
    [body] = response.json()
    assert body["project"] == {"id": project.pk, "name": project.name, "stage": "lead"}
    assert body["fits"] is False
    assert {
        "rule": "intensity",
        "ok": False,
        "text": "投资强度 299.99 万元/亩，比门槛 300 万元/亩低 0.01 万元/亩",
    } in body["rules"]


def test_the_project_parcels_endpoint(client, parcel, unit, industries, staff_user):
    project = lead(unit, industry=industries["new_materials"], need="100", investment="30000")
    client.force_login(staff_user)
    response = client.get(f"/api/v1/projects/{project.pk}/parcels/")
    assert response.status_code == 200
    assert [(m["parcel"]["code"], m["fits"]) for m in response.json()] == [(parcel.code, True)]


def test_matches_are_not_public(client, parcel):
    assert client.get(f"/api/v1/parcels/{parcel.pk}/matches/").status_code == 401


def test_a_hidden_project_has_no_parcels_endpoint(client, parcel, industries):
    hidden = lead(UnitFactory(), industry=industries["new_materials"], need="1", investment="1", confidential=True)
    client.force_login(UserFactory(role="staff", unit=UnitFactory()))
    assert client.get(f"/api/v1/projects/{hidden.pk}/parcels/").status_code == 404
