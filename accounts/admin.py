"""Admin of units and users, and `ServiceAdmin`: how every app's admin writes.

The admin writes through the same services as the API, so an admin edit is validated, locked and
audited exactly like an API call: the ModelForm checks the input and shows its errors on the page,
then the service saves with `full_clean`, the locks it takes (the project row, for a project's
figures) and the admin user as the actor of the audit history.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import ApiToken, Unit, User


@dataclass(frozen=True)
class Writes:
    """The services that write one model: `save(actor=…, <name>=row)` stores a new or changed row,
    `delete(actor=…, <name>=row)` deletes one. `m2m` names the many-to-many fields the save service
    takes and stores itself (`save(actor=…, <name>=row, units=[…])`), under its own checks."""

    name: str
    save: Callable[..., models.Model]
    delete: Callable[..., None]
    m2m: tuple[str, ...] = ()

    def save_row(self, actor, row: models.Model, **related) -> models.Model:
        return self.save(actor=actor, **{self.name: row}, **related)

    def delete_row(self, actor, row: models.Model) -> None:
        self.delete(actor=actor, **{self.name: row})


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every write (add, change, delete, "delete selected", a history revert,
    an inline row) calls the services: `writes` for the model, `inline_writes` for each inline's."""

    writes: Writes
    inline_writes: dict[type[models.Model], Writes] = {}

    def save_model(self, request, obj, form, change):
        related = {name: form.cleaned_data[name] for name in self.writes.m2m if name in form.cleaned_data}
        self.writes.save_row(request.user, obj, **related)

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields the save service stored itself are not set again by the form.
        if not self.writes.m2m:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        self.writes.delete_row(request.user, obj)

    def delete_queryset(self, request, queryset):
        # Django's bulk delete would skip the services (and their checks and history): one by one.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        writes = self.inline_writes[formset.model]  # an inline without services is a bug: fail loudly
        rows = formset.save(commit=False)  # validated, not yet saved; fills deleted_objects too
        for row in formset.deleted_objects:
            writes.delete_row(request.user, row)
        for row in rows:
            writes.save_row(request.user, row)
        formset.save_m2m()


class ServiceHistoryAdmin(ServiceAdmin, SimpleHistoryAdmin):
    """For audited models: their 历史 page, and a revert goes through save_model, so the services too."""


# A role's group and its permissions are derived from accounts.roles and rebuilt on every migrate, so
# an edit made here would be silently undone: groups are shown (read-only) on each user instead.
admin.site.unregister(Group)


@admin.register(Unit)
class UnitAdmin(ServiceHistoryAdmin):
    writes = Writes("unit", services.unit_save, services.unit_delete)
    list_display = ("code", "name", "kind", "group")
    list_filter = ("kind", "group")
    search_fields = ("code", "name")
    ordering = ("kind", "code")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their role and unit; the admin-site flags and the group follow from the role."""

    list_display = ("username", "last_name", "first_name", "role", "unit", "is_active", "last_login")
    list_filter = ("role", "is_active", "unit")
    list_select_related = ("unit",)
    search_fields = ("username", "first_name", "last_name", "email", "unit__name")
    autocomplete_fields = ("unit",)
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("last_name", "first_name", "email")}),
        (
            _("角色与单位"),
            {"fields": ("role", "unit", "scope_changed_at", "is_active", "is_staff", "is_superuser", "groups")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与单位"), {"classes": ("wide",), "fields": ("role", "unit")}),
    )
    # scope_changed_at is stamped by user_save when the role or unit changes (REST clients then pull in full).
    readonly_fields = ("is_staff", "is_superuser", "groups", "scope_changed_at", "last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        services.user_save(user=obj)

    def delete_model(self, request, obj):
        services.user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                services.user_delete(user=user)


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    """The REST clients' tokens: who holds one, since when, until when, when last used. A token is
    issued only by POST /api/v1/auth/token/ (its key is shown once, to its holder); deleting it here
    revokes it at once (the next request with it answers 401)."""

    writes = Writes("token", services.token_save, services.token_revoke)
    list_display = ("user", "key_start", "created", "expiry", "last_used", "status")
    list_filter = ("user__role",)
    list_select_related = ("user",)
    search_fields = ("user__username", "token_key")
    ordering = ("-created",)
    fields = ("user", "key_start", "created", "expiry", "last_used", "status")
    readonly_fields = fields
    actions = ["revoke_selected"]

    @admin.display(description=_("令牌开头"))
    def key_start(self, token: ApiToken) -> str:
        return f"{token.token_key}…"

    @admin.display(description=_("状态"))
    def status(self, token: ApiToken) -> str:
        return _("已过期") if token.expiry is not None and token.expiry < timezone.now() else _("有效")

    @admin.action(description=_("撤销所选令牌"), permissions=["delete"])
    def revoke_selected(self, request, queryset):
        count = len(queryset)
        self.delete_queryset(request, queryset)  # one by one, through token_revoke
        self.message_user(request, _("已撤销 %(count)d 个令牌。") % {"count": count}, messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
