"""Projects and what hangs off them: capital deliveries, the follow-up timeline, ready land."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Unit
from chambers.models import Chamber, Contact, Event
from core.constraints import FieldCheckConstraint
from core.geojson import validate_polygon_geojson

ZERO = Decimal("0")

# --- Amount ceiling -------------------------------------------------------------------------------
# No amount is larger than this, in 万元: 999,999,999.99 万元 is just under 10 万亿元 (10^13 yuan),
# ten times the largest investment project ever announced in China. The ceiling keeps every sum the
# monthly report stores within its columns (targets.models.FIGURE_DIGITS says how); the columns
# themselves (14 digits) are wider, so a larger value entered before the ceiling still reads back.
AMOUNT_CEILING = Decimal("999999999.99")


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    """Money in 万元 (10,000 yuan), two decimals, never a float, at most AMOUNT_CEILING."""
    message = format_lazy(_("{}不能超过 999,999,999.99 万元。"), verbose_name)
    ceiling = MaxValueValidator(AMOUNT_CEILING, message=message)
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, validators=[ceiling], **kwargs)


# --- Date bounds ----------------------------------------------------------------------------------
# A date the bureau records is on or after 1 January 1990 (no record of the bureau is older). A date
# of something that has happened (a signing, a start, a production, a drop, a delivery, a follow-up)
# is not after today, by the bureau's calendar (TIME_ZONE); a planned date (the next follow-up, a
# lead's expected signing) is at most PLAN_HORIZON_YEARS ahead: beyond that it is a typo.
EARLIEST_DATE = datetime.date(1990, 1, 1)
PLAN_HORIZON_YEARS = 10


def not_before_earliest(verbose_name) -> MinValueValidator:
    """The lower bound of a date field, its message naming the field."""
    return MinValueValidator(EARLIEST_DATE, message=format_lazy(_("{}不能早于 1990-01-01。"), verbose_name))


def date_field(verbose_name, **kwargs) -> models.DateField:
    return models.DateField(verbose_name, validators=[not_before_earliest(verbose_name)], **kwargs)


def latest_plan_date(today: datetime.date) -> datetime.date:
    """Today, PLAN_HORIZON_YEARS later (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year + PLAN_HORIZON_YEARS)
    except ValueError:
        return today.replace(year=today.year + PLAN_HORIZON_YEARS, day=28)


def check_dates(instance: models.Model, *, happened: list[str], planned: list[str]) -> None:
    """The upper bounds of an instance's dates, each error under its field: those that have happened
    not after today, the planned ones not after latest_plan_date. The lower bound is the fields' own
    validator (date_field)."""
    today = timezone.localdate()
    horizon = latest_plan_date(today)
    errors = {}
    for name in happened:
        value = getattr(instance, name)
        if value and value > today:
            errors[name] = _("%(field)s不能晚于今天。") % {"field": instance._meta.get_field(name).verbose_name}
    for name in planned:
        value = getattr(instance, name)
        if value and value > horizon:
            errors[name] = _("%(field)s不能晚于 %(date)s（今后 %(years)s 年内）。") % {
                "field": instance._meta.get_field(name).verbose_name,
                "date": horizon.isoformat(),
                "years": PLAN_HORIZON_YEARS,
            }
    if errors:
        raise ValidationError(errors)


def not_negative(field: str, message) -> FieldCheckConstraint:
    return FieldCheckConstraint(
        name=f"%(class)s_{field}_not_negative",
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        field=field,
        violation_error_message=message,
    )


class Industry(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("产业")
        verbose_name_plural = _("产业")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ParcelQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ParcelQuerySet":
        """Published land is public (it is advertised to investors); drafts are for signed-in users."""
        if user and user.is_authenticated:
            return self
        return self.filter(published=True)


class Parcel(models.Model):
    """Ready land (熟地) published with the industries it is for and the thresholds an investor must meet.

    Its life: 可供地 (available, no project) → 已意向 (reserved for one project) → 已出让 (taken, once that
    project signs). A reservation can be released, with a reason, back to available; land that is taken
    stays taken. The moves are projects.services.parcel_reserve / parcel_release and project_save.
    """

    class Status(models.TextChoices):
        AVAILABLE = "available", _("可供地")
        RESERVED = "reserved", _("已意向")
        TAKEN = "taken", _("已出让")

    code = models.SlugField(_("地块编号"), max_length=40, unique=True)
    name = models.CharField(_("地块名称"), max_length=120)
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="parcels")
    location = models.CharField(_("位置"), max_length=200, blank=True)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=10, decimal_places=2)
    industries = models.ManyToManyField(Industry, verbose_name=_("适合产业"), blank=True, related_name="parcels")
    requirements = models.TextField(_("产业要求"), blank=True)
    min_investment_intensity = amount_field(_("投资强度门槛（万元/亩）"), null=True, blank=True)
    min_tax_per_mu = amount_field(_("亩均税收门槛（万元/亩·年）"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    published = models.BooleanField(_("已公开发布"), default=False)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    # The one project the land is reserved for, then sold to. A project reserving land cannot be
    # deleted (PROTECT): release the land first, so its status never points at nothing.
    project = models.OneToOneField(
        "Project",
        verbose_name=_("意向项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reserved_parcel",
    )
    reserved_on = models.DateField(_("意向日期"), null=True, blank=True)
    taken_on = models.DateField(_("出让日期"), null=True, blank=True)
    # The parcel's boundary on the land map, a GeoJSON Polygon or MultiPolygon in degrees (core.geojson).
    boundary = models.JSONField(_("地块边界（GeoJSON）"), null=True, blank=True, validators=[validate_polygon_geojson])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ParcelQuerySet.as_manager()

    class Meta:
        verbose_name = _("熟地")
        verbose_name_plural = _("熟地")
        ordering = ["code"]
        indexes = [
            # The public land list: WHERE published ORDER BY code, filtered by status (available only).
            models.Index(fields=["published", "status", "code"], name="parcel_published_status"),
        ]
        constraints = [
            FieldCheckConstraint(
                name="parcel_area_positive",
                condition=Q(area_mu__gt=0),
                field="area_mu",
                violation_error_message=_("面积必须大于 0。"),
            ),
            not_negative("min_investment_intensity", _("投资强度门槛不能为负数。")),
            not_negative("min_tax_per_mu", _("亩均税收门槛不能为负数。")),
            FieldCheckConstraint(
                name="parcel_published_has_date",
                condition=Q(published=False) | Q(published_on__isnull=False),
                field="published_on",
                violation_error_message=_("已发布的地块须填写发布日期。"),
            ),
            FieldCheckConstraint(
                name="parcel_available_has_no_project",
                condition=~Q(status="available") | Q(project__isnull=True),
                field="project",
                violation_error_message=_("可供地不能有意向项目；意向或出让请用“意向”操作。"),
            ),
            FieldCheckConstraint(
                name="parcel_reserved_has_project",
                condition=Q(status="available") | (Q(project__isnull=False) & Q(reserved_on__isnull=False)),
                field="project",
                violation_error_message=_("已意向或已出让的地块须有意向项目和意向日期。"),
            ),
            FieldCheckConstraint(
                name="parcel_taken_has_date",
                condition=~Q(status="taken") | Q(taken_on__isnull=False),
                field="taken_on",
                violation_error_message=_("已出让的地块须有出让日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        check_dates(self, happened=["published_on", "reserved_on", "taken_on"], planned=[])
        if self.taken_on and self.reserved_on and self.taken_on < self.reserved_on:
            raise ValidationError({"taken_on": _("出让日期不能早于意向日期。")})


class InvestorKind(models.TextChoices):
    CENTRAL_SOE = "central_soe", _("央企")
    PROVINCIAL_SOE = "provincial_soe", _("省属国企")
    LISTED = "listed", _("上市公司")
    PRIVATE = "private", _("知名民企")
    FOREIGN = "foreign", _("外资企业")
    OTHER = "other", _("其他")


class Category(models.TextChoices):
    INDUSTRIAL = "industrial", _("工业项目")
    SERVICE = "service", _("服务业项目")
    AGRICULTURE = "agriculture", _("农业项目")
    SOCIAL = "social", _("社会事业项目")


class Origin(models.TextChoices):
    LOCAL = "local", _("市内")
    OUT_OF_CITY = "out_of_city", _("市外省内")
    OUT_OF_PROVINCE = "out_of_province", _("省外")
    OVERSEAS = "overseas", _("境外")


class Channel(models.TextChoices):
    EVENT = "event", _("平台活动")
    CHAMBER = "chamber", _("商会")
    VENTURE_CAPITAL = "venture_capital", _("创投")
    REFERRAL = "referral", _("以商引商")
    DIRECT = "direct", _("直接对接")
    ONLINE = "online", _("网络招商")
    PUBLIC_LAND = "public_land", _("熟地公开")  # an investor's enquiry on the public land page (/land/)
    OTHER = "other", _("其他")


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    STARTED = "started", _("开工")
    PRODUCING = "producing", _("投产")
    DROPPED = "dropped", _("终止")


# Stages at which a project has been signed and can receive capital.
SIGNED_STAGES = (Stage.SIGNED, Stage.STARTED, Stage.PRODUCING)


def _nothing(prefix: str) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def project_visibility(user, prefix: str = "") -> Q:
    """The one rule of which projects a user may see (DESIGN §5), as a filter on projects or,
    with a prefix such as "project__", on the rows that belong to a project.

    Holders of `view_every_confidential_project` (leaders, admins) see everything; everyone else sees
    non-confidential projects, and a unit's people also see their own unit's confidential ones.
    """
    if not user or not user.is_authenticated:
        return _nothing(prefix)
    if user.has_perm("projects.view_every_confidential_project"):
        return Q()
    public = Q(**{f"{prefix}confidential": False})
    if user.unit_id:
        return public | Q(**{f"{prefix}unit_id": user.unit_id})
    return public


def can_edit_unit(user, unit_id: int | None) -> bool:
    """The one rule of whose projects (with their deliveries, activities and the unit's parcels) a
    user may change (DESIGN §5): holders of `change_every_unit` (admins) any unit's; those who may
    change projects at all (staff) their own unit's; nobody else's. Which kinds of row a role may
    write is the model permissions' business (accounts/roles.py); this is only the unit's part."""
    if not user or not user.is_authenticated:
        return False
    if user.has_perm("projects.change_every_unit"):
        return True
    return user.unit_id is not None and user.unit_id == unit_id and user.has_perm("projects.change_project")


# --- 项目编号 (project reference) -------------------------------------------------------------------
# Every project has one, unique: generated on create as QZ-<year>-<4-digit sequence> (the year of the
# signing, or of the creation for a lead), or given by an Excel import, which then finds the project
# by it again (a re-import updates instead of copying). Letters, digits and - _ / . only, so that it
# reads the same in a spreadsheet, a URL and a CSV.
REFERENCE_PREFIX = "QZ"
REFERENCE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z_./-]*$"


def reference_prefix(year: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-"


def last_reference_number(prefix: str) -> int:
    """The highest sequence number given under a prefix (0 for none): longest first, so that
    QZ-2011-10000 counts as after QZ-2011-9999."""
    last = (
        Project.objects.filter(reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    tail = last[len(prefix) :] if last else ""
    return int(tail) if tail.isdigit() else 0


def format_reference(prefix: str, number: int) -> str:
    return f"{prefix}{number:04d}"


def assign_references(projects) -> None:
    """Give each project without a 项目编号 the next one of its year, one query per year: for a batch
    written at once (bulk_create by the import and the demo), and for save() with a batch of one."""
    today = timezone.localdate()
    last: dict[str, int] = {}
    for project in projects:
        if project.reference:
            continue
        prefix = reference_prefix((project.signed_on or today).year)
        if prefix not in last:
            last[prefix] = last_reference_number(prefix)
        last[prefix] += 1
        project.reference = format_reference(prefix, last[prefix])


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProjectQuerySet":
        return self.filter(project_visibility(user))

    def counting(self) -> "ProjectQuerySet":
        """Projects that count toward signed amounts and project counts: those signed and still
        alive. A dropped project never counts; a lead or a negotiation with a planned signing date
        does not count yet."""
        return self.filter(stage__in=SIGNED_STAGES)


class ProjectPartQuerySet(models.QuerySet):
    """Deliveries and activities are seen with the project they belong to."""

    def visible_to(self, user) -> "ProjectPartQuerySet":
        return self.filter(project_visibility(user, prefix="project__"))


class Project(models.Model):
    InvestorKind = InvestorKind
    Category = Category
    Origin = Origin
    Channel = Channel
    Stage = Stage
    SIGNED_STAGES = SIGNED_STAGES

    reference = models.CharField(
        _("项目编号"),
        max_length=40,
        unique=True,
        blank=True,  # blank on a new project: save() gives it the next one
        validators=[RegexValidator(REFERENCE_PATTERN, _("项目编号只能包含字母、数字和 - _ / .，且以字母或数字开头。"))],
    )
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资方"), max_length=200, blank=True)
    investor_kind = models.CharField(
        _("投资方类型"), max_length=20, choices=InvestorKind.choices, default=InvestorKind.OTHER
    )
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="projects")
    industry = models.ForeignKey(
        Industry, verbose_name=_("产业"), on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    category = models.CharField(_("项目类别"), max_length=20, choices=Category.choices, default=Category.INDUSTRIAL)
    origin = models.CharField(_("资金来源"), max_length=20, choices=Origin.choices, default=Origin.OUT_OF_CITY)
    returning_merchant = models.BooleanField(_("浙商回归"), default=False)
    mountain_sea = models.BooleanField(_("山海协作"), default=False)
    channel = models.CharField(_("引进渠道"), max_length=20, choices=Channel.choices, default=Channel.DIRECT)
    chamber = models.ForeignKey(
        Chamber, verbose_name=_("商会"), on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("招商活动"), on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    introduced_by = models.ForeignKey(
        Contact, verbose_name=_("引荐人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    total_investment = amount_field(_("总投资（万元）"), default=ZERO)
    signed_amount = amount_field(_("协议引资额（万元）"), null=True, blank=True)
    signed_on = date_field(_("签约日期"), null=True, blank=True)
    started_on = date_field(_("开工日期"), null=True, blank=True)
    producing_on = date_field(_("投产日期"), null=True, blank=True)
    dropped_on = date_field(_("终止日期"), null=True, blank=True)
    land_area_mu = models.DecimalField(_("用地（亩）"), max_digits=10, decimal_places=2, null=True, blank=True)
    parcel = models.ForeignKey(
        Parcel, verbose_name=_("地块"), on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    confidential = models.BooleanField(_("保密"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_projects",
    )
    next_follow_up_on = date_field(_("下次跟进日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-updated_at", "-id"]
        # The two row-level powers beyond a unit's own rows, given to roles in accounts/roles.py
        # (the admin role, a superuser, holds both): project_visibility and can_edit_unit read them.
        permissions = [
            ("view_every_confidential_project", _("查看各单位的保密项目")),
            ("change_every_unit", _("修改任何单位的项目、到位资金、跟进记录和地块")),
        ]
        indexes = [
            # The project list filtered by unit and stage, newest signings first.
            models.Index(fields=["unit", "stage", "-signed_on"], name="project_unit_stage_signed"),
            # Signed amounts and counts of a period: WHERE signed_on BETWEEN … (monthly report).
            models.Index(fields=["signed_on"], name="project_signed_on"),
            # The default list order: most recently changed first.
            models.Index(fields=["-updated_at", "-id"], name="project_updated"),
            # Staff follow-up reminders: projects due for a follow-up by a date.
            models.Index(fields=["next_follow_up_on"], name="project_follow_up"),
        ]
        constraints = [
            not_negative("total_investment", _("总投资不能为负数。")),
            not_negative("signed_amount", _("协议引资额不能为负数。")),
            not_negative("land_area_mu", _("用地面积不能为负数。")),
            FieldCheckConstraint(
                name="project_signed_has_date",
                condition=~Q(stage__in=SIGNED_STAGES) | Q(signed_on__isnull=False),
                field="signed_on",
                violation_error_message=_("签约及以后阶段的项目须填写签约日期。"),
            ),
            FieldCheckConstraint(
                name="project_signed_has_amount",
                condition=~Q(stage__in=SIGNED_STAGES) | Q(signed_amount__isnull=False),
                field="signed_amount",
                violation_error_message=_("签约及以后阶段的项目须填写协议引资额。"),
            ),
            FieldCheckConstraint(
                name="project_started_after_signed",
                condition=Q(started_on__isnull=True) | Q(signed_on__isnull=True) | Q(started_on__gte=F("signed_on")),
                field="started_on",
                violation_error_message=_("开工日期不能早于签约日期。"),
            ),
            FieldCheckConstraint(
                name="project_producing_after_started",
                condition=Q(producing_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(producing_on__gte=F("started_on")),
                field="producing_on",
                violation_error_message=_("投产日期不能早于开工日期。"),
            ),
            FieldCheckConstraint(
                name="project_dropped_has_date",
                condition=~Q(stage=Stage.DROPPED) | Q(dropped_on__isnull=False),
                field="dropped_on",
                violation_error_message=_("终止的项目须填写终止日期。"),
            ),
            FieldCheckConstraint(
                name="project_dropped_after_signed",
                condition=Q(dropped_on__isnull=True) | Q(signed_on__isnull=True) | Q(dropped_on__gte=F("signed_on")),
                field="dropped_on",
                violation_error_message=_("终止日期不能早于签约日期。"),
            ),
            FieldCheckConstraint(
                name="project_returning_merchant_out_of_province",
                condition=Q(returning_merchant=False) | Q(origin=Origin.OUT_OF_PROVINCE),
                field="returning_merchant",
                violation_error_message=_("浙商回归项目的资金来源必须是“省外”。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        assign_references([self])
        super().save(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        """Signed at some point: it can hold deliveries (a dropped project keeps those it had)."""
        return self.signed_on is not None and self.stage in (*self.SIGNED_STAGES, self.Stage.DROPPED)

    # The stages at which each stage date has happened (and so is not after today). Before them the
    # date is a plan: a lead's expected signing, a signed project's planned start.
    STAGE_DATES_HAPPENED = {
        "signed_on": (*SIGNED_STAGES, Stage.DROPPED),
        "started_on": (Stage.STARTED, Stage.PRODUCING),
        "producing_on": (Stage.PRODUCING,),
        "dropped_on": (Stage.DROPPED,),
    }

    def clean(self) -> None:
        super().clean()
        happened = [name for name, stages in self.STAGE_DATES_HAPPENED.items() if self.stage in stages]
        planned = [name for name in (*self.STAGE_DATES_HAPPENED, "next_follow_up_on") if name not in happened]
        check_dates(self, happened=happened, planned=planned)
        if self.pk:
            self._check_against_deliveries()

    def delivery_span(self) -> dict:
        """The dates of the first and last tranche ({"first": None, "last": None} for none). A batch
        (the Excel import) reads every project's span in one query and sets `_delivery_span`."""
        if hasattr(self, "_delivery_span"):
            return self._delivery_span
        return self.deliveries.aggregate(first=models.Min("delivered_on"), last=models.Max("delivered_on"))

    def _check_against_deliveries(self) -> None:
        """A project's deliveries stay valid when the project changes under them."""
        span = self.delivery_span()
        first, last = span["first"], span["last"]
        if first is None:
            return
        if not self.is_signed:
            if self.stage == Stage.DROPPED:
                raise ValidationError({"signed_on": _("已有到位资金的项目须保留签约日期。")})
            raise ValidationError({"stage": _("已有到位资金的项目不能退回签约前的阶段。")})
        if self.signed_on > first:
            raise ValidationError(
                {"signed_on": _("签约日期不能晚于最早一笔到位资金的日期（%(date)s）。") % {"date": first.isoformat()}}
            )
        if self.stage == Stage.DROPPED and self.dropped_on and self.dropped_on < last:
            raise ValidationError(
                {"dropped_on": _("终止日期不能早于最后一笔到位资金的日期（%(date)s）。") % {"date": last.isoformat()}}
            )


class ProjectRemoval(models.Model):
    """A project that some callers may no longer see: deleted, turned confidential, or (confidential)
    moved to another unit. Written by projects.services; read by the API's `projects/removed/`.

    An entry keeps the project's unit and confidentiality from before the change, so that the one
    visibility rule (`project_visibility`) tells who could see it then: a caller is told of the
    projects it could see before and cannot see now, and never learns the id of a confidential
    project it was never shown. A project visible again is not listed."""

    class Reason(models.TextChoices):
        DELETED = "deleted", _("已删除")
        CONFIDENTIAL = "confidential", _("转为保密")
        MOVED = "moved", _("保密项目转到其他单位")

    project_id = models.BigIntegerField(_("项目编号"))  # not a key: the project may be gone
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("原责任单位"), on_delete=models.CASCADE, related_name="+")
    confidential = models.BooleanField(_("原为保密"))
    removed_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("项目移出记录")
        verbose_name_plural = _("项目移出记录")
        indexes = [
            # The removals since a client's last sync: WHERE removed_at >= … (projects/removed/).
            models.Index(fields=["removed_at"], name="project_removal_time"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.reason} {self.removed_at:%Y-%m-%d %H:%M}"


class RemovalLogStart(models.Model):
    """How far back the removal log (ProjectRemoval) is complete: one row, moved forward by each
    prune (projects.services.removals_prune). `projects/removed/?since=` before it would miss the
    pruned entries, so it is refused and the client does a full pull. No row: nothing was pruned yet,
    the log is complete since it began."""

    ONLY = 1

    complete_since = models.DateTimeField(_("完整记录起点"))

    class Meta:
        verbose_name = _("项目移出记录保留起点")
        verbose_name_plural = _("项目移出记录保留起点")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="removal_log_start_single_row")]

    def __str__(self) -> str:
        return f"{self.complete_since:%Y-%m-%d %H:%M}"


class CapitalDelivery(models.Model):
    """A tranche of capital actually delivered (到位资金); big projects deliver over years."""

    # Indexed by `delivery_project_amount` below, which also carries the amount.
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    delivered_on = date_field(_("到位日期"))
    amount = amount_field(_("到位金额（万元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")
        ordering = ["-delivered_on", "-id"]
        indexes = [
            # Delivered amounts of a period: WHERE delivered_on BETWEEN … (monthly report, delivery list).
            models.Index(fields=["delivered_on", "project"], name="delivery_date_project"),
            # A project's deliveries, and the delivered total of a list of projects, read from the
            # index alone on PostgreSQL (an index-only scan: no visit to the table per tranche). The
            # project list sums this over its whole filtered set on every page. SQLite ignores INCLUDE.
            models.Index(fields=["project"], include=["amount"], name="delivery_project_amount"),
        ]
        constraints = [
            FieldCheckConstraint(
                name="delivery_amount_positive",
                condition=Q(amount__gt=0),
                field="amount",
                violation_error_message=_("到位金额必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.delivered_on} {self.amount}"

    def clean(self) -> None:
        super().clean()
        check_dates(self, happened=["delivered_on"], planned=[])
        if self.project_id is None:
            return
        project = self.project
        if not project.is_signed:
            raise ValidationError({"project": _("只有签约及以后阶段的项目才能登记到位资金。")})
        if self.delivered_on and self.delivered_on < project.signed_on:
            raise ValidationError(
                {
                    "delivered_on": _("到位日期不能早于项目签约日期（%(date)s）。")
                    % {"date": project.signed_on.isoformat()}
                }
            )
        if self.delivered_on and project.dropped_on and self.delivered_on > project.dropped_on:
            # Capital that arrived before a project was dropped still counts; none arrives after.
            raise ValidationError(
                {
                    "delivered_on": _("到位日期不能晚于项目终止日期（%(date)s）。")
                    % {"date": project.dropped_on.isoformat()}
                }
            )


class Activity(models.Model):
    """One entry of a project's follow-up timeline (跟进记录)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("上门拜访")
        RECEPTION = "reception", _("来访考察")
        MEETING = "meeting", _("洽谈会商")
        CALL = "call", _("电话沟通")
        EVENT = "event", _("活动对接")
        OTHER = "other", _("其他")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="activities")
    contact = models.ForeignKey(
        Contact, verbose_name=_("联系人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    happened_on = date_field(_("日期"))
    summary = models.TextField(_("情况摘要"))
    next_action = models.CharField(_("下一步"), max_length=200, blank=True)
    next_action_on = date_field(_("下一步日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ProjectPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-happened_on", "-id"]
        indexes = [
            # A project's timeline, newest first.
            models.Index(fields=["project", "-happened_on"], name="activity_project_timeline"),
        ]
        constraints = [
            FieldCheckConstraint(
                name="activity_next_action_after",
                condition=Q(next_action_on__isnull=True) | Q(next_action_on__gte=F("happened_on")),
                field="next_action_on",
                violation_error_message=_("下一步日期不能早于跟进日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.happened_on} {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        if self.happened_on and self.happened_on > timezone.localdate():
            raise ValidationError({"happened_on": _("跟进日期不能晚于今天；计划中的事项请填在“下一步”。")})
        check_dates(self, happened=[], planned=["next_action_on"])
