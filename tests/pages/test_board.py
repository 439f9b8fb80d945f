"""The 看板 /board/: a unit's projects in columns by stage; a move only through the stage's form."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _columns(response) -> dict:
    return {column["stage"]: column for column in response.context["columns"]}


def _names(column) -> list[str]:
    return sorted(card.name for card in column["cards"])


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/board/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_api_reader_gets_the_403_page(client):
    client.force_login(UserFactory(role="api_reader"))
    assert client.get("/board/").status_code == 403


def test_staff_see_their_own_unit_in_columns_with_every_stage(client, staff_user, unit):
    other = UnitFactory(code="jiangshan", name="江山市")
    ProjectFactory(name="线索甲", unit=unit, investor="甲公司", owner=staff_user)
    ProjectFactory(name="签约乙", unit=unit, signed=True)
    ProjectFactory(name="保密丙", unit=unit, confidential=True)
    ProjectFactory(name="别处丁", unit=other)
    client.force_login(staff_user)

    response = client.get("/board/?unit=jiangshan")  # staff cannot pick another unit

    assert response.status_code == 200
    assert response.context["unit"] == unit
    columns = _columns(response)
    assert list(columns) == ["lead", "negotiating", "signed", "started", "producing", "dropped"]
    assert [c["label"] for c in response.context["columns"]] == ["线索", "洽谈", "签约", "开工", "投产", "终止"]
    assert _names(columns["lead"]) == ["保密丙", "线索甲"]
    assert _names(columns["signed"]) == ["签约乙"]
    body = response.content.decode()
    assert "别处丁" not in body
    assert "甲公司" in body and "协议引资额 5,000.00 万元" in body
    assert "暂无项目" in body
    assert 'name="unit"' not in body  # no unit picker for staff


def test_each_card_links_to_its_allowed_moves_stage_forms(client, staff_user, unit):
    lead = ProjectFactory(unit=unit)
    signed = ProjectFactory(unit=unit, signed=True)
    producing = ProjectFactory(unit=unit, signed=True)
    Project.objects.filter(pk=producing.pk).update(
        stage="producing", started_on="2011-04-01", producing_on="2011-05-01"
    )
    client.force_login(staff_user)

    response = client.get("/board/")

    cards = {card.pk: card for column in response.context["columns"] for card in column["cards"]}
    moves = {pk: [(m["stage"], m["label"]) for m in card.moves] for pk, card in cards.items()}
    assert moves[lead.pk] == [("negotiating", "移至洽谈"), ("signed", "移至签约"), ("dropped", "移至终止")]
    assert moves[signed.pk] == [("started", "移至开工"), ("dropped", "移至终止")]
    assert moves[producing.pk] == []
    url = urlsplit(cards[lead.pk].moves[1]["url"])
    assert url.path == f"/projects/{lead.pk}/stage/signed/"
    assert parse_qs(url.query) == {"next": ["/board/"]}
    body = response.content.decode()
    assert f'href="/projects/{lead.pk}/stage/signed/?next=%2Fboard%2F"' in body
    assert 'draggable="true"' in body


def test_leaders_pick_a_unit_and_read_without_moves(client, unit):
    other = UnitFactory(code="jiangshan", name="江山市")
    ProjectFactory(name="江山保密", unit=other, confidential=True)
    ProjectFactory(name="柯城线索", unit=unit)
    client.force_login(UserFactory(role="leader"))

    response = client.get("/board/?unit=jiangshan")

    assert response.context["unit"] == other
    assert response.context["can_move"] is False
    assert _names(_columns(response)["lead"]) == ["江山保密"]
    body = response.content.decode()
    assert 'name="unit"' in body and "只读" in body
    assert "/stage/" not in body and 'draggable="true"' not in body


def test_admins_pick_a_unit_and_may_move(client, unit):
    lead = ProjectFactory(unit=unit)
    client.force_login(UserFactory(role="admin"))

    response = client.get("/board/?unit=kecheng")

    assert response.context["can_move"] is True
    assert f"/projects/{lead.pk}/stage/negotiating/" in response.content.decode()


def test_a_staff_member_never_sees_another_units_confidential_projects(client, staff_user):
    ProjectFactory(name="他单位保密", unit=UnitFactory(), confidential=True)
    client.force_login(staff_user)
    assert "他单位保密" not in client.get("/board/").content.decode()


def test_the_board_never_writes(client, staff_user, unit):
    lead = ProjectFactory(unit=unit)
    client.force_login(staff_user)

    response = client.post("/board/", {"project": lead.pk, "stage": "signed"})

    assert response.status_code == 405
    lead.refresh_from_db()
    assert lead.stage == "lead"


def test_the_query_count_does_not_grow_with_the_cards(client, staff_user, unit, django_assert_num_queries):
    ProjectFactory(unit=unit, owner=staff_user)
    client.force_login(staff_user)
    client.get("/board/")
    with CaptureQueriesContext(connection) as one:
        client.get("/board/")
    for i in range(30):
        ProjectFactory(unit=unit, owner=UserFactory(role="staff", unit=unit), **({"signed": True} if i % 2 else {}))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/board/")
    assert sum(len(column["cards"]) for column in response.context["columns"]) == 31
