"""Reads about projects that are more than one filter."""

from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import SIGNED_STAGES, CapitalDelivery, Project

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


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


def delivered_totals(project_ids: list[int]) -> dict[int, Decimal]:
    """The delivered totals of a page's projects, from one grouped query over their deliveries.

    Written as SQL because it runs on every page of the project list: the ORM spent over ten times
    longer building this statement (an IN list of up to 200 ids) than the database takes to answer.
    """
    if not project_ids:
        return {}
    quote = connection.ops.quote_name
    deliveries = CapitalDelivery._meta
    project, amount = (quote(deliveries.get_field(name).column) for name in ("project", "amount"))
    ids = ", ".join(["%s"] * len(project_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {project}, SUM({amount}) FROM {quote(deliveries.db_table)} WHERE {project} IN ({ids}) "
            f"GROUP BY {project}",
            project_ids,
        )
        return {project_id: _money(total) for project_id, total in cursor.fetchall()}


def _money(total) -> Decimal:
    """A sum as the Decimal it is: PostgreSQL answers one; SQLite sums its decimal columns as numbers."""
    return total if isinstance(total, Decimal) else Decimal(str(total)).quantize(ZERO)


def attach_delivered_totals(projects: list[Project]) -> list[Project]:
    totals = delivered_totals([project.pk for project in projects])
    for project in projects:
        project.delivered_total = totals.get(project.pk, ZERO)
    return projects


def project_rows(projects: QuerySet, columns: list[str]) -> "ProjectRows":
    """A project list read as `values()` rows, for a page that needs no model instances."""
    return ProjectRows(projects, projects.values(*columns))


class ProjectRows:
    """What a paginator needs of a list, split in two: the count is taken on the projects table
    alone (the joins that fetch unit and industry codes would slow a count over a million rows),
    and a page is read as rows with their codes and delivered totals."""

    ordered = True

    def __init__(self, projects: QuerySet, rows: QuerySet):
        self.projects, self.rows = projects, rows

    def count(self) -> int:
        return self.projects.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        rows = list(self.rows[page])
        totals = delivered_totals([row["id"] for row in rows])
        for row in rows:
            row["delivered_total"] = totals.get(row["id"], ZERO)
        return rows


def events_with_signed_totals(events: QuerySet) -> QuerySet:
    """What each event brought in: the projects it introduced that are signed and not dropped."""
    signed = Q(projects__stage__in=SIGNED_STAGES)
    return events.annotate(
        signed_count=Count("projects", filter=signed),
        signed_total=Coalesce(Sum("projects__signed_amount", filter=signed), Value(0), output_field=MONEY),
    )
