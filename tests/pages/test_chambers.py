"""The chambers and events pages: funnels, event totals, who may read them, the new contact form,
and query counts that do not grow with the rows shown."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chambers.models import Chamber, Contact, Event
from projects.selectors import chamber_funnels
from tests.factories import (
    AgreementFactory,
    CapitalDeliveryFactory,
    ChamberFactory,
    ContactFactory,
    EventFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SIGNED_2011 = {"stage": "signed", "signed_on": dt.date(2011, 3, 15)}


@pytest.fixture
def other_unit(db):
    return UnitFactory(code="jiangshan", name="江山市")


@pytest.fixture
def chamber(db):
    return ChamberFactory(name="上海浙江商会", region="上海")


@pytest.fixture
def funnel_projects(unit, other_unit, chamber):
    """Projects that came through one chamber, one of every kind the funnel must tell apart."""
    ProjectFactory(chamber=chamber, unit=unit, name="线索项目")
    ProjectFactory(chamber=chamber, unit=other_unit, stage="negotiating", name="洽谈项目")
    signed = ProjectFactory(
        chamber=chamber, unit=unit, name="公开签约项目", signed_amount=Decimal("5000"), **SIGNED_2011
    )
    secret = ProjectFactory(
        chamber=chamber,
        unit=other_unit,
        name="保密签约项目",
        investor="神秘投资有限公司",
        confidential=True,
        signed_amount=Decimal("3000"),
        **SIGNED_2011,
    )
    dropped = ProjectFactory(
        chamber=chamber,
        unit=unit,
        name="终止项目",
        stage="dropped",
        signed_on=dt.date(2011, 2, 1),
        dropped_on=dt.date(2011, 6, 1),
        signed_amount=Decimal("2000"),
    )
    last_year = ProjectFactory(
        chamber=chamber,
        unit=unit,
        name="上年签约项目",
        stage="started",
        signed_on=dt.date(2010, 5, 1),
        started_on=dt.date(2010, 9, 1),
        signed_amount=Decimal("4000"),
    )
    ProjectFactory(unit=unit, name="别的商会项目", signed_amount=Decimal("9999"), **SIGNED_2011)
    for project, amount, day in [
        (signed, "1000", dt.date(2011, 4, 1)),
        (secret, "500", dt.date(2011, 5, 1)),
        (dropped, "700", dt.date(2011, 3, 1)),  # a dropped project's tranches still count
        (last_year, "200", dt.date(2011, 1, 10)),
        (last_year, "300", dt.date(2010, 12, 1)),  # another year
    ]:
        CapitalDeliveryFactory(project=project, amount=Decimal(amount), delivered_on=day)
    return {"signed": signed, "secret": secret}


# --- The funnel -----------------------------------------------------------------------------------------


def test_the_funnel_counts_official_totals_confidential_included_dropped_left_out(chamber, funnel_projects):
    funnel = chamber_funnels([chamber.pk], 2011)[chamber.pk]

    assert funnel == {
        "leads": 1,
        "negotiating": 1,
        "signed_count": 2,
        "signed_amount": Decimal("8000.00"),
        "delivered": Decimal("2400.00"),
    }
    assert chamber_funnels([chamber.pk], 2010)[chamber.pk]["signed_amount"] == Decimal("4000.00")


def test_the_chamber_list_shows_each_chamber_with_counts_and_its_funnel(client, staff_user, chamber, funnel_projects):
    ContactFactory(chamber=chamber, name="王会长")
    AgreementFactory(chamber=chamber)
    AgreementFactory(chamber=chamber)
    ChamberFactory(name="杭州衢州商会", kind=Chamber.Kind.QUZHOU)
    client.force_login(staff_user)

    response = client.get("/chambers/?year=2011")

    assert response.status_code == 200
    body = response.content.decode()
    assert "上海浙江商会" in body and "杭州衢州商会" in body and "在外浙江商会" in body
    row = {c.name: c for c in response.context["page"]}["上海浙江商会"]
    assert (row.contact_count, row.agreement_count) == (1, 2)
    assert row.funnel["signed_count"] == 2
    assert "8,000.00" in body and "2,400.00" in body
    assert "保密签约项目" not in body
    assert '<option value="2011" selected>' in body and '<option value="2010"' in body
    total = response.context["total"]  # the 合计 row: every chamber of the list, no project without one
    assert (total["leads"], total["signed_count"], total["signed_amount"], total["delivered"]) == (
        1,
        2,
        Decimal("8000.00"),
        Decimal("2400.00"),
    )
    assert "合计（2 个商会）" in body
    quzhou = client.get("/chambers/?year=2011&kind=quzhou").context["total"]
    assert (quzhou["signed_count"], quzhou["delivered"]) == (0, Decimal("0"))


def test_the_list_defaults_to_this_year_and_filters_by_kind(client, staff_user, chamber, funnel_projects):
    ChamberFactory(name="杭州衢州商会", kind=Chamber.Kind.QUZHOU)
    client.force_login(staff_user)

    response = client.get("/chambers/?kind=quzhou")

    body = response.content.decode()
    this_year = timezone.localdate().year
    assert response.context["year"] == this_year
    assert "杭州衢州商会" in body and "上海浙江商会" not in body
    assert f"{this_year}年还没有经商会引进项目的签约或到位记录" in body
    assert '<a href="?year=2011&amp;kind=quzhou">2011年</a>' in body
    assert f'<option value="{this_year}" selected>{this_year}年（无数据）</option>' in body


def test_a_chamber_page_lists_contacts_agreements_events_and_only_visible_projects(
    client, staff_user, chamber, funnel_projects
):
    ContactFactory(chamber=chamber, name="王会长", organization="上海某某集团", title="会长", phone="13800000000")
    AgreementFactory(chamber=chamber, title="战略合作框架协议书", kind="strategic_framework")
    event = EventFactory(name="2011天下浙商家乡行")
    ProjectFactory(chamber=chamber, event=event, unit=staff_user.unit)
    client.force_login(staff_user)

    response = client.get(f"/chambers/{chamber.pk}/?year=2011")

    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "王会长",
        "上海某某集团",
        "会长",
        "13800000000",
        "战略合作框架协议书",
        "战略合作框架协议",
        "2011天下浙商家乡行",
    ]:
        assert text in body
    assert "公开签约项目" in body and "上年签约项目" in body
    assert "保密签约项目" not in body and "神秘投资有限公司" not in body
    assert "另有保密项目 1 个" in body
    assert f'href="/projects/?chamber={chamber.pk}"' in body
    assert "8,000.00 万元" in body and "2,400.00 万元" in body


def test_a_leader_sees_every_project_of_a_chamber_and_no_hidden_note(client, leader_user, chamber, funnel_projects):
    client.force_login(leader_user)

    response = client.get(f"/chambers/{chamber.pk}/")

    body = response.content.decode()
    assert "保密签约项目" in body
    assert "另有保密项目" not in body


def test_a_confidential_project_is_shown_to_its_own_unit(client, other_unit, chamber, funnel_projects):
    colleague = UserFactory(role="staff", unit=other_unit)
    client.force_login(colleague)

    body = client.get(f"/chambers/{chamber.pk}/").content.decode()

    assert "保密签约项目" in body and "另有保密项目" not in body


def test_an_unknown_chamber_or_event_is_a_404(client, staff_user):
    client.force_login(staff_user)

    assert client.get("/chambers/999999/").status_code == 404
    assert client.get("/events/999999/").status_code == 404


# --- Events ---------------------------------------------------------------------------------------------


@pytest.fixture
def event(unit, other_unit):
    event = EventFactory(name="2011天下浙商家乡行·衢州", invited_count=135, location="衢州")
    ProjectFactory(event=event, unit=unit, name="活动签约甲", signed_amount=Decimal("20000"), **SIGNED_2011)
    ProjectFactory(
        event=event,
        unit=unit,
        name="活动签约乙",
        stage="producing",
        signed_on=dt.date(2011, 5, 18),
        started_on=dt.date(2011, 6, 1),
        producing_on=dt.date(2011, 10, 1),
        signed_amount=Decimal("12000"),
    )
    ProjectFactory(
        event=event,
        unit=other_unit,
        name="活动保密项目",
        confidential=True,
        signed_amount=Decimal("8000"),
        **SIGNED_2011,
    )
    ProjectFactory(event=event, unit=unit, name="活动线索")
    ProjectFactory(
        event=event,
        unit=unit,
        name="活动终止项目",
        stage="dropped",
        signed_on=dt.date(2011, 5, 18),
        dropped_on=dt.date(2011, 8, 1),
        signed_amount=Decimal("7000"),
    )
    return event


def test_the_event_list_shows_invited_and_signed_totals(client, staff_user, event):
    EventFactory(name="2010衢州（深圳）招商推介会", starts_on=dt.date(2010, 5, 20))
    client.force_login(staff_user)

    response = client.get("/events/")

    body = response.content.decode()
    assert response.status_code == 200
    row = {e.name: e for e in response.context["page"]}["2011天下浙商家乡行·衢州"]
    assert (row.invited_count, row.signed_count, row.signed_total) == (135, 3, Decimal("40000.00"))
    assert "4.00" in body and "2010衢州（深圳）招商推介会" in body
    filtered = client.get("/events/?year=2010").content.decode()
    assert "2010衢州（深圳）招商推介会" in filtered and "天下浙商" not in filtered


def test_the_event_page_lists_the_visible_signed_projects_with_the_official_total(client, staff_user, event):
    client.force_login(staff_user)

    response = client.get(f"/events/{event.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "3 个项目" in body and "4.00 亿元" in body
    assert "活动签约甲" in body and "活动签约乙" in body
    assert "活动保密项目" not in body and "另有保密项目 1 个" in body
    assert "活动线索" not in body and "活动终止项目" not in body
    assert "135" in body


# --- Who may open the pages -----------------------------------------------------------------------------


def _urls(chamber, event):
    return ["/chambers/", f"/chambers/{chamber.pk}/", "/events/", f"/events/{event.pk}/"]


def test_anonymous_visitors_are_sent_to_sign_in(client, chamber, event):
    for url in _urls(chamber, event):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_an_api_reader_gets_the_403_page(client, chamber, event):
    client.force_login(UserFactory(role="api_reader"))
    for url in _urls(chamber, event):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "接口只读账号" in response.content.decode()


@pytest.mark.parametrize("role", ["leader", "staff_here", "staff_elsewhere", "admin"])
def test_leaders_admins_and_staff_of_any_unit_read_every_page(client, role, unit, other_unit, chamber, event):
    user = {
        "leader": lambda: UserFactory(role="leader"),
        "staff_here": lambda: UserFactory(role="staff", unit=unit),
        "staff_elsewhere": lambda: UserFactory(role="staff", unit=other_unit),
        "admin": lambda: UserFactory(role="admin"),
    }[role]()
    client.force_login(user)
    for url in _urls(chamber, event):
        assert client.get(url).status_code == 200, url


# --- The new contact form -------------------------------------------------------------------------------

CONTACT = {"name": "李秘书长", "organization": "上海浙江商会秘书处", "title": "秘书长", "phone": "021-12345678"}


def test_staff_add_a_contact_to_a_chamber(client, staff_user, chamber):
    client.force_login(staff_user)

    response = client.post(f"/chambers/{chamber.pk}/contacts/new/", {**CONTACT, "email": "li@example.com"})

    assert response.status_code == 302
    assert response["Location"] == f"/chambers/{chamber.pk}/#contacts"
    contact = Contact.objects.get(name="李秘书长")
    assert (contact.chamber, contact.title, contact.email) == (chamber, "秘书长", "li@example.com")
    page = client.get(response["Location"]).content.decode()
    assert "已添加联系人：李秘书长。" in page and "上海浙江商会秘书处" in page


def test_with_htmx_the_contacts_card_comes_back_with_the_new_contact(client, staff_user, chamber):
    client.force_login(staff_user)

    response = client.post(f"/chambers/{chamber.pk}/contacts/new/", CONTACT, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card" id="contacts"')
    assert "已添加联系人：李秘书长。" in body and "<html" not in body
    assert Contact.objects.filter(chamber=chamber, name="李秘书长").count() == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_contact_shows_chinese_errors_beside_its_fields_and_keeps_the_input(client, staff_user, chamber, htmx):
    client.force_login(staff_user)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = client.post(
        f"/chambers/{chamber.pk}/contacts/new/",
        {"name": "", "organization": "衢州某某公司", "email": "不是邮箱"},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",  # Chromium's default: the messages stay Chinese
        **headers,
    )

    body = response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    assert "请填写姓名。" in body and "请输入有效的邮箱地址" in body
    assert 'value="衢州某某公司"' in body and 'value="不是邮箱"' in body
    assert body.count('class="field invalid"') == 2
    assert not Contact.objects.exists()


def test_the_form_has_a_label_for_every_field(client, staff_user, chamber):
    client.force_login(staff_user)

    body = client.get(f"/chambers/{chamber.pk}/").content.decode()

    assert '<label for="id_name">姓名<span class="required-mark" aria-hidden="true">*</span></label>' in body
    for name, label in [
        ("organization", "单位"),
        ("title", "职务"),
        ("phone", "电话"),
        ("email", "邮箱"),
    ]:
        assert f'<label for="id_{name}">{label}</label>' in body
    assert "添加联系人</button>" in body


def test_a_leader_gets_no_form_and_a_refused_post(client, leader_user, chamber):
    client.force_login(leader_user)

    page = client.get(f"/chambers/{chamber.pk}/").content.decode()
    response = client.post(f"/chambers/{chamber.pk}/contacts/new/", CONTACT)

    assert "新增联系人" not in page and "添加联系人</button>" not in page
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_an_api_reader_and_an_anonymous_visitor_cannot_add_a_contact(client, chamber):
    anonymous = client.post(f"/chambers/{chamber.pk}/contacts/new/", CONTACT)
    client.force_login(UserFactory(role="api_reader"))
    reader = client.post(f"/chambers/{chamber.pk}/contacts/new/", CONTACT)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert reader.status_code == 403
    assert not Contact.objects.exists()


def test_the_contact_form_takes_posts_only(client, staff_user, chamber):
    client.force_login(staff_user)

    assert client.get(f"/chambers/{chamber.pk}/contacts/new/").status_code == 405


# --- Query counts ---------------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _chamber_with_rows(n: int, unit, event=None) -> Chamber:
    chamber = ChamberFactory()
    for _ in range(n):
        ContactFactory(chamber=chamber)
        AgreementFactory(chamber=chamber)
        project = ProjectFactory(
            chamber=chamber, unit=unit, event=event or EventFactory(), signed_amount=Decimal("100"), **SIGNED_2011
        )
        CapitalDeliveryFactory(project=project, delivered_on=dt.date(2011, 4, 1))
    ProjectFactory(chamber=chamber, unit=UnitFactory(), confidential=True)
    return chamber


def test_the_chamber_list_query_count_does_not_grow_with_chambers(client, staff_user, django_assert_num_queries):
    client.force_login(staff_user)
    _chamber_with_rows(1, staff_user.unit)
    few = _count(client, "/chambers/?year=2011")
    for _ in range(19):
        _chamber_with_rows(2, staff_user.unit)

    with django_assert_num_queries(few):
        response = client.get("/chambers/?year=2011")
    assert len(response.context["page"]) == 20


def test_the_chamber_page_query_count_does_not_grow_with_its_rows(client, staff_user, django_assert_num_queries):
    client.force_login(staff_user)
    small = _chamber_with_rows(1, staff_user.unit)
    big = _chamber_with_rows(20, staff_user.unit)
    few = _count(client, f"/chambers/{small.pk}/?year=2011")

    with django_assert_num_queries(few):
        response = client.get(f"/chambers/{big.pk}/?year=2011")
    assert len(response.context["events"]) == 20 and len(response.context["page"]) == 20


def test_the_event_pages_query_counts_do_not_grow_with_their_rows(client, staff_user, django_assert_num_queries):
    client.force_login(staff_user)
    small, big = EventFactory(), EventFactory()
    _chamber_with_rows(1, staff_user.unit, event=small)
    _chamber_with_rows(20, staff_user.unit, event=big)
    few = _count(client, f"/events/{small.pk}/")
    with django_assert_num_queries(few):
        client.get(f"/events/{big.pk}/")

    few_events = _count(client, "/events/")
    for _ in range(20):
        ProjectFactory(event=EventFactory(), signed_amount=Decimal("1"), **SIGNED_2011)
    with django_assert_num_queries(few_events):
        response = client.get("/events/")
    assert len(response.context["page"]) == 22


# --- The new event form ---------------------------------------------------------------------------------

EVENT = {
    "name": "2011衢州（杭州）招商推介会",
    "kind": "roadshow",
    "starts_on": "2011-11-08",
    "ends_on": "2011-11-09",
    "location": "杭州",
    "invited_count": "80",
    "notes": "邀请杭州衢州商会会员企业。",
}


def test_staff_create_an_event(client, staff_user):
    client.force_login(staff_user)

    form = client.get("/events/new/").content.decode()
    response = client.post("/events/new/", {**EVENT, "organizer": staff_user.unit_id})

    assert '<option value="" selected>请选择</option>' in form  # no kind preselected
    assert f'<option value="{staff_user.unit_id}" selected>' in form  # the user's unit preset
    for name, label in [("name", "名称"), ("kind", "类型"), ("starts_on", "开始日期"), ("invited_count", "邀请客商数")]:
        assert f'<label for="id_{name}">{label}<span class="required-mark" aria-hidden="true">*</span></label>' in form
    event = Event.objects.get(name="2011衢州（杭州）招商推介会")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert (event.kind, event.starts_on, event.invited_count, event.organizer) == (
        "roadshow",
        dt.date(2011, 11, 8),
        80,
        staff_user.unit,
    )
    assert "已新建招商活动：2011衢州（杭州）招商推介会。" in client.get(response["Location"]).content.decode()
    assert "新建活动" in client.get("/events/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "请填写名称。"),
        ({"kind": ""}, "请填写类型。"),
        ({"starts_on": "2011-13-45"}, "请输入有效的开始日期。"),
        ({"ends_on": "2011-11-01"}, "结束日期不能早于开始日期。"),
        ({"invited_count": "-5"}, "邀请客商数不能小于 0。"),
    ],
)
def test_a_bad_event_is_refused_with_its_message_and_the_input_kept(client, staff_user, change, message):
    client.force_login(staff_user)

    response = client.post("/events/new/", {**EVENT, **change}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'value="杭州"' in body and "邀请杭州衢州商会会员企业。" in body
    assert not Event.objects.exists()


def test_a_leader_and_an_api_reader_cannot_create_an_event(client, leader_user):
    client.force_login(leader_user)
    leader_get, leader_post = client.get("/events/new/"), client.post("/events/new/", EVENT)
    listing = client.get("/events/").content.decode()
    client.force_login(UserFactory(role="api_reader"))
    reader = client.post("/events/new/", EVENT)
    client.logout()
    anonymous = client.post("/events/new/", EVENT)

    assert (leader_get.status_code, leader_post.status_code, reader.status_code) == (403, 403, 403)
    assert "新建活动" not in listing
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert not Event.objects.exists()
