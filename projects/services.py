"""Writes about projects, their capital deliveries and their follow-up timeline.

Every write validates with the model's own rules (`full_clean`) and records its actor in the audit
trail; the rules themselves live in `projects.models`.
"""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audited_delete, audited_save
from core.errors import ConflictError

from .models import Activity, CapitalDelivery, Project


def _lock_project(project_id: int) -> Project:
    """The project, re-read and locked for this transaction.

    A project's rules look at its deliveries and a delivery's rules look at its project, so a
    project change and a new delivery could each pass alone and break the pair together (a tranche
    recorded while the project is moved back to negotiating). Both lock the project row first, which
    makes them take turns. (SQLite serialises writers anyway; this matters on PostgreSQL.)
    """
    return Project.objects.select_for_update().get(pk=project_id)


# --- Projects -------------------------------------------------------------------------------------


@transaction.atomic
def project_create(*, actor: User | None, **fields) -> Project:
    return audited_save(Project(), actor=actor, **fields)


@transaction.atomic
def project_update(*, actor: User | None, project: Project, **fields) -> Project:
    """Change a project; dropping it (stage `dropped`) keeps its deliveries, which still count."""
    _lock_project(project.pk)
    return audited_save(project, actor=actor, **fields)


@transaction.atomic
def project_delete(*, actor: User | None, project: Project) -> None:
    """Delete a project; one with capital deliveries is refused (the foreign key protects them)."""
    _lock_project(project.pk)
    try:
        audited_delete(project, actor=actor)
    except ProtectedError:
        raise ConflictError(
            _("项目“%(name)s”已登记到位资金，不能删除；如不再推进，请将阶段改为“终止”。") % {"name": project.name},
            code="project_has_deliveries",
        ) from None


# --- Capital deliveries ---------------------------------------------------------------------------


def _save_delivery(
    delivery: CapitalDelivery, *, actor: User | None, project: Project | None = None, **fields
) -> CapitalDelivery:
    # Validate against the project as stored, and locked (see _lock_project), not a caller's copy.
    delivery.project = _lock_project(project.pk if project is not None else delivery.project_id)
    return audited_save(delivery, actor=actor, **fields)


@transaction.atomic
def delivery_record(*, actor: User | None, project: Project, **fields) -> CapitalDelivery:
    """Record a tranche of delivered capital (delivered_on, amount, note) for a signed project."""
    return _save_delivery(CapitalDelivery(), actor=actor, project=project, **fields)


@transaction.atomic
def delivery_update(*, actor: User | None, delivery: CapitalDelivery, **fields) -> CapitalDelivery:
    return _save_delivery(delivery, actor=actor, **fields)


@transaction.atomic
def delivery_delete(*, actor: User | None, delivery: CapitalDelivery) -> None:
    audited_delete(delivery, actor=actor)


# --- Follow-up timeline ---------------------------------------------------------------------------


@transaction.atomic
def activity_record(*, actor: User | None, project: Project, **fields) -> Activity:
    """Add an entry to a project's follow-up timeline, recorded by `actor`.

    Activities are not in the audit trail; `created_by` is their record of who wrote them.
    """
    activity = Activity(project=project, created_by=actor, **fields)
    activity.full_clean()
    activity.save()
    return activity
