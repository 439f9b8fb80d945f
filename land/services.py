"""Writes of the public land page: an investor's enquiry (投资意向登记) becoming a lead, and the
zones' outlines on the map. The lead itself is written by projects.services, audited, with no user
as its actor (the audit history shows 系统): nobody signed in wrote it."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import audited_delete, audited_save
from notifications.services import new_lead_notify
from projects.models import Industry, Parcel, Project
from projects.selectors import duplicate_candidates
from projects.services import project_create

from .models import ZoneOutline


@dataclass(frozen=True)
class Enquiry:
    company: str
    contact: str
    industry: Industry
    investment: Decimal  # 万元
    land_need: Decimal  # 亩
    message: str = ""


def enquiry_submit(*, parcel: Parcel, enquiry: Enquiry) -> Project:
    """The enquiry as a lead (线索) of the parcel's unit, channel 熟地公开, the parcel attached; the
    unit's staff are told, each also of the projects it may see that the investor may duplicate.
    Written in the bureau's language, whatever the language of the page the investor used."""
    with translation.override(settings.LANGUAGE_CODE):
        return _enquiry_submit(parcel=parcel, enquiry=enquiry)


def _enquiry_submit(*, parcel: Parcel, enquiry: Enquiry) -> Project:
    notes = "\n".join(
        line
        for line in (
            _("来源：熟地信息公开页面的投资意向登记（地块 %(code)s）。") % {"code": parcel.code},
            _("联系人及联系方式：%(contact)s") % {"contact": enquiry.contact},
            enquiry.message and _("留言：%(message)s") % {"message": enquiry.message},
        )
        if line
    )
    with transaction.atomic():
        lead = project_create(
            actor=None,
            name=_("%(company)s意向%(parcel)s项目") % {"company": enquiry.company, "parcel": parcel.name},
            investor=enquiry.company,
            unit=parcel.unit,
            industry=enquiry.industry,
            total_investment=enquiry.investment,
            land_area_mu=enquiry.land_need,
            parcel=parcel,
            channel=Project.Channel.PUBLIC_LAND,
            stage=Project.Stage.LEAD,
            notes=notes,
        )
    message = _("熟地“%(parcel)s”收到投资意向登记：%(company)s，计划投资 %(investment)s 万元，用地 %(need)s 亩。") % {
        "parcel": parcel.name,
        "company": enquiry.company,
        "investment": enquiry.investment,
        "need": enquiry.land_need,
    }
    transaction.on_commit(lambda: new_lead_notify(project=lead, message=message, flags=_duplicate_flags(lead)))
    return lead


def _duplicate_flags(lead: Project) -> dict[int, str]:
    """For each staff member of the lead's unit, the projects it may see that look like the lead:
    shown to staff only (in their reminder), never to the investor."""
    flags = {}
    for user in User.objects.filter(role=Role.STAFF, is_active=True, unit_id=lead.unit_id):
        alike = duplicate_candidates(name=lead.name, investor=lead.investor, user=user, exclude_pk=lead.pk, limit=3)
        if alike:
            names = "、".join(f"“{project.name}”" for project in alike)
            flags[user.pk] = _("疑似重复投资方：%(names)s。") % {"names": names}
    return flags


@transaction.atomic
def zone_outline_save(*, actor: User | None, outline: ZoneOutline, **fields) -> ZoneOutline:
    return audited_save(outline, actor=actor, **fields)


@transaction.atomic
def zone_outline_delete(*, actor: User | None, outline: ZoneOutline) -> None:
    audited_delete(outline, actor=actor)
