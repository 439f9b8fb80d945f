"""The project services: each write validates with the model's rules, saves, and names its actor;
a refused write raises with the field and message and leaves the database as it was."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import ConflictError
from projects import services
from projects.models import Activity, CapitalDelivery, Project
from tests.factories import ActivityFactory, CapitalDeliveryFactory, ContactFactory, ProjectFactory

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2011, 3, 15)


def refused(call, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.message_dict == {field: [message]}


def stored(obj) -> dict:
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


# --- project_create / project_save / project_delete ---------------------------------------------


def test_project_create_saves_a_valid_project(admin_user, unit):
    project = services.project_create(
        actor=admin_user, name="华友电池材料", investor="华友钴业", unit=unit, stage=Project.Stage.SIGNED,
        signed_on=SIGNED_ON, signed_amount=Decimal("189500.00"), total_investment=Decimal("600000.00"),
    )
    project.refresh_from_db()
    assert (project.name, project.unit, project.stage) == ("华友电池材料", unit, Project.Stage.SIGNED)
    assert project.signed_amount == Decimal("189500.00")
    assert project.history.get().history_user == admin_user


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"stage": "signed", "signed_amount": Decimal("1")}, "signed_on", "签约及以后阶段的项目须填写签约日期。"),
        ({"total_investment": Decimal("-1")}, "total_investment", "总投资不能为负数。"),
        ({"returning_merchant": True, "origin": "local"}, "returning_merchant", "浙商回归项目的资金来源必须是“省外”。"),
    ],
)
def test_project_create_refuses_a_broken_rule_and_writes_nothing(admin_user, unit, fields, field, message):
    refused(lambda: services.project_create(actor=admin_user, name="新项目", unit=unit, **fields), field, message)
    assert Project.objects.count() == 0
    assert Project.history.count() == 0


def test_project_create_refuses_an_unknown_field(admin_user, unit):
    with pytest.raises(TypeError):
        services.project_create(actor=admin_user, name="新项目", unit=unit, delivered_total=Decimal("1"))
    assert Project.objects.count() == 0


def test_project_save_saves_the_change(admin_user):
    project = ProjectFactory(signed=True)
    services.project_save(
        actor=admin_user, project=project, stage=Project.Stage.STARTED, started_on=datetime.date(2011, 6, 1)
    )
    project.refresh_from_db()
    assert (project.stage, project.started_on) == (Project.Stage.STARTED, datetime.date(2011, 6, 1))


def test_project_save_refuses_a_start_before_signing_and_keeps_the_row(admin_user):
    project = ProjectFactory(signed=True)
    before, history = stored(project), project.history.count()
    refused(
        lambda: services.project_save(
            actor=admin_user, project=project, stage=Project.Stage.STARTED, started_on=datetime.date(2011, 1, 1)
        ),
        "started_on", "开工日期不能早于签约日期。",
    )
    assert stored(project) == before
    assert project.history.count() == history


def test_project_with_deliveries_cannot_go_back_before_signing(admin_user):
    delivery = CapitalDeliveryFactory()
    project = delivery.project
    before = stored(project)
    refused(
        lambda: services.project_save(actor=admin_user, project=project, stage=Project.Stage.NEGOTIATING),
        "stage", "已有到位资金的项目不能退回签约前的阶段。",
    )
    assert stored(project) == before


def test_dropping_a_project_keeps_its_deliveries(admin_user):
    delivery = CapitalDeliveryFactory(amount=Decimal("1895.00"))
    project = delivery.project
    services.project_save(
        actor=admin_user, project=project, stage=Project.Stage.DROPPED, dropped_on=datetime.date(2011, 9, 1)
    )
    project.refresh_from_db()
    assert project.stage == Project.Stage.DROPPED
    assert list(project.deliveries.values_list("amount", flat=True)) == [Decimal("1895.00")]


def test_project_delete_removes_a_project_without_deliveries_and_its_timeline(admin_user):
    project = ProjectFactory()
    ActivityFactory(project=project)
    services.project_delete(actor=admin_user, project=project)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Activity.objects.count() == 0


def test_project_delete_with_deliveries_is_a_conflict_and_the_project_remains(admin_user):
    delivery = CapitalDeliveryFactory()
    project = delivery.project
    ActivityFactory(project=project)
    with pytest.raises(ConflictError) as info:
        services.project_delete(actor=admin_user, project=project)
    assert info.value.code == "project_has_deliveries"
    assert info.value.messages == [f"项目“{project.name}”已登记到位资金，不能删除；如不再推进，请将阶段改为“终止”。"]
    assert Project.objects.filter(pk=project.pk).exists()
    assert CapitalDelivery.objects.filter(pk=delivery.pk).exists()
    assert Activity.objects.filter(project=project).count() == 1
    assert project.history.filter(history_type="-").count() == 0


# --- delivery_record / delivery_save / delivery_delete ------------------------------------------


def test_delivery_record_saves_a_tranche(admin_user):
    project = ProjectFactory(signed=True)
    delivery = services.delivery_record(
        actor=admin_user, project=project, delivered_on=datetime.date(2011, 4, 1), amount=Decimal("18950.00"),
        note="一期",
    )
    delivery.refresh_from_db()
    assert (delivery.project, delivery.amount, delivery.note) == (project, Decimal("18950.00"), "一期")
    assert delivery.history.get().history_user == admin_user


@pytest.mark.parametrize(
    ("stage_fields", "fields", "field", "message"),
    [
        ({}, {"amount": Decimal("0")}, "amount", "到位金额必须大于 0。"),
        (
            {}, {"delivered_on": datetime.date(2011, 3, 14)},
            "delivered_on", "到位日期不能早于项目签约日期（2011-03-15）。",
        ),
        ({}, {"delivered_on": datetime.date(2999, 1, 1)}, "delivered_on", "到位日期不能晚于今天。"),
        ({"signed": False}, {}, "project", "只有签约及以后阶段的项目才能登记到位资金。"),
    ],
)
def test_delivery_record_refuses_a_broken_rule_and_writes_nothing(admin_user, stage_fields, fields, field, message):
    project = ProjectFactory(**{"signed": True, **stage_fields})
    values = {"delivered_on": datetime.date(2011, 4, 1), "amount": Decimal("100.00"), **fields}
    refused(lambda: services.delivery_record(actor=admin_user, project=project, **values), field, message)
    assert CapitalDelivery.objects.count() == 0
    assert CapitalDelivery.history.count() == 0


def test_delivery_record_validates_against_the_stored_project_not_the_callers_copy(admin_user):
    project = ProjectFactory()  # a lead in the database
    project.stage, project.signed_on, project.signed_amount = Project.Stage.SIGNED, SIGNED_ON, Decimal("1")
    refused(
        lambda: services.delivery_record(
            actor=admin_user, project=project, delivered_on=SIGNED_ON, amount=Decimal("100.00")
        ),
        "project", "只有签约及以后阶段的项目才能登记到位资金。",
    )
    assert CapitalDelivery.objects.count() == 0


def test_delivery_save_saves_and_refuses(admin_user):
    delivery = CapitalDeliveryFactory()
    services.delivery_save(actor=admin_user, delivery=delivery, amount=Decimal("2500.50"))
    delivery.refresh_from_db()
    assert delivery.amount == Decimal("2500.50")

    refused(
        lambda: services.delivery_save(actor=admin_user, delivery=delivery, amount=Decimal("-5")),
        "amount", "到位金额必须大于 0。",
    )
    delivery.refresh_from_db()
    assert delivery.amount == Decimal("2500.50")


def test_delivery_save_can_move_a_tranche_to_another_signed_project(admin_user):
    delivery = CapitalDeliveryFactory()
    other = ProjectFactory(signed=True)
    services.delivery_save(actor=admin_user, delivery=delivery, project=other)
    delivery.refresh_from_db()
    assert delivery.project == other


def test_delivery_delete(admin_user):
    delivery = CapitalDeliveryFactory()
    services.delivery_delete(actor=admin_user, delivery=delivery)
    assert CapitalDelivery.objects.count() == 0


# --- activity_record ------------------------------------------------------------------------------


def test_activity_record_sets_its_author(staff_user):
    project = ProjectFactory(unit=staff_user.unit)
    contact = ContactFactory()
    activity = services.activity_record(
        actor=staff_user, project=project, contact=contact, kind=Activity.Kind.MEETING,
        happened_on=datetime.date(2011, 4, 2), summary="洽谈二期用地。", next_action="报送方案",
        next_action_on=datetime.date(2011, 4, 20),
    )
    activity.refresh_from_db()
    assert (activity.created_by, activity.project, activity.contact) == (staff_user, project, contact)


def test_activity_record_refuses_a_next_step_before_the_activity(staff_user):
    project = ProjectFactory(unit=staff_user.unit)
    refused(
        lambda: services.activity_record(
            actor=staff_user, project=project, happened_on=datetime.date(2011, 4, 2), summary="电话沟通。",
            next_action_on=datetime.date(2011, 4, 1),
        ),
        "next_action_on", "下一步日期不能早于跟进日期。",
    )
    assert Activity.objects.count() == 0
