"""The Django admin: every page of every model opens, changelists cost the same number of queries
for 2 rows as for 20, the computed totals are right, the history is visible, the model rules hold,
and leaders look but do not touch."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ApiToken, Role, Unit, User
from accounts.tokens import token_issue
from chambers.models import Agreement, Chamber, Contact, Event
from projects import services as project_services
from projects.models import Activity, CapitalDelivery, Industry, Parcel, Project
from targets.models import Indicator, Report, ReportRow, Target, UnitGroup
from tests.factories import (
    ActivityFactory,
    AgreementFactory,
    CapitalDeliveryFactory,
    ChamberFactory,
    ContactFactory,
    EventFactory,
    IndicatorFactory,
    IndustryFactory,
    ParcelFactory,
    ProjectFactory,
    ReportFactory,
    ReportRowFactory,
    TargetFactory,
    UnitFactory,
    UnitGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

_months = itertools.count()


def _report() -> Report:
    """A report of a month no other test row uses: (year, month) is unique."""
    i = next(_months)
    return ReportFactory(year=2000 + i // 12, month=i % 12 + 1)


# How to make a row of each registered model, with its foreign keys filled, so a changelist that
# forgot a select_related shows it as queries growing with the rows.
MAKERS = {
    Unit: lambda: UnitFactory(group="第一组"),
    User: lambda: UserFactory(role=Role.STAFF),
    ApiToken: lambda: token_issue(user=UserFactory(role=Role.API_READER))[0],
    Chamber: ChamberFactory,
    Contact: ContactFactory,
    Agreement: AgreementFactory,
    Event: lambda: EventFactory(organizer=UnitFactory()),
    Industry: IndustryFactory,
    Parcel: ParcelFactory,
    Project: lambda: CapitalDeliveryFactory(project__industry=IndustryFactory()).project,
    CapitalDelivery: CapitalDeliveryFactory,
    Activity: lambda: ActivityFactory(created_by=UserFactory(role=Role.ADMIN), contact=ContactFactory()),
    Indicator: IndicatorFactory,
    Target: lambda: TargetFactory(unit=UnitFactory()),
    UnitGroup: lambda: UnitGroupFactory(units=[UnitFactory(), UnitFactory()]),
    Report: _report,
    ReportRow: lambda: ReportRowFactory(report=_report(), unit=UnitFactory()),
}
READ_ONLY = {Report, ReportRow, ApiToken}  # a token is issued by the API only
OUR_APPS = {"accounts", "chambers", "projects", "targets"}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def model_id(model) -> str:
    return model._meta.label


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_model_of_the_apps_is_registered():
    registered = {model for model in admin.site._registry if model._meta.app_label in OUR_APPS}
    assert registered == set(MAKERS)


@pytest.mark.parametrize("model", MAKERS, ids=model_id)
def test_changelist_add_and_change_pages_open(admin_client, model):
    obj = MAKERS[model]()
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


@pytest.mark.parametrize("model", MAKERS, ids=model_id)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model, django_assert_max_num_queries):
    changelist = url(model, "changelist")
    for _ in range(2):
        MAKERS[model]()
    admin_client.get(changelist)  # warm the caches a first request fills (content types, sessions)
    with CaptureQueriesContext(connection) as few_rows:
        assert admin_client.get(changelist).status_code == 200

    for _ in range(18):
        MAKERS[model]()
    with django_assert_max_num_queries(len(few_rows)):
        response = admin_client.get(changelist)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 20


# --- computed totals ------------------------------------------------------------------------------


def test_project_delivered_total_in_the_changelist_and_on_the_change_page(admin_client):
    project = ProjectFactory(signed=True, name="华友电池材料")
    CapitalDeliveryFactory(project=project, amount=Decimal("1000.00"))
    CapitalDeliveryFactory(project=project, amount=Decimal("234.50"))
    nothing_yet = ProjectFactory(signed=True)

    response = admin_client.get(url(Project, "changelist"))
    totals = {p.pk: p.delivered_sum for p in response.context["cl"].result_list}
    assert totals == {project.pk: Decimal("1234.50"), nothing_yet.pk: Decimal("0.00")}
    assert '<td class="field-delivered_total">1234.50</td>' in response.content.decode()

    change_page = admin_client.get(url(Project, "change", project.pk)).content.decode()
    assert '<div class="readonly">1234.50</div>' in change_page


def test_event_signed_count_and_total_count_only_signed_projects_not_dropped(admin_client):
    event = EventFactory(name="天下浙商家乡行", invited_count=135)
    ProjectFactory(event=event, signed=True, signed_amount=Decimal("3000.00"))
    ProjectFactory(event=event, signed=True, stage=Project.Stage.STARTED, started_on=datetime.date(2011, 4, 1),
                   signed_amount=Decimal("2000.00"))
    ProjectFactory(event=event, signed=True, stage=Project.Stage.PRODUCING, started_on=datetime.date(2011, 4, 1),
                   producing_on=datetime.date(2011, 9, 1), signed_amount=Decimal("1000.50"))
    ProjectFactory(event=event, signed=True, stage=Project.Stage.DROPPED, dropped_on=datetime.date(2011, 6, 1),
                   signed_amount=Decimal("50000.00"))
    ProjectFactory(event=event, stage=Project.Stage.NEGOTIATING)
    quiet = EventFactory(name="广东经贸洽谈会")

    response = admin_client.get(url(Event, "changelist"))
    totals = {e.pk: (e.signed_count, e.signed_total) for e in response.context["cl"].result_list}
    assert totals == {event.pk: (3, Decimal("6000.50")), quiet.pk: (0, Decimal("0.00"))}
    html = response.content.decode()
    assert '<td class="field-signed_count">3</td>' in html
    assert '<td class="field-signed_total">6000.50</td>' in html

    change_page = admin_client.get(url(Event, "change", event.pk)).content.decode()
    assert '<div class="readonly">3</div>' in change_page
    assert '<div class="readonly">6000.50</div>' in change_page


# --- history --------------------------------------------------------------------------------------


def test_a_projects_history_page_shows_who_changed_what(admin_client, admin_user):
    editor = UserFactory(role=Role.ADMIN, username="zhang_wei")
    project = project_services.project_create(actor=admin_user, name="久阳光电", unit=UnitFactory())
    project_services.project_save(actor=editor, project=project, name="久阳光电二期")

    response = admin_client.get(url(Project, "history", project.pk))
    assert response.status_code == 200
    latest = response.context["page_obj"].object_list[0]
    assert latest.history_user == editor
    assert [(c["field"], c["old"], c["new"]) for c in latest.history_delta_changes] == [
        ("项目名称", "久阳光电", "久阳光电二期")
    ]
    html = response.content.decode()
    assert "zhang_wei" in html and "久阳光电二期" in html


# --- the model rules hold in the admin ------------------------------------------------------------


def _project_form(project: Project, **changes) -> dict:
    data = {
        "name": project.name, "investor_kind": project.investor_kind, "unit": project.unit_id,
        "category": project.category, "origin": project.origin, "channel": project.channel,
        "stage": project.stage, "total_investment": project.total_investment,
    }
    for prefix in ("deliveries", "activities"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data | changes


def test_the_project_form_refuses_what_the_model_refuses(admin_client):
    project = ProjectFactory(name="某项目")
    response = admin_client.post(url(Project, "change", project.pk), _project_form(project, stage="signed"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signed_on"] == ["签约及以后阶段的项目须填写签约日期。"]
    project.refresh_from_db()
    assert project.stage == Project.Stage.LEAD


def test_a_delivery_added_inline_obeys_the_delivery_rules(admin_client):
    project = ProjectFactory(signed=True)
    data = _project_form(
        project, signed_on="2011-03-15", signed_amount="5000.00",
        **{"deliveries-TOTAL_FORMS": 1, "deliveries-0-delivered_on": "2011-03-01", "deliveries-0-amount": "10"},
    )
    response = admin_client.post(url(Project, "change", project.pk), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors == [{"delivered_on": ["到位日期不能早于项目签约日期（2011-03-15）。"]}]
    assert CapitalDelivery.objects.count() == 0


def test_an_activity_added_inline_is_recorded_by_the_signed_in_user(admin_client, admin_user):
    project = ProjectFactory()
    data = _project_form(project, **{
        "activities-TOTAL_FORMS": 1, "activities-0-happened_on": "2011-04-01", "activities-0-kind": "visit",
        "activities-0-summary": "上门拜访。",
    })
    response = admin_client.post(url(Project, "change", project.pk), data)
    assert response.status_code == 302
    assert Activity.objects.get(project=project).created_by == admin_user


# --- users: the role decides the group and the admin-site flags ----------------------------------


def test_adding_a_user_in_the_admin_gives_the_roles_group(admin_client):
    response = admin_client.post(url(User, "add"), {
        "username": "li_na", "usable_password": "true", "password1": "Quzhou-2011!", "password2": "Quzhou-2011!",
        "role": Role.LEADER, "unit": "",
    })
    assert response.status_code == 302
    user = User.objects.get(username="li_na")
    assert (user.role, user.is_staff, user.is_superuser) == (Role.LEADER, True, False)
    assert list(user.groups.values_list("name", flat=True)) == [Role.LEADER]


def test_changing_a_users_role_in_the_admin_moves_the_group(admin_client, unit):
    user = UserFactory(role=Role.LEADER, username="wang_fang")
    response = admin_client.post(url(User, "change", user.pk), {
        "username": "wang_fang", "role": Role.STAFF, "unit": unit.pk, "is_active": "on",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.unit, user.is_staff, user.is_superuser) == (Role.STAFF, unit, False, False)
    assert list(user.groups.values_list("name", flat=True)) == [Role.STAFF]


def test_a_staff_user_without_a_unit_is_refused_in_the_admin(admin_client):
    user = UserFactory(role=Role.LEADER, username="zhao_lei")
    response = admin_client.post(url(User, "change", user.pk), {
        "username": "zhao_lei", "role": Role.STAFF, "unit": "", "is_active": "on",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["unit"] == ["招商专员必须属于一个责任单位。"]
    user.refresh_from_db()
    assert user.role == Role.LEADER
    assert list(user.groups.values_list("name", flat=True)) == [Role.LEADER]


# --- reports are read-only ------------------------------------------------------------------------


def test_a_published_report_and_its_rows_can_be_viewed_not_changed(admin_client):
    published_at = datetime.datetime(2012, 1, 5, tzinfo=datetime.UTC)
    report = ReportFactory(status=Report.Status.PUBLISHED, published_at=published_at)
    row = ReportRowFactory(report=report, indicator=Indicator.objects.get(code="signed_capital"),
                           ytd_value=Decimal("4320000.00"))

    page = admin_client.get(url(Report, "change", report.pk))
    assert page.status_code == 200
    assert row.indicator.name in page.content.decode()
    assert "4320000.00" in page.content.decode()
    assert page.context["has_change_permission"] is False
    assert admin_client.post(url(Report, "change", report.pk), {"status": "queued"}).status_code == 403
    assert admin_client.post(url(Report, "delete", report.pk), {"post": "yes"}).status_code == 403
    assert admin_client.post(url(ReportRow, "delete", row.pk), {"post": "yes"}).status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert ReportRow.objects.filter(pk=row.pk).exists()


# --- leaders: view only ---------------------------------------------------------------------------


def test_a_leader_views_projects_but_cannot_add_or_change_them(client, leader_user):
    project = ProjectFactory(name="欧派门业", confidential=True)
    client.force_login(leader_user)

    changelist = client.get(url(Project, "changelist"))
    assert changelist.status_code == 200
    assert [p.pk for p in changelist.context["cl"].result_list] == [project.pk]
    assert client.get(url(Project, "change", project.pk)).status_code == 200
    assert client.get(url(Project, "add")).status_code == 403
    assert client.post(url(Project, "change", project.pk), _project_form(project, name="改名")).status_code == 403
    project.refresh_from_db()
    assert project.name == "欧派门业"


def test_a_leader_cannot_open_the_user_admin(client, leader_user):
    client.force_login(leader_user)
    assert client.get(url(User, "changelist")).status_code == 403
