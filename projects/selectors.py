"""Reads about projects that are more than one filter."""

import datetime
import enum
import hashlib
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
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
    When,
    Window,
)
from django.db.models.functions import Coalesce

from core.keyed_rows import KeyedRows

from .duplicates import THRESHOLD, normalise, probe_filter, similarity
from .models import (
    SIGNED_STAGES,
    CapitalDelivery,
    Industry,
    Parcel,
    Project,
    ProjectRemoval,
    RemovalLogStart,
    Stage,
    project_visibility,
)

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


def delivered_total():
    """The sum of a project's deliveries as a correlated subquery, for reads that need it on every
    row (exports, the admin's changelist, list pages read by their keys: ProjectRows). A query with
    an OFFSET must not carry it: the subquery would also run for every row the OFFSET skips."""
    per_project = (
        CapitalDelivery.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(per_project), Value(0), output_field=MONEY)


def delivered_totals(project_ids: list[int]) -> dict[int, Decimal]:
    """The delivered totals of some projects (a project's own page), from one grouped query over
    their deliveries. Written as SQL: the ORM spent over ten times longer building this statement
    (an IN list of up to 200 ids) than the database takes to answer."""
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


LIST_TOTALS_VERSION_KEY = "projects:list-totals-version"
# A write to a project or a delivery makes every kept total stale at once (projects/signals.py); the
# timeout only bounds a write that would skip the signals (a bulk update).
LIST_TOTALS_TIMEOUT = 600


def kept_project_list_totals(projects: QuerySet) -> dict:
    """`project_list_totals`, kept in the cache while no project or delivery changes.

    A person pages and re-sorts through one filtered list: the totals of the whole set are the same
    on every page, and over a unit's thousands of projects they were the page's dearest query. The
    key is the filtered set's own SQL (its visibility conditions included), so two users who may see
    different projects never share totals. Exact: the version is read before the totals are summed,
    and any write changes it, so totals summed across a write are never taken for current ones.
    """
    sql, params = projects.order_by().query.sql_with_params()
    key = "projects:list-totals:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    kept = cache.get_many([LIST_TOTALS_VERSION_KEY, key])
    version = kept.get(LIST_TOTALS_VERSION_KEY)
    if version is None:
        cache.add(LIST_TOTALS_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(LIST_TOTALS_VERSION_KEY)
    elif key in kept and kept[key][0] == version:
        return kept[key][1]
    totals = project_list_totals(projects)
    cache.set(key, (version, totals), LIST_TOTALS_TIMEOUT)
    return totals


def list_totals_forget() -> None:
    """Every kept total is stale: a project or a delivery changed."""
    cache.set(LIST_TOTALS_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def project_caches_forget() -> None:
    """After a load that writes in bulk, without the signals (the demo, the benchmark's dataset)."""
    filter_options_forget()
    list_totals_forget()


def project_rows(projects: QuerySet, columns: list[str]) -> "ProjectRows":
    """A project list read as `values()` rows (with `delivered_total`), for a page that needs no
    model instances."""
    return ProjectRows(projects, _row_reader(tuple(columns)))


_ROW_READERS: dict[tuple, KeyedRows] = {}


def _row_reader(columns: tuple) -> KeyedRows:
    if columns not in _ROW_READERS:
        _ROW_READERS[columns] = KeyedRows(
            lambda ids: Project.objects.filter(pk__in=ids).values(*columns).annotate(delivered_total=delivered_total())
        )
    return _ROW_READERS[columns]


class ProjectRows:
    """What a paginator needs of a list, split in two: the count and a page's keys are taken on the
    projects table alone (the joins that fetch unit and industry codes would slow a count over a
    million rows, and an OFFSET would skip joined rows), and a page is read as rows with their codes
    and delivered totals by those keys, in one statement the ORM compiles once (core.keyed_rows)."""

    ordered = True

    def __init__(self, projects: QuerySet, reader: KeyedRows):
        self.projects, self.reader = projects, reader

    def count(self) -> int:
        return self.projects.count()

    @property
    def queryset(self) -> QuerySet:
        """The projects themselves, without the joins of the rows (keyset pages, estimated counts)."""
        return self.projects

    def by_keys(self, ids: list[int]) -> list[dict]:
        """The rows of the projects `ids`, in that order (keyset pages read their keys themselves)."""
        return self.reader.read(ids)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        return self.by_keys(list(self.projects.values_list("pk", flat=True)[page]))


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


# A change of a user's role or unit is stamped inside its transaction, while a request reads its user
# as it starts: a request that read the user just before the change committed still serves the old
# scope a moment later, and may hand out a mark (Sync-Horizon) later than the stamp. Marks this soon
# after the change are refused too: at worst one full pull more, never a copy of the wrong scope.
SCOPE_CHANGE_GRACE = datetime.timedelta(minutes=1)


class IncompleteRemovals(enum.StrEnum):
    """Why `projects/removed/?since=` cannot give a caller the whole list (see removals_incomplete)."""

    PRUNED = "pruned"
    SCOPE_CHANGED = "scope_changed"


def removals_incomplete(user, since: datetime.datetime) -> IncompleteRemovals | None:
    """Whether the removals since `since` cannot bring `user`'s copy in step, and why: entries after
    `since` were pruned from the log (RemovalLogStart), or the user's own role or unit changed after
    it (User.scope_changed_at), so the projects it may see are not those its copy was made of.
    Either way the copy must be rebuilt by a full pull. None: projects_removed_since is complete.

    Called after projects_removed_since, not before: a prune that commits between the two reads is
    then seen here, and the answer refused rather than given with holes."""
    start = RemovalLogStart.objects.filter(pk=RemovalLogStart.ONLY).values_list("complete_since", flat=True).first()
    if start is not None and since < start:
        return IncompleteRemovals.PRUNED
    changed = user.scope_changed_at
    if changed is not None and since < changed + SCOPE_CHANGE_GRACE:
        return IncompleteRemovals.SCOPE_CHANGED
    return None


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


FILTER_OPTIONS_KEY = "projects:filter-options"
# A change to a unit, industry, chamber or event clears the options at once (projects/signals.py);
# the timeout only bounds how long a write that skips the signals (a bulk update) goes unseen.
FILTER_OPTIONS_TIMEOUT = 300


def filter_options() -> dict[str, list[tuple]]:
    """The choices of the project list's filter selects, as (value, label): units and industries by
    code, chambers and events by id, in the order a person looks for them. Kept in the cache: every
    page of the list shows the same hundred names, and reading them was four queries a page."""
    return cache.get_or_set(FILTER_OPTIONS_KEY, _read_filter_options, timeout=FILTER_OPTIONS_TIMEOUT)


def filter_options_forget() -> None:
    cache.delete(FILTER_OPTIONS_KEY)


def _read_filter_options() -> dict[str, list[tuple]]:
    from accounts.models import Unit
    from chambers.models import Chamber, Event

    return {
        "unit": list(Unit.objects.values_list("code", "name")),
        "industry": list(Industry.objects.values_list("code", "name")),
        "chamber": list(Chamber.objects.order_by("name").values_list("pk", "name")),
        "event": list(Event.objects.order_by("-starts_on", "name").values_list("pk", "name")),
    }


# --- Matching ready land and projects ---------------------------------------------------------------
# A project fits a parcel when the parcel allows its industry (a parcel naming no industry allows any),
# the parcel's area covers the project's land need (用地), and the project's investment ÷ its land need
# reaches the parcel's intensity threshold (none: no threshold). Each rule is judged once, in
# `_judge`; the database only narrows and orders the candidates (fitting ones first), so a long
# project table is never read into Python.

MATCH_STAGES = (Stage.LEAD, Stage.NEGOTIATING)  # projects still looking for land
MATCH_LIMIT = 20
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MatchRule:
    rule: str  # "industry", "area", "intensity"
    ok: bool
    text: str


@dataclass(frozen=True)
class LandMatch:
    parcel: Parcel
    project: Project
    rules: tuple[MatchRule, ...]

    @property
    def fits(self) -> bool:
        return all(rule.ok for rule in self.rules)

    @property
    def misses(self) -> tuple[MatchRule, ...]:
        return tuple(rule for rule in self.rules if not rule.ok)


def _number(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}".rstrip("0").rstrip(".")


def _judge_industry(parcel: Parcel, project: Project, allowed: dict[int, str]) -> MatchRule:
    if not allowed:
        return MatchRule("industry", True, "地块不限产业")
    if project.industry_id is None:
        return MatchRule("industry", False, "项目未填产业")
    name = project.industry.name
    if project.industry_id in allowed:
        return MatchRule("industry", True, f"产业“{name}”在地块适合产业内")
    return MatchRule("industry", False, f"产业“{name}”不在地块适合产业（{'、'.join(allowed.values())}）内")


def _judge_area(parcel: Parcel, project: Project) -> MatchRule:
    need = project.land_area_mu
    if not need:
        return MatchRule("area", False, "项目未填用地面积")
    if parcel.area_mu >= need:
        return MatchRule("area", True, f"地块 {_number(parcel.area_mu)} 亩，满足用地 {_number(need)} 亩")
    return MatchRule(
        "area",
        False,
        f"地块 {_number(parcel.area_mu)} 亩，比用地 {_number(need)} 亩少 {_number(need - parcel.area_mu)} 亩",
    )


def _judge_intensity(parcel: Parcel, project: Project) -> MatchRule:
    threshold, need = parcel.min_investment_intensity, project.land_area_mu
    if threshold is None:
        return MatchRule("intensity", True, "地块无投资强度门槛")
    if not need:
        return MatchRule("intensity", False, f"未填用地面积，无法核算投资强度（门槛 {_number(threshold)} 万元/亩）")
    intensity = project.total_investment / need
    # Compared exactly (investment ≥ threshold × need), shown rounded: a project exactly at the threshold fits.
    if project.total_investment >= threshold * need:
        return MatchRule(
            "intensity", True, f"投资强度 {_number(intensity)} 万元/亩，达到门槛 {_number(threshold)} 万元/亩"
        )
    return MatchRule(
        "intensity",
        False,
        f"投资强度 {_number(intensity)} 万元/亩，"
        f"比门槛 {_number(threshold)} 万元/亩低 {_number(threshold - intensity)} 万元/亩",
    )


def _judge(parcel: Parcel, project: Project) -> LandMatch:
    allowed = {industry.pk: industry.name for industry in parcel.industries.all()}  # prefetched
    rules = (_judge_industry(parcel, project, allowed), _judge_area(parcel, project), _judge_intensity(parcel, project))
    return LandMatch(parcel=parcel, project=project, rules=rules)


def land_matches(
    *, user, parcel: Parcel | None = None, project: Project | None = None, limit: int = MATCH_LIMIT
) -> list[LandMatch]:
    """The matches of one parcel (leads and negotiating projects the user may see, holding no other
    land) or of one project (available land), fitting ones first, each with every rule's verdict.

    Pass exactly one of `parcel` and `project`."""
    if (parcel is None) == (project is None):
        raise TypeError("land_matches takes a parcel or a project")
    if parcel is not None:
        return _projects_for(parcel, user=user, limit=limit)
    return _parcels_for(project, user=user, limit=limit)


def _projects_for(parcel: Parcel, *, user, limit: int) -> list[LandMatch]:
    parcel = Parcel.objects.prefetch_related("industries").get(pk=parcel.pk)
    industry_ids = [industry.pk for industry in parcel.industries.all()]
    candidates = Project.objects.visible_to(user).filter(
        Q(parcel__isnull=True) | Q(parcel=parcel), stage__in=MATCH_STAGES, reserved_parcel__isnull=True
    )
    if industry_ids:  # others miss the industry rule: not worth listing, except those enquiring about it
        candidates = candidates.filter(Q(industry__in=industry_ids) | Q(parcel=parcel))
    need_ok = Q(land_area_mu__gt=0)
    area_ok = Q(land_area_mu__lte=parcel.area_mu)
    threshold = parcel.min_investment_intensity
    intensity_ok = Q() if threshold is None else Q(total_investment__gte=F("land_area_mu") * threshold)
    industry_ok = Q(industry__in=industry_ids) if industry_ids else Q()
    ranked = candidates.annotate(
        fit_rank=Case(When(need_ok & area_ok & intensity_ok & industry_ok, then=Value(1)), default=Value(0)),
        enquired=Case(When(parcel=parcel, then=Value(1)), default=Value(0)),
    ).select_related("industry", "unit")
    rows = ranked.order_by("-fit_rank", "-enquired", "-total_investment", "-pk")[:limit]
    return _fitting_first([_judge(parcel, candidate) for candidate in rows])


def _parcels_for(project: Project, *, user, limit: int) -> list[LandMatch]:
    project = Project.objects.select_related("industry").get(pk=project.pk)
    need = project.land_area_mu
    allows_industry = Exists(
        Parcel.industries.through.objects.filter(parcel=OuterRef("pk"), industry=project.industry_id)
    )
    no_industry = ~Exists(Parcel.industries.through.objects.filter(parcel=OuterRef("pk")))
    if need:
        area_ok = Q(area_mu__gte=need)
        intensity_ok = Q(min_investment_intensity__isnull=True) | Q(
            min_investment_intensity__lte=project.total_investment / need
        )
    else:
        area_ok = intensity_ok = Q(pk__in=[])
    candidates = (
        Parcel.objects.visible_to(user)
        .filter(status=Parcel.Status.AVAILABLE)
        .annotate(
            fit_rank=Case(
                When((Q(allows_industry) | Q(no_industry)) & area_ok & intensity_ok, then=Value(1)), default=Value(0)
            )
        )
        .select_related("unit")
        .prefetch_related("industries")
        .order_by("-fit_rank", "code")[:limit]
    )
    return _fitting_first([_judge(parcel, project) for parcel in candidates])


def _fitting_first(matches: list[LandMatch]) -> list[LandMatch]:
    return sorted(matches, key=lambda match: not match.fits)  # stable: the database's order otherwise
