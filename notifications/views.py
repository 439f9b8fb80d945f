"""The reminders page (/notifications/): the user's own reminders, unread first, each linking to its
project; one or all of them marked read with a plain POST."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from accounts.pages import page_view

from .models import Notification
from .selectors import unread_count
from .services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 30


@page_view
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.filter(user=request.user)
        .select_related("project")
        .order_by("read_at", "-created_at", "-id")  # unread (NULL) first on SQLite and PostgreSQL alike
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = unread_count(request.user)
    pattern = _project_url_pattern()
    for notification in page:
        notification.project_url = pattern.replace("/0/", f"/{notification.project_id}/") if pattern else ""
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@require_POST
@page_view
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)  # another's reminder is a 404
    notification_mark_read(user=request.user, notification=notification)
    return redirect(_back(request))


@require_POST
@page_view
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读。")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page.isdigit() else url


def _project_url_pattern() -> str:
    """The project page's URL of project 0, to put each row's id in, or "" until that page exists."""
    try:
        return reverse("projects:detail", args=[0])
    except NoReverseMatch:
        return ""
