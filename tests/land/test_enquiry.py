"""投资意向登记: an investor's enquiry becomes a lead of the parcel's unit, its staff are told; bots,
floods and markup are refused."""

from decimal import Decimal

import pytest
from django.core import mail

from notifications.models import Notification
from projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, UserFactory

from .conftest import published_parcel

URL = "/land/kc-1/"


@pytest.fixture
def parcel(unit, industries):
    return published_parcel(unit, code="kc-1", name="航埠一号地块", industries=[industries["new_materials"]])


def enquiry(industries, **fields) -> dict:
    return {
        "company": "浙江新材科技有限公司",
        "contact": "李经理 13800000000",
        "industry": industries["new_materials"].pk,
        "investment": "36000",
        "land_need": "120",
        "message": "希望尽快看地",
        "website": "",
        **fields,
    }


def test_an_enquiry_becomes_a_lead_of_the_unit_with_the_parcel(
    client, parcel, industries, staff_user, django_capture_on_commit_callbacks
):
    staff_user.email = "staff@example.org"
    staff_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, enquiry(industries))
    assert response.status_code == 302
    assert response["Location"] == "/land/kc-1/?sent=1#enquiry"
    lead = Project.objects.get()
    assert (lead.unit, lead.parcel, lead.stage, lead.channel) == (parcel.unit, parcel, "lead", "public_land")
    assert lead.investor == "浙江新材科技有限公司"
    assert lead.total_investment == Decimal("36000") and lead.land_area_mu == Decimal("120")
    assert lead.industry == industries["new_materials"]
    assert "李经理 13800000000" in lead.notes
    record = lead.history.get()
    assert record.history_user is None  # written by no signed-in user: the audit says 系统
    [notification] = Notification.objects.all()
    assert notification.user == staff_user and notification.project == lead
    assert "浙江新材科技有限公司" in notification.message
    [email] = mail.outbox
    assert email.to == ["staff@example.org"] and "新线索" in email.subject
    thanks = client.get(response["Location"]).content.decode()
    assert "已收到您的投资意向登记" in thanks


def test_the_english_form_writes_the_lead_in_chinese(client, parcel, industries, staff_user):
    response = client.post("/en/land/kc-1/", enquiry(industries))
    assert response["Location"] == "/en/land/kc-1/?sent=1#enquiry"
    assert "熟地信息公开页面" in Project.objects.get().notes


def test_the_channel_shows_in_chinese():
    assert Project.Channel.PUBLIC_LAND.label == "熟地公开"


def test_the_honeypot_refuses_a_bot(client, parcel, industries):
    response = client.post(URL, enquiry(industries, website="http://spam.example"))
    assert response.status_code == 400
    assert "提交未被受理" in response.content.decode()
    assert not Project.objects.exists()


def test_the_budget_refuses_the_sixth_enquiry_of_an_hour(client, parcel, industries, settings):
    settings.LAND_ENQUIRIES_PER_HOUR = 5
    for n in range(5):
        assert client.post(URL, enquiry(industries, company=f"第{n}家公司")).status_code == 302
    response = client.post(URL, enquiry(industries, company="第六家公司"))
    assert response.status_code == 429
    assert "每小时最多提交 5 次" in response.content.decode()
    assert Project.objects.count() == 5
    other = client.post(URL, enquiry(industries, company="另一地址的公司"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302  # the budget is per address


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company", "", "请填写此项。"),
        ("company", "李", "请填写完整的企业名称。"),
        ("investment", "很多", "请输入数字。"),
        ("investment", "0", "须大于 0。"),
        ("land_need", "-5", "须大于 0。"),
        ("land_need", "1.234", "最多保留两位小数。"),
        ("industry", "999999", "请从列表中选择产业。"),
    ],
)
def test_bad_input_is_refused_beside_its_field_in_chinese(client, parcel, industries, field, value, message):
    response = client.post(URL, enquiry(industries, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_markup_never_reaches_a_page_as_html(client, parcel, industries, staff_user):
    script = "<script>alert(1)</script>"
    response = client.post(URL, enquiry(industries, company=f"{script}公司", investment="x"))
    assert script not in response.content.decode()  # the form shown again, escaped
    assert "&lt;script&gt;" in response.content.decode()
    client.post(URL, enquiry(industries, company=f"{script}公司", message=script))
    lead = Project.objects.get()
    client.force_login(staff_user)
    page = client.get(f"/projects/{lead.pk}/").content.decode()
    assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;公司" in page
    assert script not in client.get("/land/").content.decode()


def test_a_duplicate_investor_is_flagged_to_staff_not_to_the_public(
    client, parcel, industries, staff_user, django_capture_on_commit_callbacks
):
    ProjectFactory(unit=parcel.unit, name="新材科技年产万吨项目", investor="浙江新材科技有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, enquiry(industries))
    assert "新材科技年产万吨项目" not in client.get(response["Location"]).content.decode()
    [notification] = Notification.objects.all()
    assert "疑似重复投资方：“新材科技年产万吨项目”" in notification.message


def test_only_the_parcel_units_staff_are_told(client, parcel, industries, django_capture_on_commit_callbacks):
    other = UserFactory(role="staff", unit=UnitFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, enquiry(industries))
    assert not Notification.objects.filter(user=other).exists()


def test_a_draft_parcel_takes_no_enquiry(client, unit, industries):
    published_parcel(unit, code="kc-draft", published=False, published_on=None)
    assert client.post("/land/kc-draft/", enquiry(industries)).status_code == 404
    assert not Project.objects.exists()
