"""Reads about projects that are more than one filter."""

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import SIGNED_STAGES, CapitalDelivery, Project

MONEY = DecimalField(max_digits=16, decimal_places=2)


def delivered_total():
    """The sum of a project's deliveries as a correlated subquery, for reads that need it on every
    row (exports, the admin's changelist). A paged list uses `attach_delivered_totals` instead: in a
    page's SELECT the subquery would also run for every row that an OFFSET skips."""
    per_project = (
        CapitalDelivery.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(per_project), Value(0), output_field=MONEY)


def attach_delivered_totals(projects: list[Project]) -> list[Project]:
    """Set `delivered_total` on each of a page's projects, from one grouped query over their deliveries."""
    totals = dict(
        CapitalDelivery.objects.filter(project_id__in=[project.pk for project in projects])
        .order_by()
        .values("project_id")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "total")
    )
    for project in projects:
        project.delivered_total = totals.get(project.pk, Decimal("0.00"))
    return projects


def events_with_signed_totals(events: QuerySet) -> QuerySet:
    """What each event brought in: the projects it introduced that are signed and not dropped."""
    signed = Q(projects__stage__in=SIGNED_STAGES)
    return events.annotate(
        signed_count=Count("projects", filter=signed),
        signed_total=Coalesce(Sum("projects__signed_amount", filter=signed), Value(0), output_field=MONEY),
    )
