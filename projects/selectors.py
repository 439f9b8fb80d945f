"""Reads about projects that are more than one filter."""

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import SIGNED_STAGES, CapitalDelivery

MONEY = DecimalField(max_digits=16, decimal_places=2)


def delivered_total():
    """The sum of a project's deliveries as a correlated subquery: on a page of a list it is
    evaluated for that page's rows only, however many projects there are."""
    per_project = (
        CapitalDelivery.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(per_project), Value(0), output_field=MONEY)


def events_with_signed_totals(events: QuerySet) -> QuerySet:
    """What each event brought in: the projects it introduced that are signed and not dropped."""
    signed = Q(projects__stage__in=SIGNED_STAGES)
    return events.annotate(
        signed_count=Count("projects", filter=signed),
        signed_total=Coalesce(Sum("projects__signed_amount", filter=signed), Value(0), output_field=MONEY),
    )
