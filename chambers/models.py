"""The channels that bring investors: chambers of commerce, their people, agreements, and events."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from core.constraints import FieldCheckConstraint


class Chamber(models.Model):
    """A chamber of commerce or hometown association (商会、同乡会) the bureau works with."""

    class Kind(models.TextChoices):
        ZHEJIANG_ABROAD = "zhejiang_abroad", _("在外浙江商会")
        QUZHOU = "quzhou", _("衢州商会")
        HOMETOWN = "hometown", _("同乡会")
        INDUSTRY = "industry", _("行业协会")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    region = models.CharField(_("所在地区"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("商会")
        verbose_name_plural = _("商会")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person the bureau keeps in touch with: a chamber officer, an investor, an intermediary."""

    name = models.CharField(_("姓名"), max_length=60)
    chamber = models.ForeignKey(
        Chamber, verbose_name=_("商会"), on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    organization = models.CharField(_("单位"), max_length=120, blank=True)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）" if self.organization else self.name


class Agreement(models.Model):
    """An agreement signed with a chamber, e.g. a strategic framework agreement (战略合作框架协议)."""

    class Kind(models.TextChoices):
        STRATEGIC_FRAMEWORK = "strategic_framework", _("战略合作框架协议")
        COOPERATION = "cooperation", _("合作协议")
        OTHER = "other", _("其他")

    chamber = models.ForeignKey(Chamber, verbose_name=_("商会"), on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("协议名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices, default=Kind.COOPERATION)
    signed_on = models.DateField(_("签订日期"))
    expires_on = models.DateField(_("到期日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("商会协议")
        verbose_name_plural = _("商会协议")
        ordering = ["-signed_on", "id"]
        constraints = [
            FieldCheckConstraint(
                name="agreement_expires_after_signed",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("signed_on")),
                field="expires_on",
                violation_error_message=_("到期日期不能早于签订日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """An investment-promotion event (招商活动): an expo, a roadshow, an event the city hosts."""

    class Kind(models.TextChoices):
        EXPO = "expo", _("展会、洽谈会")
        ROADSHOW = "roadshow", _("推介会、路演")
        HOSTED = "hosted", _("主办活动")
        VISIT = "visit", _("外出招商")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.EXPO)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=120, blank=True)
    organizer = models.ForeignKey(
        Unit, verbose_name=_("承办单位"), on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    invited_count = models.PositiveIntegerField(_("邀请客商数"), default=0)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("招商活动")
        verbose_name_plural = _("招商活动")
        ordering = ["-starts_on", "id"]
        constraints = [
            FieldCheckConstraint(
                name="event_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                field="ends_on",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
