"""The removal log's limits: the nightly prune (projects.services.removals_prune, beat), and
`projects/removed/?since=` refusing with 410 a `since` it cannot answer in full: before the pruned
part of the log, or before the caller's own role or unit changed (accounts.services.user_save)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_create, user_save
from investpro.celery import app as celery_app
from projects import services
from projects.models import ProjectRemoval, RemovalLogStart
from projects.selectors import SCOPE_CHANGE_GRACE
from tests.api.helpers import token_client

REMOVED = "/api/v1/projects/removed/"
DAY = datetime.timedelta(days=1)


def removed(client, since: datetime.datetime):
    return client.get(REMOVED, {"since": since.isoformat()})


def aged(days: float) -> datetime.datetime:
    return timezone.now() - days * DAY


@pytest.fixture
def log(world):
    """Three removals, logged 40, 20 and 0 days ago (the default keeps 30)."""
    services.project_delete(actor=None, project=world.lead)
    services.project_save(actor=None, project=world.project, confidential=True)
    services.project_save(actor=None, project=world.other_project, confidential=True)
    entries = list(ProjectRemoval.objects.order_by("id"))
    for entry, days in zip(entries, (40, 20, 0), strict=True):
        ProjectRemoval.objects.filter(pk=entry.pk).update(removed_at=aged(days))
    return entries


# --- The prune ------------------------------------------------------------------------------------


def test_the_prune_drops_old_entries_keeps_recent_ones_and_moves_the_start(log):
    assert django_settings.SYNC_REMOVALS_KEEP_DAYS == 30
    assert services.removals_prune() == 1
    assert set(ProjectRemoval.objects.values_list("pk", flat=True)) == {log[1].pk, log[2].pk}
    start = RemovalLogStart.objects.get().complete_since
    assert aged(30) - datetime.timedelta(minutes=1) < start <= aged(30)
    assert services.removals_prune() == 0  # twice is harmless
    assert RemovalLogStart.objects.count() == 1


def test_the_start_never_moves_back(log, settings):
    settings.SYNC_REMOVALS_KEEP_DAYS = 10
    services.removals_prune()
    start = RemovalLogStart.objects.get().complete_since
    settings.SYNC_REMOVALS_KEEP_DAYS = 60  # what was deleted is gone: the log is complete from `start` only
    services.removals_prune()
    assert RemovalLogStart.objects.get().complete_since == start
    assert list(ProjectRemoval.objects.values_list("pk", flat=True)) == [log[2].pk]


def test_the_beat_job_calls_the_prune(log):
    entry = django_settings.CELERY_BEAT_SCHEDULE["sync-removals-prune"]
    celery_app.loader.import_default_modules()
    celery_app.tasks[entry["task"]].apply().get()  # the scheduled name is a registered task
    assert ProjectRemoval.objects.count() == 2


# --- A since before the pruned part of the log ----------------------------------------------------


def test_a_since_before_the_kept_log_is_410_and_after_it_200(log, api_as):
    services.removals_prune()
    client = api_as("reader")
    refused = removed(client, aged(31))
    assert refused.status_code == 410
    assert "全量同步" in refused.json()["detail"] and "30 天" in refused.json()["detail"]
    answered = removed(client, aged(29))
    assert answered.status_code == 200
    assert answered.json()["ids"] == sorted(entry.project_id for entry in log[1:])  # 20 days ago and today


def test_without_a_prune_any_since_is_answered(log, api_as):
    response = removed(api_as("reader"), aged(365))
    assert response.status_code == 200
    assert sorted(response.json()["ids"]) == sorted(entry.project_id for entry in log)


# --- A since before the caller's own role or unit changed -------------------------------------------


def test_a_change_of_unit_or_role_is_stamped_and_nothing_else_is(users, other_unit):
    staff = users["own_staff"]
    assert staff.scope_changed_at is None
    user_save(user=staff, first_name="伟")
    staff.refresh_from_db()
    assert staff.scope_changed_at is None
    user_save(user=staff, unit=other_unit)
    staff.refresh_from_db()
    assert timezone.now() - staff.scope_changed_at < datetime.timedelta(minutes=1)
    reader = users["reader"]
    user_save(user=reader, role=Role.LEADER)
    reader.refresh_from_db()
    assert reader.scope_changed_at is not None
    assert user_create(username="xinren", role=Role.API_READER).scope_changed_at is None  # no copy yet


def test_removed_since_before_the_callers_scope_changed_is_410(world, users, other_unit):
    since = timezone.now() - datetime.timedelta(seconds=1)
    staff = users["own_staff"]
    user_save(user=staff, unit=other_unit)
    client = token_client(staff)
    refused = removed(client, since)
    assert refused.status_code == 410 and "角色或所属单位" in refused.json()["detail"]
    # Within the grace after the change too (a request in flight then may have served the old scope).
    assert removed(client, staff.scope_changed_at + SCOPE_CHANGE_GRACE / 2).status_code == 410
    assert removed(client, staff.scope_changed_at + SCOPE_CHANGE_GRACE).status_code == 200
    assert removed(token_client(users["other_staff"]), since).status_code == 200  # only the changed user


def test_a_scope_change_made_in_the_admin_is_stamped(world, users, other_unit, client):
    """The admin's user page saves through accounts.services.user_save: the stamp follows."""
    admin = users["admin"]
    client.force_login(admin)
    staff = users["own_staff"]
    page = client.get(f"/admin/accounts/user/{staff.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(unit=other_unit.pk, role=Role.STAFF, date_joined_0="2011-01-01", date_joined_1="00:00:00")
    data.pop("password", None)
    data.pop("groups", None)
    response = client.post(f"/admin/accounts/user/{staff.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    staff.refresh_from_db()
    assert staff.unit == other_unit and staff.scope_changed_at is not None


# --- The contract ---------------------------------------------------------------------------------


def test_the_schema_documents_the_410(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    gone = schema["paths"][REMOVED]["get"]["responses"]["410"]
    assert "full pull" in gone["description"] and "SYNC_REMOVALS_KEEP_DAYS" in gone["description"]
    assert "application/json" in gone["content"]
