"""Reads about projects that are more than one filter."""

from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from .duplicates import THRESHOLD, normalise, probe_filter, similarity
from .models import SIGNED_STAGES, CapitalDelivery, Project, ProjectRemoval, project_visibility

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


def project_ledger(project: Project) -> list[CapitalDelivery]:
    """A project's tranches, oldest first, each with `running_total`: the sum of the tranches up to
    and including it, by date then id (a window sum in SQL, one query whatever the number)."""
    order = [F("delivered_on").asc(), F("id").asc()]
    running = Window(Sum("amount"), order_by=order, frame=RowRange(start=None, end=0))
    return list(project.deliveries.order_by(*order).annotate(running_total=running))


def project_history(project: Project) -> tuple[list, list]:
    """A project's audit history and its deliveries', each oldest first with the user who wrote
    it: two queries, whatever the number of entries (a deleted delivery's entries included)."""
    records = project.history.select_related("history_user").order_by("history_date", "history_id")
    deliveries = (
        CapitalDelivery.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    return list(records), list(deliveries)


def project_list_totals(projects: QuerySet) -> dict:
    """The figures of a whole filtered list, not just its page: the number of projects, their
    协议引资额 and the capital delivered to them. Two aggregates, whatever the number of rows: one
    over the projects, one over the deliveries of those projects (the list as a subquery)."""
    projects = projects.order_by()
    totals = projects.aggregate(count=Count("pk"), signed=Coalesce(Sum("signed_amount"), Value(0), output_field=MONEY))
    delivered = CapitalDelivery.objects.filter(project__in=projects.values("pk")).aggregate(
        total=Coalesce(Sum("amount"), Value(0), output_field=MONEY)
    )
    return {
        "count": totals["count"],
        "signed": _money(totals["signed"]),
        "delivered": _money(delivered["total"]),
    }


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

    @property
    def queryset(self) -> QuerySet:
        """The projects themselves, without the joins of the rows (keyset pages, estimated counts)."""
        return self.projects

    def narrowed(self, change) -> "ProjectRows":
        """The same list with `change` (a filter, an order) applied to both its parts (keyset pages)."""
        return ProjectRows(change(self.projects), change(self.rows))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        rows = list(self.rows[page])
        totals = delivered_totals([row["id"] for row in rows])
        for row in rows:
            row["delivered_total"] = totals.get(row["id"], ZERO)
        return rows


def projects_removed_since(user, since) -> list[int]:
    """The ids of the projects `user` could see before and cannot see now that were deleted, turned
    confidential or moved (confidential) out of a unit at or after `since` (ProjectRemoval): what a
    REST client that saw the list at `since` must drop. One query; a project visible again is not
    listed."""
    # NOT EXISTS per entry: a look-up by primary key each, not a scan of every visible project.
    visible = Project.objects.visible_to(user).filter(pk=OuterRef("project_id"))
    return list(
        ProjectRemoval.objects.filter(removed_at__gte=since)
        .filter(project_visibility(user))  # who could see it before: the entry keeps unit and confidentiality
        .filter(~Exists(visible))
        .order_by("project_id")
        .values_list("project_id", flat=True)
        .distinct()
    )


# The most rows a duplicate search scores, newest first: enough for any name, bounded for a common one.
DUPLICATE_SCAN_LIMIT = 2000


def duplicate_candidates(*, name: str, investor: str, user, exclude_pk: int | None = None, limit: int = 10) -> list:
    """The projects the user may see whose normalised name or investor is like the given ones
    (projects.duplicates), best match first, each with `duplicate_score` (0-100) and
    `duplicate_fields` ("name", "investor"), its unit and owner loaded. Used by the lead form and
    the Excel import.

    Why this way: the fuzzy score (rapidfuzz) is computed in Python, so SQLite and PostgreSQL give the
    same candidates (pg_trgm has no SQLite twin, and its similarity is not rapidfuzz's). The database
    only narrows, identically on both: rows whose name (investor) contains one of a few distinctive
    bigrams of the normalised name (investor), each in every spelling it can be stored in (ASCII
    case, full width), with LIKE, which both engines evaluate alike for those spellings
    (projects.duplicates.probes). No model field or migration is needed and the API is unchanged.
    The narrowing scans the table (LIKE '%..%' uses no B-tree index), at most eight patterns a name:
    measured on PostgreSQL with 1,000,000 projects, on a loaded machine, 0.1 to 0.3 s for Chinese
    names and 0.6 s at worst (names of Latin letters, nothing alike); it stops early once
    DUPLICATE_SCAN_LIMIT rows have matched (newest first). An inverted index of bigrams (a table of
    its own, kept by project_save) would make it an index lookup; the next step if it is felt.
    """
    name_key, investor_key = normalise(name), normalise(investor)
    narrowing = probe_filter("name", name_key) | probe_filter("investor", investor_key)
    rows = Project.objects.visible_to(user).filter(narrowing)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    scored = []
    for pk, other_name, other_investor in rows.order_by("-pk").values_list("pk", "name", "investor")[
        :DUPLICATE_SCAN_LIMIT
    ]:
        scores = {
            "name": similarity(name_key, normalise(other_name)),
            "investor": similarity(investor_key, normalise(other_investor)),
        }
        best = max(scores.values())
        if best >= THRESHOLD:
            scored.append((best, pk, [field for field, score in scores.items() if score >= THRESHOLD]))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    scored = scored[:limit]
    projects = Project.objects.select_related("unit", "owner").in_bulk([pk for _score, pk, _fields in scored])
    candidates = []
    for score, pk, fields in scored:
        project = projects[pk]
        project.duplicate_score, project.duplicate_fields = round(score), fields
        candidates.append(project)
    return candidates


def events_with_signed_totals(events: QuerySet) -> QuerySet:
    """What each event brought in: the projects it introduced that are signed and not dropped."""
    signed = Q(projects__stage__in=SIGNED_STAGES)
    return events.annotate(
        signed_count=Count("projects", filter=signed),
        signed_total=Coalesce(Sum("projects__signed_amount", filter=signed), Value(0), output_field=MONEY),
    )


def chamber_funnel_empty() -> dict:
    return {"leads": 0, "negotiating": 0, "signed_count": 0, "signed_amount": ZERO, "delivered": ZERO}


def _funnel_measures(year: int) -> dict:
    """A funnel's project figures as aggregates: open leads and negotiations today, and the projects
    signed in `year` (count and 协议引资额; a dropped project never counts, as in every official figure)."""
    signed = Q(stage__in=SIGNED_STAGES, signed_on__year=year)
    return {
        "leads": Count("pk", filter=Q(stage=Project.Stage.LEAD)),
        "negotiating": Count("pk", filter=Q(stage=Project.Stage.NEGOTIATING)),
        "signed_count": Count("pk", filter=signed),
        "signed_amount": Coalesce(Sum("signed_amount", filter=signed), Value(0), output_field=MONEY),
    }


def chamber_funnels(chamber_ids, year: int) -> dict[int, dict]:
    """Each chamber's funnel, from the projects that came through it (`Project.chamber`): its open
    leads and negotiations today, the projects signed in `year` (count and 协议引资额) and the capital
    delivered in `year` (a dropped project's tranches still count). These are the bureau's official
    totals, so confidential projects are included (DESIGN §5). Two grouped queries, one per table,
    whatever the number of chambers."""
    ids = list(chamber_ids)
    funnels = {chamber_id: chamber_funnel_empty() for chamber_id in ids}
    if not ids:
        return funnels
    per_chamber = (
        Project.objects.filter(chamber_id__in=ids).order_by().values("chamber_id").annotate(**_funnel_measures(year))
    )
    for row in per_chamber:
        funnels[row.pop("chamber_id")].update(row)
    delivered = (
        CapitalDelivery.objects.filter(project__chamber_id__in=ids, delivered_on__year=year)
        .order_by()
        .values("project__chamber_id")
        .annotate(total=Sum("amount"))
    )
    for row in delivered:
        funnels[row["project__chamber_id"]]["delivered"] = row["total"]
    return funnels


def chamber_funnel_total(chambers: QuerySet, year: int) -> dict:
    """The funnel of a set of chambers taken together (a list's 合计 row): two aggregate queries."""
    chamber_ids = chambers.order_by().values("pk")
    total = Project.objects.filter(chamber__in=chamber_ids).aggregate(**_funnel_measures(year))
    delivered = CapitalDelivery.objects.filter(project__chamber__in=chamber_ids, delivered_on__year=year)
    total["delivered"] = delivered.aggregate(total=Sum("amount"))["total"] or ZERO
    return total


def chamber_funnel_years() -> list[int]:
    """The years in which projects that came through a chamber were signed or delivered capital,
    newest first: the years a chamber funnel has figures for."""
    through_chambers = Project.objects.filter(chamber__isnull=False)
    signed = through_chambers.filter(signed_on__isnull=False).dates("signed_on", "year")
    delivered = CapitalDelivery.objects.filter(project__chamber__isnull=False).dates("delivered_on", "year")
    return sorted({day.year for day in [*signed, *delivered]}, reverse=True)
