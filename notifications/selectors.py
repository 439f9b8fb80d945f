"""Reads the reminders and the 工作台 share: which projects are open, due for a follow-up, or stale.

Shared by the nightly reminders (services.reminders_send) and the staff workspace (workspace.home),
so that the page and the e-mail never disagree about what is overdue or stale.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import DateField, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from projects.models import Activity, Project

from .models import Notification

# A project in production or dropped needs no more follow-ups.
CLOSED_STAGES = (Project.Stage.PRODUCING, Project.Stage.DROPPED)


def open_projects(queryset: QuerySet | None = None) -> QuerySet:
    queryset = Project.objects.all() if queryset is None else queryset
    return queryset.exclude(stage__in=CLOSED_STAGES)


def stale_cutoff(today: datetime.date) -> datetime.date:
    """A project whose last follow-up (or, with none, its creation) is before this day is stale."""
    return today - datetime.timedelta(days=settings.STALE_PROJECT_DAYS)


def with_last_activity(queryset: QuerySet) -> QuerySet:
    """Each project's last follow-up date (`last_activity`, None without one) and the date its
    staleness is counted from (`quiet_since`: the last follow-up, or the day it was created), in SQL."""
    return queryset.annotate(
        last_activity=Max("activities__happened_on"),
        quiet_since=Coalesce(Max("activities__happened_on"), TruncDate("created_at"), output_field=DateField()),
    )


def stale_projects(queryset: QuerySet, *, today: datetime.date) -> QuerySet:
    """The open projects of `queryset` without a follow-up for STALE_PROJECT_DAYS days, the longest
    quiet first."""
    return (
        with_last_activity(open_projects(queryset))
        .filter(quiet_since__lt=stale_cutoff(today))
        .order_by("quiet_since", "pk")
    )


def follow_ups_due(queryset: QuerySet, *, until: datetime.date) -> QuerySet:
    """The open projects of `queryset` whose next follow-up is on or before `until`, earliest first."""
    return (
        open_projects(queryset)
        .filter(next_follow_up_on__isnull=False, next_follow_up_on__lte=until)
        .order_by("next_follow_up_on", "pk")
    )


def next_actions_due(activities: QuerySet, *, until: datetime.date) -> QuerySet:
    """The next actions (下一步) of `activities` planned on or before `until`, of open projects, each
    the latest follow-up of its project (a later one supersedes it), earliest first."""
    later = Activity.objects.filter(project=OuterRef("project")).filter(
        Q(happened_on__gt=OuterRef("happened_on")) | Q(happened_on=OuterRef("happened_on"), pk__gt=OuterRef("pk"))
    )
    return (
        activities.filter(next_action_on__isnull=False, next_action_on__lte=until)
        .exclude(project__stage__in=CLOSED_STAGES)
        .filter(~Exists(later))
        .order_by("next_action_on", "pk")
    )


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread: the count in the nav of every page.

    Written as SQL, as `projects.selectors.delivered_totals`, because every page runs it: the ORM
    spent several times longer composing this one-line COUNT than the database takes to answer it
    (tests/notifications holds it to the ORM's count)."""
    meta = Notification._meta
    quote = connection.ops.quote_name
    owner, read_at = (quote(meta.get_field(name).column) for name in ("user", "read_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {owner} = %s AND {read_at} IS NULL", [user.pk]
        )
        return cursor.fetchone()[0]
