"""The project page (/projects/<pk>/) and its forms: stage actions, deliveries, activities.

Each role as the page sees it, each form's success and errors (in Chinese, beside their field, with
what was typed kept), refused writes that write nothing, the audit history, and a query count that
does not grow with the rows shown."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import Activity, CapitalDelivery, Project
from tests.factories import (
    ActivityFactory,
    CapitalDeliveryFactory,
    ChamberFactory,
    ContactFactory,
    EventFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(unit):
    return UserFactory(username="zhangwei", first_name="张伟", role="staff", unit=unit)


@pytest.fixture
def colleague(db):
    return UserFactory(role="staff", unit=UnitFactory(code="qujiang", name="衢江区"))


@pytest.fixture
def lead(unit, staff):
    return ProjectFactory(name="华友钴业电池材料项目", investor="浙江华友钴业股份有限公司", unit=unit, owner=staff)


@pytest.fixture
def signed(unit, staff, yesterday):
    return ProjectFactory(
        name="巨化新材料项目", unit=unit, owner=staff, signed=True, signed_on=yesterday - datetime.timedelta(days=30)
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def stage_url(project, stage):
    return f"/projects/{project.pk}/stage/{stage}/"


# --- Reading the page -----------------------------------------------------------------------------


def test_staff_of_the_unit_sees_the_summary_and_every_allowed_action(client, staff, lead):
    chamber, event = ChamberFactory(name="上海浙江商会"), EventFactory(name="天下浙商家乡行")
    contact = ContactFactory(name="王明", organization="上海浙江商会")
    services.project_save(
        actor=staff, project=lead, channel="chamber", chamber=chamber, event=event, introduced_by=contact
    )

    body = signed_in(client, staff).get(f"/projects/{lead.pk}/").content.decode()

    for text in ("华友钴业电池材料项目", "柯城区", "浙江华友钴业股份有限公司", "资金来源", "市外省内", "工业项目"):
        assert text in body
    for text in ("商会", "上海浙江商会", "天下浙商家乡行", "王明", "引进渠道"):
        assert text in body
    for words in ("转入洽谈", "签约", "终止", "登记到位资金", "添加跟进记录"):
        assert f">{words}</button>" in body
    assert ">开工</button>" not in body  # a lead is not started from the page
    for step in ("线索", "洽谈", "签约", "开工", "投产"):
        assert f'<span class="step-label">{step}</span>' in body
    assert 'class="step step-current" aria-current="step">\n        <span class="step-label">线索' in body


@pytest.mark.parametrize("who", ["leader", "colleague"])
def test_a_leader_and_another_units_staff_read_the_page_without_any_action(client, who, leader_user, colleague, lead):
    user = {"leader": leader_user, "colleague": colleague}[who]

    response = signed_in(client, user).get(f"/projects/{lead.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "华友钴业电池材料项目" in body
    assert "<button" not in body.split("<main>")[1]
    assert "登记到位资金" not in body and "添加跟进记录" not in body


def test_a_confidential_project_is_hidden_from_another_unit_and_shown_to_its_own_and_leaders(
    client, staff, colleague, leader_user, unit
):
    secret = ProjectFactory(name="保密的项目", unit=unit, confidential=True)

    assert signed_in(client, colleague).get(f"/projects/{secret.pk}/").status_code == 404
    assert signed_in(client, colleague).get(stage_url(secret, "signed")).status_code == 404
    assert "保密的项目" in signed_in(client, staff).get(f"/projects/{secret.pk}/").content.decode()
    assert "保密的项目" in signed_in(client, leader_user).get(f"/projects/{secret.pk}/").content.decode()


def test_an_api_reader_gets_the_403_page_and_an_anonymous_visitor_the_sign_in(client, lead):
    reader = UserFactory(role="api_reader", unit=None)

    anonymous = client.get(f"/projects/{lead.pk}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    response = signed_in(client, reader).get(f"/projects/{lead.pk}/")
    assert response.status_code == 403
    assert "接口只读账号" in response.content.decode()


def test_an_unknown_project_is_a_404(client, staff):
    assert signed_in(client, staff).get("/projects/999999/").status_code == 404


# --- Stage actions --------------------------------------------------------------------------------


def test_the_sign_form_opens_with_its_fields_labelled(client, staff, lead):
    body = signed_in(client, staff).get(stage_url(lead, "signed")).content.decode()

    assert '<label for="id_signed_on">签约日期<span class="required-mark"' in body
    assert '<label for="id_signed_amount">协议引资额（万元）<span class="required-mark"' in body
    assert 'type="date"' in body and 'inputmode="decimal"' in body
    assert '<button type="submit" class="button primary">签约</button>' in body


def test_signing_writes_the_stage_date_and_amount_and_returns_to_the_page(client, staff, lead, yesterday):
    response = signed_in(client, staff).post(
        stage_url(lead, "signed"), {"signed_on": yesterday.isoformat(), "signed_amount": "12000"}
    )

    assert response.status_code == 302 and response["Location"] == f"/projects/{lead.pk}/"
    lead.refresh_from_db()
    assert (lead.stage, lead.signed_on, lead.signed_amount) == ("signed", yesterday, Decimal("12000.00"))
    page = client.get(response["Location"]).content.decode()
    assert "已签约：华友钴业电池材料项目。" in page
    assert ">开工</button>" in page and ">转入洽谈</button>" not in page
    # signed straight from a lead: the negotiation was skipped
    assert '<li class="step step-skipped">\n        <span class="step-label">洽谈' in page


def test_a_project_entered_after_its_signing_shows_no_lead_date_after_the_signing(client, staff, signed):
    body = signed_in(client, staff).get(f"/projects/{signed.pk}/").content.decode()

    lead_step = body.split('<span class="step-label">线索</span>')[1].split("</li>")[0]
    assert '<span class="step-date">—</span>' in lead_step
    assert '<li class="step step-done">\n        <span class="step-label">洽谈' in body  # unknown, not skipped


def test_signing_without_a_date_keeps_what_was_typed_and_writes_nothing(client, staff, lead):
    response = signed_in(client, staff).post(stage_url(lead, "signed"), {"signed_on": "", "signed_amount": "8800"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写签约日期。" in body
    assert 'value="8800"' in body  # what the user typed is kept
    lead.refresh_from_db()
    assert (lead.stage, lead.signed_on, lead.signed_amount) == ("lead", None, None)


def test_signing_with_a_negative_amount_or_a_future_date_is_refused_beside_the_field(
    client, staff, lead, today, yesterday
):
    client = signed_in(client, staff)
    tomorrow = today + datetime.timedelta(days=1)

    negative = client.post(stage_url(lead, "signed"), {"signed_on": yesterday.isoformat(), "signed_amount": "-5"})
    future = client.post(stage_url(lead, "signed"), {"signed_on": tomorrow.isoformat(), "signed_amount": "5"})

    assert "协议引资额不能为负数。" in negative.content.decode()
    assert "签约日期不能晚于今天。" in future.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "lead"
    assert not lead.history.filter(stage="signed").exists()


def test_each_move_of_the_pipeline(client, staff, lead, yesterday):
    client = signed_in(client, staff)
    start = yesterday - datetime.timedelta(days=10)

    assert client.post(stage_url(lead, "negotiating")).status_code == 302
    assert client.post(stage_url(lead, "signed"), {"signed_on": start, "signed_amount": "100"}).status_code == 302
    assert client.post(stage_url(lead, "started"), {"started_on": start}).status_code == 302
    assert client.post(stage_url(lead, "producing"), {"producing_on": yesterday}).status_code == 302

    lead.refresh_from_db()
    assert (lead.stage, lead.started_on, lead.producing_on) == ("producing", start, yesterday)
    body = client.get(f"/projects/{lead.pk}/").content.decode()
    for words in ("转入洽谈", "签约", "开工", "投产", "终止"):  # nowhere to go from production
        assert f">{words}</button>" not in body
    assert ">登记到位资金</button>" in body


def test_producing_before_the_start_is_refused_with_the_models_message(client, staff, signed, yesterday):
    client = signed_in(client, staff)
    client.post(stage_url(signed, "started"), {"started_on": yesterday})

    response = client.post(stage_url(signed, "producing"), {"producing_on": yesterday - datetime.timedelta(days=3)})

    assert "投产日期不能早于开工日期。" in response.content.decode()
    signed.refresh_from_db()
    assert signed.stage == "started"


def test_dropping_asks_for_a_date_and_a_reason_and_keeps_the_reason(client, staff, lead, yesterday):
    client = signed_in(client, staff)

    empty = client.post(stage_url(lead, "dropped"), {"dropped_on": yesterday, "reason": ""})
    assert "请填写终止原因。" in empty.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "lead"

    client.post(stage_url(lead, "dropped"), {"dropped_on": yesterday, "reason": "企业战略调整，\n暂缓投资"})

    lead.refresh_from_db()
    assert (lead.stage, lead.dropped_on) == ("dropped", yesterday)
    assert lead.notes.endswith("【终止原因】企业战略调整， 暂缓投资")
    body = client.get(f"/projects/{lead.pk}/").content.decode()
    assert "终止原因：</strong>企业战略调整， 暂缓投资" in body
    assert '<li class="step step-dropped">' in body


def test_a_move_the_pipeline_does_not_allow_is_refused_and_an_unknown_stage_is_a_404(client, staff, lead, yesterday):
    client = signed_in(client, staff)

    refused = client.post(stage_url(lead, "producing"), {"producing_on": yesterday})
    unknown = client.get(stage_url(lead, "flying"))

    assert refused.status_code == 409
    assert "项目当前处于“线索”阶段，不能投产。" in refused.content.decode()
    assert unknown.status_code == 404
    in_place = client.post(stage_url(lead, "started"), {"started_on": yesterday}, headers={"HX-Request": "true"})
    assert "不能开工" in in_place.content.decode() and "刷新项目页" in in_place.content.decode()
    lead.refresh_from_db()
    assert lead.stage == "lead"


def test_a_safe_next_is_where_a_saved_move_returns_and_another_site_is_ignored(client, staff, lead, signed, yesterday):
    client = signed_in(client, staff)

    to_board = client.post(stage_url(lead, "negotiating") + "?next=/board/")
    elsewhere = client.post(stage_url(signed, "started"), {"started_on": yesterday, "next": "https://evil.example/"})

    assert to_board["Location"] == "/board/"
    assert elsewhere["Location"] == f"/projects/{signed.pk}/"
    form = client.get(stage_url(signed, "dropped") + "?next=/board/").content.decode()
    assert '<input type="hidden" name="next" value="/board/">' in form


# --- Deliveries and activities ----------------------------------------------------------------------


def test_a_delivery_before_signing_shows_the_models_error_and_writes_nothing(client, staff, lead, yesterday):
    response = signed_in(client, staff).post(
        f"/projects/{lead.pk}/deliveries/new/", {"delivered_on": yesterday, "amount": "500"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "只有签约及以后阶段的项目才能登记到位资金。" in body
    assert 'value="500"' in body
    assert not CapitalDelivery.objects.exists()


def test_deliveries_make_a_ledger_with_a_running_total_beside_the_signed_amount(client, staff, signed, yesterday):
    client = signed_in(client, staff)
    url = f"/projects/{signed.pk}/deliveries/new/"

    zero = client.post(url, {"delivered_on": yesterday, "amount": "0"})
    assert "到位金额必须大于 0。" in zero.content.decode()
    assert client.post(url, {"delivered_on": yesterday, "amount": "1000", "note": "一期"}).status_code == 302
    assert client.post(url, {"delivered_on": yesterday, "amount": "1500.5", "note": "二期"}).status_code == 302

    assert [d.amount for d in signed.deliveries.order_by("id")] == [Decimal("1000.00"), Decimal("1500.50")]
    body = client.get(f"/projects/{signed.pk}/").content.decode()
    assert "1,000.00" in body and "2,500.50" in body  # the running total
    assert "到位率 <strong>50.0%" in body  # 2,500.50 of 5,000.00 signed
    assert "登记到位资金 " in body  # the history names the tranche


def test_an_activity_joins_the_timeline_and_sets_the_next_follow_up(client, staff, lead, today):
    contact = ContactFactory(name="李总")
    next_week = today + datetime.timedelta(days=7)

    response = signed_in(client, staff).post(
        f"/projects/{lead.pk}/activities/new/",
        {
            "happened_on": today,
            "kind": "visit",
            "contact": contact.pk,
            "summary": "上门拜访，企业有意扩产",
            "next_action": "报送用地需求",
            "next_action_on": next_week,
        },
    )

    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.project, activity.created_by, activity.contact) == (lead, staff, contact)
    lead.refresh_from_db()
    assert lead.next_follow_up_on == next_week
    body = client.get(f"/projects/{lead.pk}/").content.decode()
    for text in ("上门拜访，企业有意扩产", "下一步：报送用地需求", next_week.isoformat(), "李总", "记录人：张伟"):
        assert text in body


def test_an_activity_without_a_summary_or_dated_tomorrow_is_refused(client, staff, lead, today):
    tomorrow = today + datetime.timedelta(days=1)

    response = signed_in(client, staff).post(
        f"/projects/{lead.pk}/activities/new/", {"happened_on": tomorrow, "kind": "call", "summary": ""}
    )

    body = response.content.decode()
    assert "请填写情况摘要。" in body
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("stage/signed/", {"signed_on": "2026-01-05", "signed_amount": "10"}),
        ("stage/dropped/", {"dropped_on": "2026-01-05", "reason": "无"}),
        ("deliveries/new/", {"delivered_on": "2026-01-05", "amount": "10"}),
        ("activities/new/", {"happened_on": "2026-01-05", "kind": "call", "summary": "电话"}),
    ],
)
@pytest.mark.parametrize("who", ["leader", "colleague"])
def test_a_leader_or_another_units_staff_get_the_403_page_and_nothing_is_written(
    client, who, leader_user, colleague, unit, path, data
):
    project = ProjectFactory(unit=unit, signed=True, signed_on=datetime.date(2026, 1, 1))
    user = {"leader": leader_user, "colleague": colleague}[who]
    before = project.history.count()

    opened = signed_in(client, user).get(f"/projects/{project.pk}/{path}")
    posted = client.post(f"/projects/{project.pk}/{path}", data)

    assert (opened.status_code, posted.status_code) == (403, 403)
    project.refresh_from_db()
    assert (project.stage, project.notes) == ("signed", "")
    assert project.history.count() == before
    assert not CapitalDelivery.objects.exists() and not Activity.objects.exists()


# --- htmx: forms in place ---------------------------------------------------------------------------


def test_with_htmx_a_form_opens_alone_and_replaces_itself_with_its_errors(client, staff, lead):
    client = signed_in(client, staff)

    opened = client.get(stage_url(lead, "signed"), headers={"HX-Request": "true"})
    invalid = client.post(stage_url(lead, "signed"), {"signed_amount": "10"}, headers={"HX-Request": "true"})

    assert opened.content.decode().lstrip().startswith("{#") is False
    assert "<html" not in opened.content.decode() and "<form" in opened.content.decode()
    assert 'hx-post="/projects/' in opened.content.decode()
    assert "请填写签约日期。" in invalid.content.decode() and "<html" not in invalid.content.decode()


def test_with_htmx_a_saved_form_refreshes_the_pages_body_in_place(client, staff, lead, yesterday):
    response = signed_in(client, staff).post(
        stage_url(lead, "signed"), {"signed_on": yesterday, "signed_amount": "10"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#project-body", "outerHTML")
    assert body.lstrip().startswith('<div id="project-body"') and "已签约" in body
    with_next = client.post(
        stage_url(lead, "started") + "?next=/board/", {"started_on": yesterday}, headers={"HX-Request": "true"}
    )
    assert with_next["HX-Redirect"] == "/board/"


# --- The audit history ------------------------------------------------------------------------------


def test_the_history_shows_who_changed_what_and_when(client, staff, lead, yesterday):
    client = signed_in(client, staff)
    client.post(stage_url(lead, "negotiating"))
    client.post(stage_url(lead, "signed"), {"signed_on": yesterday, "signed_amount": "3000"})
    industry_owner = UserFactory(first_name="李娜", role="staff", unit=lead.unit)
    services.project_save(actor=industry_owner, project=Project.objects.get(pk=lead.pk), owner=industry_owner)

    body = client.get(f"/projects/{lead.pk}/").content.decode()
    history = body.split("修改记录")[1]

    assert "张伟</strong>\n          修改：" in history
    assert "阶段 洽谈 → 签约" in history
    assert f"签约日期 — → {yesterday.isoformat()}" in history
    assert "协议引资额（万元） — → 3,000.00" in history
    assert "阶段 线索 → 洽谈" in history
    assert "负责人 张伟 → 李娜" in history  # a related row by its name, not its id
    assert history.index("负责人") < history.index("阶段 洽谈 → 签约") < history.index("阶段 线索 → 洽谈")


# --- Query counts -----------------------------------------------------------------------------------


def _page_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    return len(queries)


def _grow(project, staff, rows: int) -> None:
    contact = ContactFactory()
    for index in range(rows):
        CapitalDeliveryFactory(project=project, amount=Decimal("10") + index)
        ActivityFactory(project=project, contact=contact, created_by=staff)
        services.project_save(actor=staff, project=Project.objects.get(pk=project.pk), notes=f"备注{index}")


def test_the_page_reads_the_same_number_of_queries_for_one_row_or_thirty(client, staff, unit):
    one = ProjectFactory(unit=unit, owner=staff, signed=True)
    thirty = ProjectFactory(unit=unit, owner=staff, signed=True)
    _grow(one, staff, 1)
    _grow(thirty, staff, 30)
    client = signed_in(client, staff)
    _page_queries(client, one)  # the session and the user, read once and cached

    assert _page_queries(client, one) == _page_queries(client, thirty)
    assert _page_queries(client, thirty) <= 12


# --- The role matrix: every page and every form post of the project page -----------------------------

PAGES = [
    ("get", "", None),
    ("get", "stage/started/", None),
    ("post", "stage/started/", {"started_on": "2026-01-05"}),
    ("get", "deliveries/new/", None),
    ("post", "deliveries/new/", {"delivered_on": "2026-01-05", "amount": "10"}),
    ("get", "activities/new/", None),
    ("post", "activities/new/", {"happened_on": "2026-01-05", "kind": "call", "summary": "电话沟通"}),
]
# What each role gets: the page (200), a saved form's redirect (302), the 403 page, or the sign-in.
EXPECTED = {
    "anonymous": {"get": 302, "post": 302, "detail": 302},
    "api_reader": {"get": 403, "post": 403, "detail": 403},
    "leader": {"get": 403, "post": 403, "detail": 200},
    "colleague": {"get": 403, "post": 403, "detail": 200},
    "staff": {"get": 200, "post": 302, "detail": 200},
    "admin": {"get": 200, "post": 302, "detail": 200},
}


@pytest.mark.parametrize(("method", "path", "data"), PAGES)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_role_matrix(client, request, role, method, path, data, unit):
    project = ProjectFactory(unit=unit, signed=True, signed_on=datetime.date(2026, 1, 1))
    fixture = {"leader": "leader_user", "colleague": "colleague", "staff": "staff", "admin": "admin_user"}.get(role)
    if fixture:  # only this role's user: each one costs a password hash
        client.force_login(request.getfixturevalue(fixture))
    elif role == "api_reader":
        client.force_login(UserFactory(role="api_reader", unit=None))
    before = (project.history.count(), CapitalDelivery.objects.count(), Activity.objects.count())

    response = getattr(client, method)(f"/projects/{project.pk}/{path}", data or {})

    expected = EXPECTED[role]["detail" if path == "" else method]
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    after = (project.history.count(), CapitalDelivery.objects.count(), Activity.objects.count())
    assert (after != before) == (method == "post" and expected == 302 and role != "anonymous")


def test_a_hidden_project_and_a_missing_one_get_the_same_chinese_404_page(client, colleague, unit):
    secret = ProjectFactory(unit=unit, confidential=True, name="不可透露的项目")
    client.force_login(colleague)

    hidden, missing = client.get(f"/projects/{secret.pk}/"), client.get("/projects/999999/")

    assert hidden.status_code == missing.status_code == 404
    assert "页面不存在" in hidden.content.decode()
    assert "不可透露的项目" not in hidden.content.decode()
    assert "页面不存在" in missing.content.decode()
