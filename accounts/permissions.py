"""Who may call what: role permissions for the REST API, read by every view (DEFAULT_PERMISSION_CLASSES).

Kept apart from core.api because DRF imports the classes named in its settings while it is
itself being imported.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Role

# Who may write, by endpoint: a view names one of these as its `write_roles`.
EDITOR_ROLES = (Role.STAFF, Role.ADMIN)  # the bureau's staff log their work; admins correct anything
LEADER_ROLES = (Role.LEADER, Role.ADMIN)
ADMIN_ROLES = (Role.ADMIN,)


class RolePermission(BasePermission):
    """Every signed-in role reads; a write needs one of the roles the view names in `write_roles`.

    Which rows a user sees and may change is decided by the models (`visible_to`, `can_edit_unit`).
    """

    message = _("您的角色无权执行此操作。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if request.method in SAFE_METHODS:
            return bool(user and user.is_authenticated) or getattr(view, "public_read", False)
        if not (user and user.is_authenticated):
            return False
        return user.is_superuser or user.role in getattr(view, "write_roles", ())


