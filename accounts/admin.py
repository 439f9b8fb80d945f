from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Unit, User
from .services import user_set_role, user_sync_group

# A role's group and its permissions are derived from accounts.roles and rebuilt on every migrate, so
# an edit made here would be silently undone: groups are shown (read-only) on each user instead.
admin.site.unregister(Group)


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
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
        (_("角色与单位"), {"fields": ("role", "unit", "is_active", "is_staff", "is_superuser", "groups")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与单位"), {"classes": ("wide",), "fields": ("role", "unit")}),
    )
    readonly_fields = ("is_staff", "is_superuser", "groups", "last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        user_set_role(user=obj, role=obj.role, unit=obj.unit)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_sync_group(user=form.instance)
