"""The lead form (/projects/new/), the edit form (/projects/<pk>/edit/), the duplicate check and the
计入 note: status, body and database, for every role."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from projects.models import CapitalDelivery, Project
from projects.services import delivery_record, project_save
from targets.notes import counts_in
from targets.reporting import build_rows
from tests.factories import IndustryFactory, ProjectFactory, UnitFactory, UserFactory

NEW = "/projects/new/"


def lead_data(user, **overrides) -> dict:
    data = {
        "name": "年产5万吨锂电池正极材料项目",
        "investor": "杭州恒远新能源有限公司",
        "investor_kind": "private",
        "unit": user.unit_id,
        "industry": "",
        "category": "industrial",
        "origin": "out_of_province",
        "channel": "direct",
        "chamber": "",
        "event": "",
        "introduced_by": "",
        "total_investment": "120000",
        "land_area_mu": "150.5",
        "parcel": "",
        "owner": user.pk,
        "next_follow_up_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "notes": "首次接触，对方有意向考察。",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def client_of(client):
    def signed_in(user):
        client.force_login(user)
        return client

    return signed_in


def field_html(body: str, name: str) -> str:
    """The markup of one field's box (label, input, errors) on the page."""
    start = body.index(f'for="id_{name}"')
    end = body.find('<div class="field', start)
    return body[start : end if end != -1 else None]


# --- The empty form -------------------------------------------------------------------------------


def test_new_lead_form_presets_nothing_that_moves_the_figures(client_of, staff_user):
    other = UnitFactory(name="衢江区")
    UserFactory(role=Role.STAFF, unit=other, username="colleague-elsewhere")
    response = client_of(staff_user).get(NEW)
    assert response.status_code == 200
    body = response.content.decode()
    labels = ["项目名称", "投资方", "投资方类型", "责任单位", "产业", "项目类别", "资金来源", "浙商回归"]
    labels += ["山海协作", "引进渠道", "商会", "招商活动", "引荐人", "总投资（万元）", "用地（亩）", "地块"]
    for label in [*labels, "保密", "负责人", "下次跟进日期", "备注"]:
        assert f">{label}" in body, label
    origin, category = field_html(body, "origin"), field_html(body, "category")
    assert '<option value="" selected>请选择</option>' in origin and origin.count("selected") == 1
    assert '<option value="" selected>请选择</option>' in category and category.count("selected") == 1
    unit = field_html(body, "unit")
    assert f'<option value="{staff_user.unit_id}" selected>柯城区</option>' in unit and "衢江区" not in unit
    owner = field_html(body, "owner")
    assert f'value="{staff_user.pk}" selected' in owner and "colleague-elsewhere" not in owner
    assert 'type="date"' in field_html(body, "next_follow_up_on")
    assert 'inputmode="decimal"' in field_html(body, "total_investment")
    assert "请先选择资金来源和项目类别" in body
    assert "<script>" not in body and "hx-on" not in body


# --- Creating -------------------------------------------------------------------------------------


def test_create_with_every_field(client_of, staff_user):
    industry = IndustryFactory()
    data = lead_data(staff_user, industry=industry.pk, mountain_sea="on", confidential="on")
    response = client_of(staff_user).post(NEW, data)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.stage == Project.Stage.LEAD and project.unit == staff_user.unit
    assert project.origin == "out_of_province" and project.category == "industrial"
    assert project.total_investment == 120000 and str(project.land_area_mu) == "150.50"
    assert project.industry == industry and project.mountain_sea and project.confidential
    assert project.owner == staff_user and not project.returning_merchant
    assert project.history.get().history_user == staff_user  # the audit trail names the actor
    page = client_of(staff_user).get(response["Location"]).content.decode()
    assert "已新建线索“年产5万吨锂电池正极材料项目”。" in page


def test_origin_and_category_must_be_chosen(client_of, staff_user):
    response = client_of(staff_user).post(NEW, lead_data(staff_user, origin="", category=""))
    assert response.status_code == 200
    body = response.content.decode()
    assert "请选择资金来源。" in field_html(body, "origin")
    assert "请选择项目类别。" in field_html(body, "category")
    assert 'value="年产5万吨锂电池正极材料项目"' in body and "首次接触，对方有意向考察。" in body  # nothing lost
    assert Project.objects.count() == 0


def test_negative_investment_is_refused_beside_its_field(client_of, staff_user):
    response = client_of(staff_user).post(NEW, lead_data(staff_user, total_investment="-5"))
    assert response.status_code == 200
    body = response.content.decode()
    total = field_html(body, "total_investment")
    assert "总投资不能为负数" in total and 'value="-5"' in total
    assert 'class="field invalid"' in body
    assert Project.objects.count() == 0


def test_returning_merchant_rule_comes_from_the_model(client_of, staff_user):
    response = client_of(staff_user).post(NEW, lead_data(staff_user, origin="out_of_city", returning_merchant="on"))
    assert "浙商回归项目的资金来源必须是“省外”。" in response.content.decode()
    assert Project.objects.count() == 0


def test_staff_cannot_create_for_another_unit(client_of, staff_user):
    other = UnitFactory(name="衢江区")
    response = client_of(staff_user).post(NEW, lead_data(staff_user, unit=other.pk, owner=""))
    assert response.status_code == 200
    assert "只能选择本单位。" in field_html(response.content.decode(), "unit")
    assert Project.objects.count() == 0


def test_owner_must_be_of_the_unit(client_of, staff_user):
    stranger = UserFactory(role=Role.STAFF, unit=UnitFactory())
    response = client_of(staff_user).post(NEW, lead_data(staff_user, owner=stranger.pk))
    assert "负责人须是本单位的招商专员。" in response.content.decode()
    assert Project.objects.count() == 0


def test_admin_chooses_any_unit(client_of, admin_user):
    other = UnitFactory(name="衢江区")
    owner = UserFactory(role=Role.STAFF, unit=other)
    data = lead_data(owner, unit=other.pk)
    response = client_of(admin_user).get(NEW)
    assert '<option value="" selected>请选择</option>' in field_html(response.content.decode(), "unit")
    response = client_of(admin_user).post(NEW, data)
    assert response.status_code == 302
    assert Project.objects.get().unit == other


@pytest.mark.parametrize("method", ["get", "post"])
def test_leader_gets_the_403_page(client_of, leader_user, staff_user, method):
    response = getattr(client_of(leader_user), method)(NEW, lead_data(staff_user))
    assert response.status_code == 403
    assert "您的角色没有此操作的权限。" in response.content.decode()
    assert Project.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_api_reader_gets_the_403_page(client_of, staff_user, method):
    reader = UserFactory(role=Role.API_READER)
    response = getattr(client_of(reader), method)(NEW, lead_data(staff_user))
    assert response.status_code == 403 and "接口只读账号" in response.content.decode()
    assert Project.objects.count() == 0


@pytest.mark.parametrize("url", [NEW, "/projects/1/edit/", "/projects/duplicates/?name=x", "/projects/counts-in/"])
def test_anonymous_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_htmx_post_swaps_the_form_or_redirects(client_of, staff_user):
    client = client_of(staff_user)
    response = client.post(NEW, lead_data(staff_user, origin=""), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith("{#") is False
    assert "<html" not in body and 'id="project-form"' in body and "请选择资金来源。" in body
    response = client.post(NEW, lead_data(staff_user), HTTP_HX_REQUEST="true")
    project = Project.objects.get()
    assert response.status_code == 200 and response["HX-Redirect"] == f"/projects/{project.pk}/"


# --- Duplicates -----------------------------------------------------------------------------------


def test_a_duplicate_lead_needs_an_explicit_create_anyway(client_of, staff_user):
    other = UnitFactory(name="衢江区")
    owner = UserFactory(role=Role.STAFF, unit=other, first_name="丽", last_name="王")
    existing = ProjectFactory(name="恒远锂电项目", investor="杭州恒远新能源股份有限公司", unit=other, owner=owner)
    client = client_of(staff_user)
    response = client.post(NEW, lead_data(staff_user))
    body = response.content.decode()
    assert response.status_code == 200 and Project.objects.count() == 1  # not created
    assert "可能重复的项目" in body and f'href="/projects/{existing.pk}/"' in body
    assert "衢江区" in body and "线索" in body and "王丽" in body
    assert ">仍然创建</button>" in body and ">保存</button>" not in body
    assert 'value="年产5万吨锂电池正极材料项目"' in body
    confirm = body.split('name="confirm_duplicate" value="')[1].split('"')[0]
    # A confirmation is for the name and investor it was shown for.
    changed = lead_data(staff_user, name="恒远锂电二期项目", confirm_duplicate=confirm)
    assert client.post(NEW, changed).status_code == 200 and Project.objects.count() == 1
    response = client.post(NEW, lead_data(staff_user, confirm_duplicate=confirm))
    assert response.status_code == 302
    assert Project.objects.count() == 2
    assert Project.objects.filter(investor="杭州恒远新能源有限公司").count() == 1  # exactly one


def test_without_candidates_save_creates_at_once(client_of, staff_user):
    ProjectFactory(name="吉利汽车项目", investor="浙江吉利控股集团", unit=staff_user.unit)
    response = client_of(staff_user).post(NEW, lead_data(staff_user))
    assert response.status_code == 302 and Project.objects.count() == 2


def test_duplicates_partial(client_of, staff_user, django_assert_num_queries, django_assert_max_num_queries):
    ProjectFactory(name="华友钴业项目", investor="浙江华友钴业股份有限公司", unit=staff_user.unit)
    client = client_of(staff_user)
    url = "/projects/duplicates/"
    query = {"name": "", "investor": "浙江 华友钴业（集团）"}
    response = client.get(url, query, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "可能重复的项目" in body and "华友钴业项目" in body and "柯城区" in body
    assert "<html" not in body
    assert "可能重复" not in client.get(url, {"name": "毫不相干", "investor": ""}).content.decode()
    with django_assert_max_num_queries(6) as one:  # session, user, candidates, their rows
        client.get(url, query)
    for number in range(6):
        ProjectFactory(name=f"华友钴业项目{number}", investor="浙江华友钴业有限公司", unit=staff_user.unit)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url, query).content.decode().count("<li>") == 7


def test_duplicates_hide_other_units_confidential_projects(client_of, staff_user):
    ProjectFactory(name="保密项目", investor="浙江华友钴业股份有限公司", unit=UnitFactory(), confidential=True)
    body = client_of(staff_user).get("/projects/duplicates/", {"investor": "华友钴业"}).content.decode()
    assert "保密项目" not in body


# --- Editing --------------------------------------------------------------------------------------


def test_edit_own_unit(client_of, staff_user):
    project = ProjectFactory(unit=staff_user.unit, origin="out_of_city", category="service", name="旧名称")
    client = client_of(staff_user)
    response = client.get(f"/projects/{project.pk}/edit/")
    body = response.content.decode()
    assert response.status_code == 200 and 'value="旧名称"' in body
    assert '<option value="out_of_city" selected>' in field_html(body, "origin")
    data = lead_data(staff_user, name="新名称", origin="out_of_city", category="service", owner="")
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    project.refresh_from_db()
    assert project.name == "新名称" and project.stage == Project.Stage.LEAD
    assert project.history.latest().history_user == staff_user


def test_edit_errors_keep_what_was_typed(client_of, staff_user):
    project = ProjectFactory(unit=staff_user.unit, name="旧名称")
    response = client_of(staff_user).post(
        f"/projects/{project.pk}/edit/", lead_data(staff_user, name="改过的名称", total_investment="-1")
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'value="改过的名称"' in body and "总投资不能为负数" in body
    assert "修改项目：旧名称" in body
    project.refresh_from_db()
    assert project.name == "旧名称"


def test_edit_of_another_units_project_is_refused(client_of, staff_user, leader_user):
    project = ProjectFactory(unit=UnitFactory(), name="别人的项目")
    for user in (staff_user, leader_user):
        client = client_of(user)
        assert client.get(f"/projects/{project.pk}/edit/").status_code == 403
        response = client.post(f"/projects/{project.pk}/edit/", lead_data(staff_user, name="改掉"))
        assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "别人的项目"
    secret = ProjectFactory(unit=UnitFactory(), confidential=True)
    assert client_of(staff_user).get(f"/projects/{secret.pk}/edit/").status_code == 404


def test_edit_cannot_move_a_project_to_another_unit(client_of, staff_user):
    project = ProjectFactory(unit=staff_user.unit)
    other = UnitFactory()
    response = client_of(staff_user).post(f"/projects/{project.pk}/edit/", lead_data(staff_user, unit=other.pk))
    assert response.status_code == 200 and "只能选择本单位。" in response.content.decode()
    project.refresh_from_db()
    assert project.unit == staff_user.unit


# --- The 计入 note --------------------------------------------------------------------------------


def test_note_asks_for_origin_and_category_first(client_of, staff_user):
    body = client_of(staff_user).get("/projects/counts-in/", {"origin": "out_of_city"}).content.decode()
    assert "请先选择资金来源和项目类别" in body and "<html" not in body


COMBINATIONS = [
    # (form values, indicator codes the note names)
    (
        {"origin": "out_of_province", "category": "industrial", "total_investment": "20000"},
        {"signed_capital", "major_projects", "delivered_capital", "out_of_province_delivered"},
    ),
    (
        {"origin": "out_of_city", "category": "industrial", "total_investment": "5000"},
        {"signed_capital", "delivered_capital"},
    ),
    (
        {"origin": "local", "category": "social", "total_investment": "800"},
        {"social_projects", "social_delivered"},
    ),
    (
        {"origin": "out_of_province", "category": "service", "total_investment": "3000",
         "returning_merchant": "on", "mountain_sea": "on"},
        {"signed_capital", "delivered_capital", "out_of_province_delivered", "returning_merchant_delivered",
         "mountain_sea_projects", "mountain_sea_signed", "mountain_sea_delivered"},
    ),
    ({"origin": "local", "category": "industrial", "total_investment": "50000"}, set()),
]  # fmt: skip


@pytest.mark.parametrize(("values", "codes"), COMBINATIONS)
def test_note_says_what_the_monthly_report_then_counts(client_of, staff_user, values, codes):
    note = counts_in(values)
    assert {indicator.code for indicator in note["on_signing"] + note["on_delivery"]} == codes
    body = client_of(staff_user).get("/projects/counts-in/", values).content.decode()
    for indicator in note["on_signing"]:
        assert indicator.name in body
    if not codes:
        assert "不计入任何考核指标" in body
    # The lead, created through the form, then signed and delivered: the report counts exactly those.
    response = client_of(staff_user).post(NEW, lead_data(staff_user, **values))
    assert response.status_code == 302, response.content.decode()
    project = Project.objects.get()
    today = timezone.localdate()
    project_save(actor=staff_user, project=project, stage="signed", signed_on=today, signed_amount=1000)
    delivery_record(actor=staff_user, project=project, delivered_on=today, amount=100)
    assert CapitalDelivery.objects.count() == 1
    counted = {
        row.indicator.code
        for row in build_rows(year=today.year, month=today.month)
        if row.unit_id is None and row.ytd_value
    }
    assert counted == codes


def test_form_queries_do_not_grow_with_the_choices(client_of, staff_user, django_assert_max_num_queries):
    from tests.factories import ContactFactory, EventFactory, ParcelFactory

    client = client_of(staff_user)
    ContactFactory()
    with django_assert_max_num_queries(40) as few:
        assert client.get(NEW).status_code == 200
    for _ in range(15):
        ContactFactory(), EventFactory(), ParcelFactory(unit=staff_user.unit), IndustryFactory()
        UserFactory(role=Role.STAFF, unit=staff_user.unit)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(NEW).content.decode().count("<option") > 90


def test_the_live_check_on_edit_leaves_the_project_itself_out(client_of, staff_user):
    project = ProjectFactory(unit=staff_user.unit, name="华友钴业项目", investor="浙江华友钴业股份有限公司")
    client = client_of(staff_user)
    body = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert f'id="id_exclude" name="exclude" value="{project.pk}"' in body
    query = {"name": project.name, "investor": project.investor}
    assert "可能重复" not in client.get("/projects/duplicates/", {**query, "exclude": project.pk}).content.decode()
    assert "可能重复" in client.get("/projects/duplicates/", query).content.decode()


def test_a_refusal_about_a_field_not_on_the_form_shows_above_it(client_of, staff_user):
    # Stored around the rules (an old import, say): a planned signing date beyond the horizon.
    project = ProjectFactory(unit=staff_user.unit, name="旧数据项目", signed_on=datetime.date(2090, 1, 1))
    data = lead_data(staff_user, name="旧数据项目（更正）")
    response = client_of(staff_user).post(f"/projects/{project.pk}/edit/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "签约日期不能晚于" in body.split('class="form-errors"')[1].split("</div>")[0]
    project.refresh_from_db()
    assert project.name == "旧数据项目"


@pytest.mark.parametrize("url", ["/projects/duplicates/?investor=华友钴业", "/projects/counts-in/?origin=local"])
def test_the_partials_refuse_an_api_reader(client_of, db, url):
    response = client_of(UserFactory(role=Role.API_READER)).get(url)
    assert response.status_code == 403 and "接口只读账号" in response.content.decode()
