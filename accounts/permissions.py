"""Who may call what in the REST API: the role's Django model permissions (accounts/roles.py says
why those are the one truth), checked by DRF's DjangoModelPermissions for every view
(DEFAULT_PERMISSION_CLASSES).

Kept apart from core.api because DRF imports the classes named in its settings while it is itself
being imported.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions

VIEW = "%(app_label)s.view_%(model_name)s"


class ModelPermission(DjangoModelPermissions):
    """DRF's model permissions, with reads needing `view` too (an API reader sees what its role may
    view, as in the admin). A view may say:
    - `public_read = True`: anyone reads it, signed in or not (published ready land);
    - `permissions_by_method = {"POST": [...]}`: the permissions a method needs, instead of the
      model's `add`/`change`/`delete` (requesting a report needs `targets.publish_report`).

    A method the view does not route needs what its POST needs: whoever may write the endpoint
    learns that the method is not allowed (405), anybody else only that they may not (403).
    Which rows a caller may see or write is the models' business (`visible_to`, `can_edit_unit`).
    A view with no model behind it (no queryset) names its own `permission_classes`, as the token
    view does: DRF refuses to guess which permission it would need.
    """

    perms_map = {**DjangoModelPermissions.perms_map, "GET": [VIEW], "OPTIONS": [VIEW], "HEAD": [VIEW]}
    message = _("您的角色无权执行此操作。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS and getattr(view, "public_read", False):
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "_ignore_model_permissions", False):  # DRF's API root lists the endpoints
            return True
        method = request.method if routes(view, request.method) else "POST"
        return request.user.has_perms(self.required_permissions(view, method))

    def required_permissions(self, view, method: str) -> list[str]:
        declared = getattr(view, "permissions_by_method", {})
        if method in declared:
            return list(declared[method])
        return self.get_required_permissions(method, self._model(view))

    _models: dict[type, type] = {}

    def _model(self, view) -> type:
        """The view's model, from its queryset once per view class: DRF composes the whole queryset
        (visibility rules included) on every request only to read its model, which never changes."""
        if type(view) not in self._models:
            ModelPermission._models[type(view)] = self._queryset(view).model
        return self._models[type(view)]


def routes(view, method: str) -> bool:
    """Whether the view answers this method at this URL (a viewset sets a handler per routed method)."""
    name = method.lower()
    return name in view.http_method_names and hasattr(view, name)
