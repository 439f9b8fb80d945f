"""Responsible units and the people who use InvestPro."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords

from core.constraints import FieldCheckConstraint


class Unit(models.Model):
    """A responsible unit (责任单位) that is given targets and assessed on them."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("县（市、区）")
        ZONE = "zone", _("开发区（园区）")
        DEPARTMENT = "department", _("市级部门")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # City departments are assessed together in bundled groups (大组捆绑考核).
    group = models.CharField(_("考核组"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", _("招商专员")
    LEADER = "leader", _("领导")
    API_READER = "api_reader", _("接口只读")
    ADMIN = "admin", _("管理员")


class InvestProUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is the admin role; without this `createsuperuser` would make a staff
        # member without a unit, which the database refuses.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    # When the role or unit last changed (accounts.services.user_save): the projects the user may see
    # changed then, so a REST client's copy from before must be rebuilt (projects/removed/ says so).
    scope_changed_at = models.DateTimeField(_("角色或单位变更时间"), null=True, blank=True, editable=False)

    objects = InvestProUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        # The staff and leaders' pages (工作台, 项目库, 看板 …) are for the bureau's people; an API
        # reader's account is a REST client's and gets a 403 page there (accounts.pages).
        permissions = [("use_pages_user", _("使用业务页面"))]
        constraints = [
            FieldCheckConstraint(
                name="staff_has_unit",
                condition=~Q(role=Role.STAFF) | Q(unit__isnull=False),
                field="unit",
                violation_error_message=_("招商专员必须属于一个责任单位。"),
            ),
        ]


class ApiToken(AbstractAuthToken):
    """A REST client's token (django-rest-knox, KNOX_TOKEN_MODEL): only a hash of it is stored, it
    expires after REST_KNOX["TOKEN_TTL"], an admin revokes it by deleting it, and `last_used` says
    when it last signed a request (written at most once a minute, see accounts.tokens)."""

    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} · {self.token_key}…"
