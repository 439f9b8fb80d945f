"""What every page's frame shows: the navigation bar, and who is signed in."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count

# The bar's entries, in the bureau's order: (label, URL name). An entry shows once its page exists
# (the ready-land and import pages come with their own work), never as a link to nothing.
NAVIGATION = [
    ("工作台", "home"),
    ("项目库", "projects:list"),
    ("看板", "board"),
    ("商会", "chambers:list"),
    ("活动", "events:list"),
    ("地块", "land:list"),
    ("通报", "dashboard"),
    ("督查", "dashboard_inspection"),
    ("导入", "import:start"),
]
# Entries only for the roles that can use the page behind them (a leader reads, imports nothing).
NAVIGATION_PERMISSIONS = {"import:start": "projects.change_project"}
PAGES = "accounts.use_pages_user"


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(PAGES):
        return {}
    entries = [e for e in _entries(request.path) if user.has_perm(NAVIGATION_PERMISSIONS.get(e["name"], PAGES))]
    return {"navigation": entries, **_reminders(user)}


def _reminders(user) -> dict:
    """The nav's 提醒 link and the user's unread count: one COUNT query, made only when a template
    shows it (base.html does; an htmx partial rendered with the same context does not)."""
    return {
        "notifications_url": reverse("notifications:list"),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }


def _entries(current_path: str) -> list[dict]:
    entries = []
    for label, name in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"label": label, "url": url, "active": active, "name": name})
    # One entry is current: the most specific (/dashboard/inspection/ is 督查, not also 通报).
    current = max((e for e in entries if e["active"]), key=lambda e: len(e["url"]), default=None)
    for entry in entries:
        entry["active"] = entry is current
    return entries
