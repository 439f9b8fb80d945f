"""Writes about projects, their capital deliveries and follow-up timeline, ready land and industries:
the API, the admin and the commands all write through these functions.

Every write validates with the model's own rules (`full_clean`) and records its actor in the audit
trail; the rules themselves live in `projects.models`.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audited_delete, audited_save
from core.errors import ConflictError

from .models import Activity, CapitalDelivery, Industry, Parcel, Project, ProjectRemoval, RemovalLogStart


def _lock_project(project_id: int) -> Project:
    """The project, re-read and locked for this transaction.

    A project's rules look at its deliveries and a delivery's rules look at its project, so a
    project change and a new delivery could each pass alone and break the pair together (a tranche
    recorded while the project is moved back to negotiating). Both lock the project row first, which
    makes them take turns. (SQLite serialises writers anyway; this matters on PostgreSQL.)
    """
    return Project.objects.select_for_update().get(pk=project_id)


def _touch_project(project_id: int) -> None:
    """A change to a project's deliveries or timeline is a change of the project for REST clients that
    sync by `updated_at` (its delivered total is part of it): the project's time moves on too."""
    Project.objects.filter(pk=project_id).update(updated_at=timezone.now())


def _log_removal(stored: Project | None, project: Project) -> None:
    """Record a project that some callers can no longer see (ProjectRemoval): turned confidential,
    or moved to another unit while confidential (its old unit's people lose it)."""
    if not project.confidential or stored is None:
        return
    if not stored.confidential:
        _record_removal(stored, ProjectRemoval.Reason.CONFIDENTIAL)
    elif stored.unit_id != project.unit_id:
        _record_removal(stored, ProjectRemoval.Reason.MOVED)


def _record_removal(stored: Project, reason: str) -> None:
    """The entry keeps who could see the project before (its unit and confidentiality as stored)."""
    ProjectRemoval.objects.create(
        project_id=stored.pk, reason=reason, unit_id=stored.unit_id, confidential=stored.confidential
    )


@transaction.atomic
def removals_prune() -> int:
    """Delete the removal-log entries older than SYNC_REMOVALS_KEEP_DAYS and move the log's start
    (RemovalLogStart) up to that moment, in one transaction: a client asking for removals since an
    earlier time is then told to do a full pull instead of getting a list with holes. Returns the
    number of entries deleted. Safe to run twice (the start never moves back, even when the setting
    grows: what is deleted is gone)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.SYNC_REMOVALS_KEEP_DAYS)
    start, _created = RemovalLogStart.objects.select_for_update().get_or_create(
        pk=RemovalLogStart.ONLY, defaults={"complete_since": cutoff}
    )
    if cutoff > start.complete_since:
        start.complete_since = cutoff
        start.save(update_fields=["complete_since"])
    deleted, _by_model = ProjectRemoval.objects.filter(removed_at__lt=start.complete_since).delete()
    return deleted


# --- Projects -------------------------------------------------------------------------------------


@transaction.atomic
def project_save(*, actor: User | None, project: Project, **fields) -> Project:
    """Create (an unsaved `Project()`) or change a project; dropping one (stage `dropped`) keeps its
    deliveries, which still count. A stored project is locked first (see _lock_project)."""
    stored = _lock_project(project.pk) if project.pk is not None else None
    saved = audited_save(project, actor=actor, **fields)
    _parcel_follows_project(actor=actor, project=saved)
    _log_removal(stored, saved)
    return saved


def project_create(*, actor: User | None, **fields) -> Project:
    return project_save(actor=actor, project=Project(), **fields)


@transaction.atomic
def project_delete(*, actor: User | None, project: Project) -> None:
    """Delete a project; one with capital deliveries is refused (the foreign key protects them)."""
    stored = _lock_project(project.pk)
    _refuse_if_holding_land(project, _("项目“%(name)s”已意向地块“%(parcel)s”，不能删除；请先释放地块。"))
    try:
        audited_delete(project, actor=actor)
        _record_removal(stored, ProjectRemoval.Reason.DELETED)
    except ProtectedError:
        raise ConflictError(
            _("项目“%(name)s”已登记到位资金，不能删除；如不再推进，请将阶段改为“终止”。") % {"name": project.name},
            code="project_has_deliveries",
        ) from None


# --- Capital deliveries ---------------------------------------------------------------------------


@transaction.atomic
def delivery_save(
    *, actor: User | None, delivery: CapitalDelivery, project: Project | None = None, **fields
) -> CapitalDelivery:
    """Record (an unsaved `CapitalDelivery()` and its project) or change a tranche of delivered
    capital: delivered_on, amount, note, or the project it belongs to."""
    # Validate against the project as stored, and locked (see _lock_project), not a caller's copy.
    moved_from = delivery.project_id
    delivery.project = _lock_project(project.pk if project is not None else delivery.project_id)
    saved = audited_save(delivery, actor=actor, **fields)
    for project_id in {moved_from, saved.project_id} - {None}:
        _touch_project(project_id)
    return saved


def delivery_record(*, actor: User | None, project: Project, **fields) -> CapitalDelivery:
    """Record a tranche of delivered capital (delivered_on, amount, note) for a signed project."""
    return delivery_save(actor=actor, delivery=CapitalDelivery(), project=project, **fields)


@transaction.atomic
def delivery_delete(*, actor: User | None, delivery: CapitalDelivery) -> None:
    _lock_project(delivery.project_id)  # the project's delivered total changes
    audited_delete(delivery, actor=actor)
    _touch_project(delivery.project_id)


# --- Follow-up timeline ---------------------------------------------------------------------------
# Activities are not in the audit trail; `created_by` is their record of who wrote them.


@transaction.atomic
def activity_save(*, actor: User | None, activity: Activity, **fields) -> Activity:
    """Add (an unsaved `Activity()`) an entry to a project's follow-up timeline, written by `actor`,
    or correct one (the admin's; the API only adds)."""
    if activity.pk is None and activity.created_by_id is None:
        activity.created_by = actor
    saved = audited_save(activity, actor=actor, **fields)
    _touch_project(saved.project_id)
    return saved


def activity_record(*, actor: User | None, project: Project, **fields) -> Activity:
    return activity_save(actor=actor, activity=Activity(), project=project, **fields)


@transaction.atomic
def activity_delete(*, actor: User | None, activity: Activity) -> None:
    audited_delete(activity, actor=actor)
    _touch_project(activity.project_id)


# --- Ready land and industries ----------------------------------------------------------------------


@transaction.atomic
def parcel_save(
    *, actor: User | None, parcel: Parcel, industries: Iterable[Industry] | None = None, **fields
) -> Parcel:
    """Create (an unsaved `Parcel()`) or change a parcel of ready land and, when given, its industries."""
    parcel = audited_save(parcel, actor=actor, **fields)
    if industries is not None:
        parcel.industries.set(industries)
    return parcel


def _refuse_if_holding_land(project: Project, message: str) -> None:
    """ConflictError (`message` naming the project and its land) when the project reserves or bought land."""
    held = Parcel.objects.filter(project=project).first()
    if held is not None:
        raise ConflictError(message % {"name": project.name, "parcel": held}, code="project_has_parcel")


def _lock_parcel(parcel_id: int) -> Parcel:
    """The parcel, re-read and locked: two clerks reserving the same land take turns, and the second
    finds it no longer available."""
    return Parcel.objects.select_for_update().get(pk=parcel_id)


@transaction.atomic
def parcel_reserve(*, actor: User | None, parcel: Parcel, project: Project) -> Parcel:
    """Reserve available land for one project (可供地 → 已意向), which gets the parcel attached. Land
    reserved for a project that is already signed is sold to it at once (→ 已出让).

    Refused (ConflictError, nothing written): land that is not available; a project that already
    reserves other land, or that is dropped."""
    parcel = _lock_parcel(parcel.pk)
    project = _lock_project(project.pk)
    if parcel.status != Parcel.Status.AVAILABLE:
        raise ConflictError(
            _("地块“%(parcel)s”当前为“%(status)s”，只有可供地才能意向。")
            % {"parcel": parcel, "status": parcel.get_status_display()},
            code="parcel_not_available",
        )
    _refuse_if_holding_land(project, _("项目“%(name)s”已意向地块“%(parcel)s”，一个项目只能意向一块地。"))
    if project.stage == Project.Stage.DROPPED:
        raise ConflictError(_("项目“%(name)s”已终止，不能意向地块。") % {"name": project.name}, code="project_dropped")
    today = timezone.localdate()
    parcel = audited_save(parcel, actor=actor, status=Parcel.Status.RESERVED, project=project, reserved_on=today)
    if project.parcel_id != parcel.pk:
        audited_save(project, actor=actor, parcel=parcel)
    if project.stage in Project.SIGNED_STAGES:
        _parcel_take(actor=actor, parcel=parcel, signed_on=project.signed_on)
    return parcel


@transaction.atomic
def parcel_release(*, actor: User | None, parcel: Parcel, reason: str) -> Parcel:
    """Release reserved land back to available (已意向 → 可供地), the reason recorded in the audit
    history. Land already sold (已出让) is not released; a blank reason is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写释放原因。")})
    parcel = _lock_parcel(parcel.pk)
    if parcel.status != Parcel.Status.RESERVED:
        raise ConflictError(
            _("地块“%(parcel)s”当前为“%(status)s”，只有已意向的地块才能释放。")
            % {"parcel": parcel, "status": parcel.get_status_display()},
            code="parcel_not_reserved",
        )
    project = parcel.project
    parcel._change_reason = _("释放：%(reason)s") % {"reason": reason[:90]}
    parcel = audited_save(parcel, actor=actor, status=Parcel.Status.AVAILABLE, project=None, reserved_on=None)
    if project is not None and project.parcel_id == parcel.pk:
        _lock_project(project.pk)
        project._change_reason = parcel._change_reason
        audited_save(project, actor=actor, parcel=None)
    return parcel


def _parcel_take(*, actor: User | None, parcel: Parcel, signed_on: datetime.date | None) -> Parcel:
    """已意向 → 已出让, dated the signing (not before the reservation)."""
    taken_on = max(signed_on or parcel.reserved_on, parcel.reserved_on)
    return audited_save(parcel, actor=actor, status=Parcel.Status.TAKEN, taken_on=taken_on)


def _parcel_follows_project(*, actor: User | None, project: Project) -> None:
    """The land a project reserves follows it: sold when the project signs, released when it is
    dropped before signing."""
    parcel = Parcel.objects.select_for_update().filter(project=project, status=Parcel.Status.RESERVED).first()
    if parcel is None:
        return
    if project.stage in Project.SIGNED_STAGES:
        _parcel_take(actor=actor, parcel=parcel, signed_on=project.signed_on)
    elif project.stage == Project.Stage.DROPPED:
        parcel._change_reason = _("项目终止，自动释放")
        audited_save(parcel, actor=actor, status=Parcel.Status.AVAILABLE, project=None, reserved_on=None)


@transaction.atomic
def parcel_delete(*, actor: User | None, parcel: Parcel) -> None:
    audited_delete(parcel, actor=actor)


@transaction.atomic
def industry_save(*, actor: User | None, industry: Industry, **fields) -> Industry:
    return audited_save(industry, actor=actor, **fields)


@transaction.atomic
def industry_delete(*, actor: User | None, industry: Industry) -> None:
    audited_delete(industry, actor=actor)
