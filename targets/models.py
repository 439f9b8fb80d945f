"""Indicators, yearly targets and the monthly report (一月一通报) with its frozen rows."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Unit
from core.constraints import FieldCheckConstraint
from core.errors import ConflictError
from projects.models import AMOUNT_CEILING, Industry, Project, amount_field, not_negative

# --- Year and month bounds ------------------------------------------------------------------------
# The one definition of a valid year and month. The models' CHECK constraints, the report service
# (targets.reporting) and the API's report request all use what is below, so a bound changes here.

FIRST_YEAR, LAST_YEAR = 2000, 2100
FIRST_MONTH, LAST_MONTH = 1, 12
YEAR_MESSAGE = format_lazy(_("年度须在 {first} 至 {last} 之间。"), first=FIRST_YEAR, last=LAST_YEAR)
MONTH_MESSAGE = format_lazy(_("月份须在 {first} 至 {last} 之间。"), first=FIRST_MONTH, last=LAST_MONTH)


def validate_year(value: int) -> None:
    """A Django validator (DRF fields accept it too): the years the bureau's figures can be about."""
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise ValidationError(YEAR_MESSAGE, code="year_range")


def validate_month(value: int) -> None:
    if not FIRST_MONTH <= value <= LAST_MONTH:
        raise ValidationError(MONTH_MESSAGE, code="month_range")


def validate_year_month(*, year: int, month: int) -> None:
    """Both checks at once, each error under its field's name: `{"year": [...], "month": [...]}`."""
    errors = {}
    for field, value, validate in (("year", year, validate_year), ("month", month, validate_month)):
        try:
            validate(value)
        except ValidationError as error:
            errors[field] = error.error_list
    if errors:
        raise ValidationError(errors)


def year_in_range(name: str) -> FieldCheckConstraint:
    """The same bound as validate_year, kept by the database too."""
    return FieldCheckConstraint(
        name=name, condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR), field="year",
        violation_error_message=YEAR_MESSAGE,
    )


def month_in_range(name: str) -> FieldCheckConstraint:
    return FieldCheckConstraint(
        name=name, condition=Q(month__gte=FIRST_MONTH, month__lte=LAST_MONTH), field="month",
        violation_error_message=MONTH_MESSAGE,
    )


class Indicator(models.Model):
    """A figure the bureau is assessed on. Indicators are data: adding one needs no deploy.

    What an indicator counts is a measure over projects or deliveries narrowed by filters from a
    closed vocabulary (DESIGN §3); an empty filter does not narrow.
    """

    class Measure(models.TextChoices):
        SIGNED_AMOUNT = "signed_amount", _("协议引资额")
        DELIVERED_AMOUNT = "delivered_amount", _("到位资金")
        PROJECT_COUNT = "project_count", _("项目个数")

    class Basis(models.TextChoices):
        SIGNED = "signed", _("当期签约")
        ONGOING = "ongoing", _("在建（含上年结转）")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    measure = models.CharField(_("口径"), max_length=20, choices=Measure.choices)
    basis = models.CharField(_("计数基准"), max_length=20, choices=Basis.choices, blank=True)
    origins = models.JSONField(_("资金来源"), default=list, blank=True)
    category = models.CharField(_("项目类别"), max_length=20, choices=Project.Category.choices, blank=True)
    returning_merchant = models.BooleanField(_("浙商回归"), null=True, blank=True)
    mountain_sea = models.BooleanField(_("山海协作"), null=True, blank=True)
    min_total_investment = amount_field(_("总投资下限（万元）"), null=True, blank=True)
    industries = models.ManyToManyField(Industry, verbose_name=_("产业"), blank=True, related_name="indicators")
    channel = models.CharField(_("引进渠道"), max_length=20, choices=Project.Channel.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(m2m_fields=[industries])

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["position", "code"]
        constraints = [
            FieldCheckConstraint(
                name="indicator_count_has_basis",
                condition=Q(measure="project_count", basis__in=["signed", "ongoing"])
                | (~Q(measure="project_count") & Q(basis="")),
                field="basis",
                violation_error_message=_("项目个数类指标须选择计数基准；金额类指标不填计数基准。"),
            ),
            not_negative("min_total_investment", _("总投资下限不能为负数。")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_amount(self) -> bool:
        return self.measure != self.Measure.PROJECT_COUNT

    def clean(self) -> None:
        super().clean()
        self._check_origins()

    def _check_origins(self) -> None:
        valid = set(Project.Origin.values)
        if not isinstance(self.origins, list) or not all(isinstance(o, str) for o in self.origins):
            raise ValidationError({"origins": _("资金来源须为来源编码的列表。")})
        unknown = sorted(set(self.origins) - valid)
        if unknown:
            raise ValidationError(
                {"origins": _("未知的资金来源：%(codes)s；可选：%(valid)s。")
                 % {"codes": ", ".join(unknown), "valid": ", ".join(Project.Origin.values)}}
            )
        if len(set(self.origins)) != len(self.origins):
            raise ValidationError({"origins": _("资金来源不能重复。")})


class UnitGroup(models.Model):
    """An assessment group (大组) of one year: responsible units bundled into a named group that is
    given targets of its own and ranked beside the other groups (大组捆绑考核, DESIGN §1).

    A unit is in at most one group of a year. No constraint of the database can say so (the year is
    on the group, the membership in the many-to-many table), so the rule is kept in two places of the
    model layer: `check_members` refuses a member list that takes a unit from another group of the
    year, and `clean()` runs it on the stored members (a change of year); the service
    (targets.services.unit_group_save) runs it under a lock on the member units' rows, so two
    writes that would put one unit into two groups take turns and the second sees the first.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.SlugField(
        _("编码"), max_length=40, unique=True, help_text=_("各年度的大组编码互不相同，如 2011-shizhi-1。")
    )
    name = models.CharField(_("名称"), max_length=80)
    units = models.ManyToManyField(Unit, verbose_name=_("成员单位"), blank=True, related_name="assessment_groups")
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name = _("考核大组")
        verbose_name_plural = _("考核大组")
        ordering = ["-year", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"], name="unit_group_unique_name", violation_error_code="duplicate",
                violation_error_message=_("该年度已有同名的考核大组。"),
            ),
            year_in_range("unit_group_year_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.pk is not None and self.year is not None:
            self.check_members(self.units.all())

    def check_members(self, units: Iterable[Unit]) -> None:
        """Refuse (ValidationError on `units`) members already in another group of this group's year."""
        taken = (
            UnitGroup.units.through.objects.filter(unitgroup__year=self.year, unit__in=list(units))
            .exclude(unitgroup_id=self.pk)
            .select_related("unit", "unitgroup")
            .order_by("unit__code")
        )
        clashes = [f"{m.unit.name}（已属于{m.unitgroup.name}）" for m in taken]
        if clashes:
            raise ValidationError(
                {"units": _("一个单位每年只能属于一个考核大组：%(units)s。") % {"units": "、".join(clashes)}}
            )


# A target and a report row are about one scope: the city (unit and group both empty), one unit, or
# one assessment group; never a unit and a group at once.
CITY_SCOPE = Q(unit__isnull=True, group__isnull=True)
ONE_SCOPE = Q(unit__isnull=True) | Q(group__isnull=True)


class ScopedQuerySet(models.QuerySet):
    """Rows of targets and reports by scope: `city()`, `of_units()`, `of_groups()`."""

    def city(self):
        return self.filter(CITY_SCOPE)

    def of_units(self):
        return self.filter(unit__isnull=False)

    def of_groups(self):
        return self.filter(group__isnull=False)


class ScopeMixin:
    """What a target's or a report row's scope is, read from its unit and group."""

    @property
    def is_city(self) -> bool:
        return self.unit_id is None and self.group_id is None

    @property
    def scope(self):
        """The unit or the group, or the words 全市 for the city."""
        if self.unit_id:
            return self.unit
        return self.group if self.group_id else _("全市")

    @property
    def scope_code(self) -> str:
        """The unit's or the group's code; "" for the city."""
        if self.unit_id:
            return self.unit.code
        return self.group.code if self.group_id else ""


def one_scope(name: str) -> FieldCheckConstraint:
    return FieldCheckConstraint(
        name=name, condition=ONE_SCOPE, field="group",
        violation_error_message=_("责任单位和考核大组只能填写其一（都不填表示全市）。"),
    )


class Target(ScopeMixin, models.Model):
    """A yearly target for one indicator, for the whole city (unit and group empty), one unit or one
    assessment group of the same year.

    Amount targets are in 万元; count targets are a number of projects.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="targets",
        help_text=_("单位和大组都留空表示全市目标。"),
    )
    group = models.ForeignKey(
        UnitGroup, verbose_name=_("考核大组"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="targets", help_text=_("大组目标：填写同一年度的考核大组，责任单位留空。"),
    )
    value = amount_field(_("目标值"))

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["-year", "indicator__position", "unit__code", "group__position", "group__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "indicator", "unit"], name="target_unique_per_unit", violation_error_code="duplicate",
                violation_error_message=_("该年度、指标和单位的目标已存在。"),
            ),
            models.UniqueConstraint(
                fields=["year", "indicator", "group"], name="target_unique_per_group",
                violation_error_code="duplicate", violation_error_message=_("该年度、指标和考核大组的目标已存在。"),
            ),
            # NULL is distinct in a unique index, so the city's own target needs its own constraint.
            models.UniqueConstraint(
                fields=["year", "indicator"], condition=CITY_SCOPE, name="target_unique_city",
                violation_error_code="duplicate", violation_error_message=_("该年度、指标的全市目标已存在。"),
            ),
            one_scope("target_unit_or_group"),
            not_negative("value", _("目标值不能为负数。")),
            year_in_range("target_year_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator} {self.scope}"

    def clean(self) -> None:
        super().clean()
        if self.group_id and self.year is not None and self.group.year != self.year:
            raise ValidationError(
                {"group": _("考核大组“%(group)s”属于 %(group_year)s 年，与目标年度 %(year)s 不符。")
                 % {"group": self.group.name, "group_year": self.group.year, "year": self.year}}
            )


class Report(models.Model):
    """The monthly progress report (一月一通报) of one (year, month)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        PROVISIONAL = "provisional", _("待发布")
        PUBLISHED = "published", _("已发布")
        FAILED = "failed", _("失败")

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("错误信息"), blank=True)
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始计算"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算完成"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("月度通报")
        verbose_name_plural = _("月度通报")
        ordering = ["-year", "-month"]
        permissions = [("publish_report", _("可以发布月度通报"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"], name="report_unique_month", violation_error_code="duplicate",
                violation_error_message=_("该月的通报已存在。"),
            ),
            month_in_range("report_month_range"),
            year_in_range("report_year_sane"),
            FieldCheckConstraint(
                name="report_published_has_when",
                condition=~Q(status="published") | Q(published_at__isnull=False),
                field="published_at",
                violation_error_message=_("已发布的通报须有发布时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月通报"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


# --- Width of the report's figures ----------------------------------------------------------------
# A figure (month, year to date, last year's year to date) is a sum of amounts, each at most
# AMOUNT_CEILING (< 10^9 万元), or a count of rows. Its column holds 22 digits before the point
# (< 10^22), so the sum of 10^13 amounts at the ceiling fits: more projects or deliveries than any
# database this runs on can hold (PostgreSQL caps a table at 32 TB, SQLite a database at 281 TB, and a
# row of either table takes over 40 bytes: under 10^13 rows). A figure above 10^22 can only come from
# values written around the model's rules; the report then fails (report_rows_check) instead of storing it.
# Kept under 28 digits so that its ratios to a target or last year (× 100 / 0.01) stay exact in Python's
# default decimal precision.
FIGURE_DIGITS = 24
assert AMOUNT_CEILING < 10**9


def figure_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=FIGURE_DIGITS, decimal_places=2, **kwargs)


class ReportFiguresTooLargeError(ConflictError):
    """A report whose figures do not fit its columns (HTTP 409): it is not stored."""

    def __init__(self, problems: list[str]):
        super().__init__(
            _("通报数字超出可存储的范围，未保存：%(problems)s。") % {"problems": "；".join(problems)},
            code="report_figures_too_large",
        )


def report_rows_check(rows: list["ReportRow"]) -> None:
    """Refuse rows that their columns cannot hold, before they are written: SQLite would store any
    number of digits, which every later read of the row then fails on. Raises ReportFiguresTooLargeError
    naming each figure."""
    problems = []
    for row in rows:
        if len(problems) >= 10:
            break
        try:
            row.clean_fields(exclude=["report", "indicator", "unit", "group"])
        except ValidationError as error:
            scope = row.scope_code or _("全市")
            for field in error.message_dict:
                problems.append(f"{row.indicator.code} {scope} {field}={getattr(row, field)}")
    if problems:
        raise ReportFiguresTooLargeError(problems)


# The rows of a report in reading order: for each indicator the city, then the units by code, then the
# groups in their order.
ROW_SCOPE_ORDER = models.Case(
    models.When(unit__isnull=False, then=models.Value(1)),
    models.When(group__isnull=False, then=models.Value(2)),
    default=models.Value(0),
)
ROW_ORDER = ("indicator__position", "indicator__code", ROW_SCOPE_ORDER, "unit__code", "group__position", "group__code")


class ReportRow(ScopeMixin, models.Model):
    """One indicator for one scope in a monthly report: the city (unit and group empty), a unit, or an
    assessment group (its figures the sums of its member units')."""

    class Pace(models.TextChoices):
        AHEAD = "ahead", _("超序时")
        LAGGING = "lagging", _("略滞后")
        BEHIND = "behind", _("滞后")

    report = models.ForeignKey(Report, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A published report keeps its group rows: a group that has them cannot be deleted.
    group = models.ForeignKey(
        UnitGroup, verbose_name=_("考核大组"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    month_value = figure_field(_("当月"))
    ytd_value = figure_field(_("累计"))
    target = figure_field(_("目标"), null=True, blank=True)  # the Target's value, copied as it is stored
    completion_pct = models.DecimalField(_("完成率（%）"), max_digits=9, decimal_places=1, null=True, blank=True)
    time_progress_pct = models.DecimalField(_("时间进度（%）"), max_digits=4, decimal_places=1)
    pace = models.CharField(_("进度"), max_length=10, choices=Pace.choices, blank=True)
    last_year_ytd = figure_field(_("上年同期"))
    yoy_pct = models.DecimalField(_("同比（%）"), max_digits=9, decimal_places=1, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)  # among units, or among groups

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报行")
        verbose_name_plural = _("通报行")
        ordering = list(ROW_ORDER)
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator", "unit"], name="report_row_unique_scope"),
            models.UniqueConstraint(fields=["report", "indicator", "group"], name="report_row_unique_group"),
            models.UniqueConstraint(
                fields=["report", "indicator"], condition=CITY_SCOPE, name="report_row_unique_city",
            ),
            one_scope("report_row_unit_or_group"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.indicator} {self.scope}"
