"""Who may open the bureau's pages: one decorator every page view wears.

A page is for the bureau's people: staff and leaders (and admins). An anonymous visitor is sent to
the sign-in page; an API reader's account, a REST client's, gets the 403 page (templates/403.html).
What a user may then see or change on a page is the models' business (`visible_to`, `can_edit_unit`)
and the role's model permissions (accounts/roles.py), checked by the views as the API checks them.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

PAGES_PERMISSION = "accounts.use_pages_user"


def page_view(view):
    """Sign-in required, and the role's permission to use the pages. The page is in the bureau's
    language whatever the browser asks for: LocaleMiddleware would answer a browser set to en-US
    with Django's own English form messages ("Enter a valid date.") beside Chinese labels."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            if not request.user.has_perm(PAGES_PERMISSION):
                raise PermissionDenied(_("您的账号是接口只读账号，只能通过 REST 接口读取数据，不能使用业务页面。"))
            return view(request, *args, **kwargs)

    return login_required(guarded)


def require_permission(user, permission: str) -> None:
    """A page's write refused, with the 403 page, to a role that may not make it (a leader reads
    everything on the pages and writes nothing)."""
    if not user.has_perm(permission):
        raise PermissionDenied(_("您的角色没有此操作的权限。"))
