"""The audit trail: every create, update and delete of projects, deliveries, targets, indicators and
units is recorded with its user, the UTC time and the changed fields — through the services (also
outside a request) and through the admin (the signed-in user)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit
from accounts.services import unit_create, unit_save
from projects import services as project_services
from projects.models import CapitalDelivery, Project
from targets import services as target_services
from targets.models import Indicator, Target
from tests.factories import IndicatorFactory, IndustryFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class Case:
    create: Callable[..., models.Model]
    update: Callable[..., object]
    changed: set[str]
    delete: Callable[..., None] | None = None


def _project(actor):
    return project_services.project_create(actor=actor, name="根根陶瓷", unit=UnitFactory(), origin="out_of_province")


def _delivery(actor):
    project = ProjectFactory(signed=True)
    return project_services.delivery_record(
        actor=actor, project=project, delivered_on=datetime.date(2011, 5, 1), amount=Decimal("500.00")
    )


def _target(actor):
    return target_services.target_create(
        actor=actor, year=2011, indicator=Indicator.objects.get(code="signed_capital"), value=Decimal("3200000")
    )


def _indicator(actor):
    return target_services.indicator_create(
        actor=actor, code="listed_signed", name="上市公司协议引资额", measure=Indicator.Measure.SIGNED_AMOUNT
    )


def _unit(actor):
    return unit_create(actor=actor, code="qujiang", name="衢江区", kind=Unit.Kind.COUNTY)


CASES = {
    "project": Case(
        create=_project,
        update=lambda actor, p: project_services.project_save(
            actor=actor, project=p, name="根根陶瓷二期", returning_merchant=True
        ),
        changed={"name", "returning_merchant"},
        delete=lambda actor, p: project_services.project_delete(actor=actor, project=p),
    ),
    "delivery": Case(
        create=_delivery,
        update=lambda actor, d: project_services.delivery_save(actor=actor, delivery=d, amount=Decimal("550.00")),
        changed={"amount"},
        delete=lambda actor, d: project_services.delivery_delete(actor=actor, delivery=d),
    ),
    "target": Case(
        create=_target,
        update=lambda actor, t: target_services.target_save(actor=actor, target=t, value=Decimal("3300000")),
        changed={"value"},
        delete=lambda actor, t: target_services.target_delete(actor=actor, target=t),
    ),
    "indicator": Case(
        create=_indicator,
        update=lambda actor, i: target_services.indicator_save(
            actor=actor, indicator=i, name="上市公司签约额", industries=[IndustryFactory()]
        ),
        changed={"name", "industries"},
    ),
    "unit": Case(
        create=_unit,
        update=lambda actor, u: unit_save(actor=actor, unit=u, group="第一组"),
        changed={"group"},
    ),
}


def history_of(obj: models.Model, pk: int | None = None):
    """An object's history, oldest first; pass `pk` once the object is deleted (delete() clears it)."""
    return type(obj).history.filter(id=pk or obj.pk).order_by("history_date", "history_id")


def assert_utc_and_recent(record) -> None:
    assert record.history_date.utcoffset() == datetime.timedelta(0)
    assert abs(timezone.now() - record.history_date) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("name", CASES)
def test_service_writes_record_actor_utc_time_type_and_changed_fields(name):
    case = CASES[name]
    creator, editor = UserFactory(role="admin"), UserFactory(role="staff")
    obj = case.create(creator)
    pk = obj.pk
    case.update(editor, obj)
    if case.delete:
        case.delete(creator, obj)

    records = list(history_of(obj, pk))
    expected = [("+", creator), ("~", editor)] + ([("-", creator)] if case.delete else [])
    assert [(r.history_type, r.history_user) for r in records] == expected
    for record in records:
        assert_utc_and_recent(record)
    created, updated = records[0], records[1]
    assert set(updated.diff_against(created).changed_fields) == case.changed


def test_an_indicator_created_with_industries_records_them_after_its_creation():
    actor = UserFactory(role="admin")
    industries = [IndustryFactory(), IndustryFactory()]
    indicator = target_services.indicator_create(
        actor=actor, code="new_materials", name="新材料协议引资额", measure="signed_amount", industries=industries
    )
    created, industries_set = history_of(indicator)
    assert (created.history_type, industries_set.history_type) == ("+", "~")
    assert {created.history_user, industries_set.history_user} == {actor}
    assert industries_set.diff_against(created).changed_fields == ["industries"]
    assert {row.industry for row in industries_set.industries.all()} == set(industries)


def test_a_refused_write_records_no_history():
    actor = UserFactory(role="admin")
    target = _target(actor)
    with pytest.raises(ValidationError):
        target_services.target_create(actor=actor, year=2011, indicator=target.indicator, value=Decimal("1"))
    with pytest.raises(ValidationError):
        unit_create(actor=actor, code="bad code", name="单位", kind=Unit.Kind.COUNTY)
    assert Target.history.count() == 1
    assert Unit.history.filter(code="bad code").count() == 0


# --- through the admin ----------------------------------------------------------------------------


def _project_form(project: Project, **changes) -> dict:
    """The admin change form of a project as a browser posts it: every field, both inlines empty."""
    data = {
        "name": project.name, "investor": project.investor, "investor_kind": project.investor_kind,
        "unit": project.unit_id, "category": project.category, "origin": project.origin,
        "channel": project.channel, "stage": project.stage, "total_investment": project.total_investment,
        "signed_amount": project.signed_amount or "", "signed_on": project.signed_on or "", "notes": project.notes,
    }
    for prefix in ("deliveries", "activities"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0,
                 f"{prefix}-MAX_NUM_FORMS": 1000}
    return data | changes


def test_an_admin_change_records_the_signed_in_user(client, admin_user):
    project = ProjectFactory(signed=True, name="欧派门业")
    client.force_login(admin_user)
    data = _project_form(
        project,
        total_investment="12000.00",
        **{"deliveries-TOTAL_FORMS": 1, "deliveries-0-delivered_on": "2011-04-01", "deliveries-0-amount": "800.00"},
    )
    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    created, changed = history_of(project)
    assert (changed.history_type, changed.history_user) == ("~", admin_user)
    assert changed.diff_against(created).changed_fields == ["total_investment"]
    assert_utc_and_recent(changed)
    delivery = CapitalDelivery.objects.get(project=project)
    assert [(r.history_type, r.history_user) for r in history_of(delivery)] == [("+", admin_user)]


@pytest.mark.parametrize(
    ("make", "url_name"),
    [(IndicatorFactory, "admin:targets_indicator_delete"), (UnitFactory, "admin:accounts_unit_delete")],
    ids=["indicator", "unit"],
)
def test_an_admin_delete_records_the_signed_in_user(client, admin_user, make, url_name):
    obj = make()
    pk = obj.pk
    client.force_login(admin_user)
    response = client.post(reverse(url_name, args=[obj.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    deleted = history_of(obj, pk).last()
    assert (deleted.history_type, deleted.history_user) == ("-", admin_user)
    assert_utc_and_recent(deleted)
