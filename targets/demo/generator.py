"""The demo generator: writes the city's tables and ~800 generated projects, then checks the figures.

The data it works from sits apart (year.py, city.py, words.py, buckets.py); this module is the
only one that touches the database. How the figures come out exact: each bucket's projects get
their signed and delivered totals by splits whose last share absorbs the rounding, so every
bucket sums to exact integers, and a final self-check recomputes the ten figures with the
report's own computation and rolls the whole load back if anything drifted. Last, the monthly
reports of the year and of the year before are computed and published by the report's services.

Everything random comes from one `random.Random(SEED)` consumed in a fixed order, and no date
depends on today: two loads write the same rows. Reordering draws (or the tables' rows) changes
the generated data, though never the figures.
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, Unit, User
from accounts.services import user_create
from chambers.models import Agreement, Chamber, Contact, Event
from projects.models import Activity, CapitalDelivery, Industry, InvestorKind, Parcel, Project, assign_references
from projects.selectors import project_caches_forget
from targets.models import Indicator, Report, Target, UnitGroup
from targets.reporting import build_rows, report_compute_month, report_publish
from targets.services import unit_group_save

from . import land as land_demo
from .buckets import BUCKETS, CHANNEL_WEIGHTS, DROPPED_UNSIGNED, INVESTOR_KINDS, LEADS, NEGOTIATING, Bucket
from .city import (
    CATEGORY_OF_INDUSTRY,
    CHAMBERS,
    COUNTY,
    EVENTS,
    GD,
    GROUPS,
    HUAYOU_PARCEL,
    LOCAL,
    OOC,
    OOP,
    OVERSEAS,
    PARCELS,
    SOCIAL_INDUSTRIES,
    TX,
    UNIT_SPECS,
    UNITS,
    ZJ,
    UnitSpec,
)
from .words import BRANDS, GIVEN_NAMES, INDUSTRY_WORDS, NEXT_STEPS, REGIONS, SURNAMES, VISIT_NOTES
from .year import CITY_TARGETS, COMPLETION, FIGURES, MAJOR, YEAR, YEAR_END

SEED = 20111231
HISTORY_REASON = "演示数据导入（load_demo）"
# The leader who published the demo's monthly reports: an account that cannot sign in (no password).
PUBLISHER = "demo_leader"
REPORT_YEARS = (YEAR - 1, YEAR)  # the demo year's reports and last year's behind them (year over year)
T = TypeVar("T")

Stage = Project.Stage
Channel = Project.Channel
Category = Project.Category


class DemoError(Exception):
    """The demo cannot be loaded; nothing was written."""


class DemoNotEmpty(DemoError):
    pass


# --- Public API -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]
    figures: dict[str, Decimal]  # indicator code → 2011 value (万元 or projects)
    completion: dict[str, Decimal | None]  # indicator code → city completion %, None without a target


@transaction.atomic
def demo_load() -> DemoSummary:
    """Load the 2011 demo year into an empty database; all or nothing."""
    _ensure_empty()
    indicators = _indicators()
    rng = random.Random(SEED)
    units = _create_units()
    groups = _create_groups(units)
    _create_targets(units, groups, indicators)
    ctx = _Context(
        rng=rng,
        units=units,
        industries=_industries(),
        chambers=_create_chambers(),
        events=_create_events(units),
    )
    ctx.contacts = _create_contacts(ctx)
    ctx.parcels = _create_parcels(ctx)
    drafts = _all_drafts(ctx)
    _save_projects(drafts)
    _save_deliveries(drafts)
    _save_activities(ctx, drafts)
    land_demo.create_outlines(ctx.units)
    land_demo.settle_parcels(ctx.parcels)
    land_demo.create_leads(ctx.units, ctx.industries, ctx.parcels)
    project_caches_forget()  # written in bulk: no signal told the project list
    figures, completion = demo_figures(YEAR)
    _verify(figures, completion)
    _publish_reports()
    return DemoSummary(counts=_counts(), figures=figures, completion=completion)


def demo_figures(year: int) -> tuple[dict[str, Decimal], dict[str, Decimal | None]]:
    """The city's year-to-date figures and completion rates of a year, as the monthly report's own
    computation gives them for December (the tests prove the same figures with plain aggregates)."""
    city = [row for row in build_rows(year=year, month=12) if row.is_city]
    rows = {row.indicator.code: row for row in city if row.indicator.code in FIGURES}
    return {code: rows[code].ytd_value for code in FIGURES}, {code: rows[code].completion_pct for code in FIGURES}


# --- Checks -----------------------------------------------------------------------------------------------

def _ensure_empty() -> None:
    # Chambers are checked too: their names are unique, so the demo's would collide with them.
    if Unit.objects.exists() or Project.objects.exists() or Chamber.objects.exists():
        raise DemoNotEmpty("数据库中已有责任单位、商会或项目：演示数据只能导入空数据库，未写入任何数据。")
    if Report.objects.filter(year__in=REPORT_YEARS).exists():
        raise DemoNotEmpty(f"数据库中已有 {REPORT_YEARS[0]}–{REPORT_YEARS[1]} 年的月度通报：未写入任何数据。")


def _indicators() -> dict[str, Indicator]:
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(FIGURES))}
    missing = [code for code in FIGURES if code not in indicators]
    if missing:
        raise DemoError(f"缺少标准指标：{', '.join(missing)}（请先执行 migrate）。")
    return indicators


def _industries() -> dict[str, Industry]:
    industries = {i.code: i for i in Industry.objects.filter(code__in=list(INDUSTRY_WORDS))}
    missing = [code for code in INDUSTRY_WORDS if code not in industries]
    if missing:
        raise DemoError(f"缺少产业：{', '.join(missing)}（请先执行 migrate）。")
    return industries


def _verify(figures: dict[str, Decimal], completion: dict[str, Decimal | None]) -> None:
    wrong = [f"{code}={figures[code]}（应为 {FIGURES[code]}）" for code in FIGURES if figures[code] != FIGURES[code]]
    wrong += [
        f"{code} 完成率 {completion[code]}%（应为 {pct}%）"
        for code, pct in COMPLETION.items()
        if completion[code] != Decimal(pct)
    ]
    if wrong:
        raise DemoError("演示数据与 2011 年实绩不符，已回滚：" + "；".join(wrong))


def _counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "unit_groups": UnitGroup.objects.count(),
        "targets": Target.objects.count(),
        "chambers": Chamber.objects.count(),
        "contacts": Contact.objects.count(),
        "agreements": Agreement.objects.count(),
        "events": Event.objects.count(),
        "parcels": Parcel.objects.count(),
        "projects": Project.objects.count(),
        "deliveries": CapitalDelivery.objects.count(),
        "activities": Activity.objects.count(),
        "reports": Report.objects.count(),
    }


# --- The monthly reports --------------------------------------------------------------------------------

def _publish_reports() -> None:
    """Every month of last year and of the demo year computed by the report's own service; all
    published but the demo year's December, left provisional (the bulletin still being checked)."""
    publisher = _publisher()
    for year in REPORT_YEARS:
        for month in range(1, 13):
            report = report_compute_month(year=year, month=month)
            if (year, month) != (YEAR, 12):
                report_publish(report=report, actor=publisher)


def _publisher() -> User:
    user = User.objects.filter(username=PUBLISHER).first()
    if user is None:
        user = user_create(username=PUBLISHER, role=Role.LEADER)  # no password: it cannot sign in
    if not user.has_perm("targets.publish_report"):
        raise DemoError(f"用户 {PUBLISHER} 已存在但无权发布月度通报，未写入任何数据。")
    return user


# --- Units, targets, chambers, events, parcels ---------------------------------------------------------

def _clean_all(objects: Sequence) -> None:
    """Every object obeys the model rules, exactly as if a user had entered it."""
    for obj in objects:
        obj.full_clean()


def _create_units() -> dict[str, Unit]:
    units = [Unit(code=s.code, name=s.name, kind=s.kind, group=s.group) for s in UNITS]
    _clean_all(units)
    bulk_create_with_history(units, Unit, default_change_reason=HISTORY_REASON)
    return {unit.code: unit for unit in Unit.objects.all()}


def _create_groups(units: dict[str, Unit]) -> dict[str, UnitGroup]:
    """The year's assessment groups of the city departments, through the service that checks that no
    unit is in two groups of a year."""
    groups = {}
    for position, spec in enumerate(GROUPS, start=1):
        group = UnitGroup()
        group._change_reason = HISTORY_REASON  # read by simple_history for the audit entry
        groups[spec.code] = unit_group_save(
            actor=None, group=group, units=[units[code] for code in spec.members],
            year=YEAR, code=spec.code, name=spec.name, position=position,
        )
    return groups


def _create_targets(units: dict[str, Unit], groups: dict[str, UnitGroup], indicators: dict[str, Indicator]) -> None:
    targets = [
        Target(year=YEAR, indicator=indicators[code], unit=None, value=Decimal(value))
        for code, value in CITY_TARGETS.items()
    ]
    for spec in UNITS:
        targets += [
            Target(year=YEAR, indicator=indicators[code], unit=units[spec.code],
                   value=_spec_target(spec, code, indicators))
            for code in spec.indicators
        ]
    for group in GROUPS:
        members = [UNIT_SPECS[code] for code in group.members]
        # A group is assessed on what any of its members is, for the sum of their targets.
        targets += [
            Target(year=YEAR, indicator=indicators[code], group=groups[group.code],
                   value=sum(_spec_target(spec, code, indicators) for spec in members if code in spec.indicators))
            for code in CITY_TARGETS
            if any(code in spec.indicators for spec in members)
        ]
    _clean_all(targets)
    bulk_create_with_history(targets, Target, default_change_reason=HISTORY_REASON)


def _spec_target(spec: UnitSpec, code: str, indicators: dict[str, Indicator]) -> Decimal:
    return _unit_target(CITY_TARGETS[code], spec.share, indicators[code].is_amount)


def _unit_target(city: int, share: float, is_amount: bool) -> Decimal:
    """A unit's share of the city target, rounded the way a bureau writes targets down."""
    raw = Decimal(city) * Decimal(str(share))
    if not is_amount:
        return max(Decimal(1), raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    step = Decimal(500) if raw >= MAJOR else Decimal(10)
    return max(Decimal(10), (raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def _create_chambers() -> list[Chamber]:
    chambers = [Chamber(name=s.name, kind=s.kind, region=s.region) for s in CHAMBERS]
    _clean_all(chambers)
    chambers = Chamber.objects.bulk_create(chambers)
    agreements = []
    for spec, chamber in zip(CHAMBERS, chambers, strict=True):
        if spec.strategic_on:
            agreements.append(_agreement(chamber, Agreement.Kind.STRATEGIC_FRAMEWORK, spec.strategic_on,
                                         f"衢州市人民政府与{chamber.name}战略合作框架协议"))
        if spec.cooperation_on:
            agreements.append(_agreement(chamber, Agreement.Kind.COOPERATION, spec.cooperation_on,
                                         f"衢州市招商局与{chamber.name}招商合作协议"))
    _clean_all(agreements)
    Agreement.objects.bulk_create(agreements)
    return chambers


def _agreement(chamber: Chamber, kind: str, signed_on: dt.date, title: str) -> Agreement:
    # Agreements run three years.
    expires = signed_on.replace(year=signed_on.year + 3) - dt.timedelta(days=1)
    return Agreement(chamber=chamber, kind=kind, signed_on=signed_on, expires_on=expires, title=title)


def _create_events(units: dict[str, Unit]) -> dict[str, Event]:
    events = [
        Event(name=s.name, kind=s.kind, starts_on=s.starts_on, ends_on=s.ends_on, location=s.location,
              organizer=units[s.organizer], invited_count=s.invited_count, notes=s.notes)
        for s in EVENTS
    ]
    _clean_all(events)
    Event.objects.bulk_create(events)
    return {spec.key: event for spec, event in zip(EVENTS, events, strict=True)}


def _create_contacts(ctx: "_Context") -> dict[int | None, list[Contact]]:
    """Officers of every chamber, and intermediaries of no chamber (the key None)."""
    rng = ctx.rng
    contacts: list[Contact] = []
    for chamber in ctx.chambers:
        titles = ("会长", "常务副会长", "秘书长") if chamber.kind == ZJ else ("会长", "秘书长")
        contacts += [
            Contact(name=_person(rng), chamber=chamber, title=title,
                    organization=_company(rng, OOC if chamber.region in REGIONS[OOC] else OOP,
                                          InvestorKind.PRIVATE, rng.choice(list(INDUSTRY_WORDS))))
            for title in titles
        ]
    contacts += [
        Contact(name=_person(rng), title="总经理",
                organization=f"{rng.choice(REGIONS[OOC] + REGIONS[OOP])}{rng.choice(BRANDS)}投资咨询有限公司",
                notes="以商引商中介")
        for _ in range(15)
    ]
    _clean_all(contacts)
    Contact.objects.bulk_create(contacts)
    by_chamber: dict[int | None, list[Contact]] = {}
    for contact in contacts:
        by_chamber.setdefault(contact.chamber_id, []).append(contact)
    return by_chamber


def _create_parcels(ctx: "_Context") -> dict[str, Parcel]:
    # All available at first: land_demo.settle_parcels reserves and sells them once the projects exist.
    shapes = land_demo.boundaries()
    parcels = [
        Parcel(code=s.code, name=s.name, unit=ctx.units[s.unit], area_mu=Decimal(s.area_mu),
               location=f"{UNIT_SPECS[s.unit].name}{s.name}", boundary=shapes[s.code],
               requirements=f"限{'、'.join(ctx.industries[c].name for c in s.industries)}项目，"
                            f"投资强度不低于{s.intensity}万元/亩，亩均税收不低于{s.tax_per_mu}万元。",
               min_investment_intensity=Decimal(s.intensity), min_tax_per_mu=Decimal(s.tax_per_mu),
               published=s.published_on is not None, published_on=s.published_on)
        for s in PARCELS
    ]
    _clean_all(parcels)
    Parcel.objects.bulk_create(parcels)
    Through = Parcel.industries.through
    Through.objects.bulk_create([
        Through(parcel=parcel, industry=ctx.industries[code])
        for spec, parcel in zip(PARCELS, parcels, strict=True)
        for code in spec.industries
    ])
    return {parcel.code: parcel for parcel in parcels}


# --- Projects ------------------------------------------------------------------------------------------

@dataclass
class _Context:
    rng: random.Random
    units: dict[str, Unit]
    industries: dict[str, Industry]
    chambers: list[Chamber]
    events: dict[str, Event]
    contacts: dict[int | None, list[Contact]] = field(default_factory=dict)
    parcels: dict[str, Parcel] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # project names already used: each is unique

    def events_of(self, year: int) -> list[Event]:
        """Events a generated project may be credited to; TX and GD have exactly their own buckets."""
        return [e for key, e in self.events.items() if key not in (TX, GD) and e.starts_on.year == year]


@dataclass
class _Draft:
    """A project about to be written, with the tranches it will receive."""

    project: Project
    tranches: list[tuple[dt.date, int]] = field(default_factory=list)

    def capacity(self) -> int:
        # Nobody delivers more than the project's total investment.
        return int(self.project.total_investment) - sum(amount for _, amount in self.tranches)

    def window(self, year: int) -> tuple[dt.date, dt.date] | None:
        """Dates in `year` a tranche may carry: after signing, and before dropping."""
        p = self.project
        if p.signed_on is None:
            return None
        start = max(p.signed_on, dt.date(year, 1, 1))
        end = min(dt.date(year, 12, 31), p.dropped_on or dt.date(year, 12, 31))
        return (start, end) if start <= end else None


def _all_drafts(ctx: _Context) -> list[_Draft]:
    drafts = _named_drafts(ctx)
    for bucket in BUCKETS:
        drafts += _bucket_drafts(ctx, bucket)
    drafts += [_Draft(p) for p in _pipeline_projects(ctx)]
    return drafts


def _bucket_drafts(ctx: _Context, bucket: Bucket) -> list[_Draft]:
    amounts = _split_signed(ctx.rng, bucket.signed_total, bucket.count, bucket.majors, bucket.key)
    drafts = [_Draft(_bucket_project(ctx, bucket, signed, major)) for signed, major in amounts]
    for year, total in bucket.delivered:
        _deliver(ctx.rng, drafts, year, total, bucket.key)
    return drafts


def _bucket_project(ctx: _Context, bucket: Bucket, signed: int, major: bool) -> Project:
    rng = ctx.rng
    event = ctx.events[bucket.event] if bucket.event else None
    project = _new_project(
        ctx, origin=bucket.origin, social=bucket.social, mountain_sea=bucket.mountain_sea,
        returning_merchant=bucket.returning_merchant, total=_total_investment(rng, signed, major),
    )
    project.signed_amount = Decimal(signed)
    project.signed_on = _signing_date(rng, bucket, event)
    if bucket.dropped:
        project.stage = Stage.DROPPED
        project.dropped_on = _random_date(rng, project.signed_on + dt.timedelta(days=30),
                                          dt.date(bucket.signed_year, 12, 31))
        project.notes = "投资方资金链紧张，项目终止。"
    else:
        _progress(rng, project, bucket.stages)
    _assign_channel(ctx, project, event)
    return project


def _new_project(ctx: _Context, *, origin: str, social: bool, mountain_sea: bool, returning_merchant: bool,
                 total: int) -> Project:
    """A project's identity: who, where, what; stages and dates are the caller's."""
    rng = ctx.rng
    unit = _pick_unit(rng, social)
    industry = _pick_industry(rng, unit, social)
    kinds = INVESTOR_KINDS[origin] if not social else ((InvestorKind.PRIVATE, 60), (InvestorKind.OTHER, 40))
    investor_kind = _weighted(rng, kinds)
    notes = ""
    if returning_merchant:
        notes = f"在外浙商（{rng.choice(('江山', '龙游', '常山', '开化', '衢州'))}籍）回乡投资。"
    elif mountain_sea:
        notes = "山海协作结对项目。"
    return Project(
        name=_project_name(ctx, industry, unit.place),
        investor=_company(rng, origin, investor_kind, industry),
        investor_kind=investor_kind,
        unit=ctx.units[unit.code],
        industry=ctx.industries[industry],
        category=CATEGORY_OF_INDUSTRY.get(industry, Category.INDUSTRIAL),
        origin=origin,
        returning_merchant=returning_merchant,
        mountain_sea=mountain_sea,
        total_investment=Decimal(total),
        land_area_mu=_land(rng, industry, total),
        # A few projects are kept confidential at the investor's request.
        confidential=rng.random() < 0.04,
        notes=notes,
    )


def _pick_unit(rng: random.Random, social: bool) -> UnitSpec:
    # Social projects belong to the counties or to the education and health bureaus; zones have none.
    if social:
        specs = [s for s in UNITS if s.social or s.kind == COUNTY]
    else:
        specs = [s for s in UNITS if not s.social]
    return _weighted(rng, [(s, s.weight) for s in specs])


def _pick_industry(rng: random.Random, unit: UnitSpec, social: bool) -> str:
    if social:
        return rng.choice(unit.industries if unit.social else SOCIAL_INDUSTRIES)
    return rng.choice(unit.industries)


def _signing_date(rng: random.Random, bucket: Bucket, event: Event | None) -> dt.date:
    if event:
        return _random_date(rng, event.starts_on, event.ends_on or event.starts_on)
    # Dropped projects need time to fail in their year; "done" social ones time to open.
    last_month = 9 if bucket.dropped else 4 if bucket.stages == "done" else 12
    year = bucket.signed_year
    return _random_date(rng, dt.date(year, 1, 1), _month_end(year, last_month))


def _progress(rng: random.Random, project: Project, policy: str) -> None:
    """Construction and production dates as they stood at the end of YEAR."""
    signed_on = project.signed_on
    started = producing = None
    if policy == "done":
        started = signed_on + dt.timedelta(days=rng.randint(20, 50))
        producing = started + dt.timedelta(days=rng.randint(60, 150))
    elif (YEAR_END - signed_on).days > 45 and rng.random() < 0.55:
        started = signed_on + dt.timedelta(days=rng.randint(15, min((YEAR_END - signed_on).days, 300)))
        left = (YEAR_END - started).days
        if left > 90 and rng.random() < 0.45:
            producing = started + dt.timedelta(days=rng.randint(60, min(left, 540)))
    if policy == "carry" and producing and producing.year < YEAR:
        # Carried-over social projects must still be under way when the year begins.
        producing = _random_date(rng, dt.date(YEAR, 1, 1), dt.date(YEAR, 11, 30))
    project.started_on, project.producing_on = started, producing
    project.stage = Stage.PRODUCING if producing else Stage.STARTED if started else Stage.SIGNED


def _assign_channel(ctx: _Context, project: Project, event: Event | None) -> None:
    rng = ctx.rng
    if event:
        project.channel, project.event = Channel.EVENT, event
        return
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    year = project.signed_on.year if project.signed_on else YEAR
    if channel == Channel.EVENT:
        # Credited to an event the investor could have attended before signing.
        events = [e for e in ctx.events_of(year) if not project.signed_on or e.starts_on <= project.signed_on]
        if events:
            project.event = rng.choice(events)
        else:
            channel = Channel.DIRECT
    elif channel == Channel.CHAMBER:
        # Returning merchants come through the chambers of Zhejiang merchants outside the province.
        pool = [c for c in ctx.chambers if c.kind == ZJ] if project.returning_merchant else ctx.chambers
        project.chamber = rng.choice(pool)
        if rng.random() < 0.6:
            project.introduced_by = rng.choice(ctx.contacts[project.chamber.pk])
    elif channel == Channel.REFERRAL:
        project.introduced_by = rng.choice(ctx.contacts[None])
    project.channel = channel


def _pipeline_projects(ctx: _Context) -> list[Project]:
    """Leads, negotiations and projects dropped before signing: none of them counts anywhere."""
    rng = ctx.rng
    projects = []
    stages = [Stage.LEAD] * LEADS + [Stage.NEGOTIATING] * NEGOTIATING + [Stage.DROPPED] * DROPPED_UNSIGNED
    for stage in stages:
        origin = _weighted(rng, ((OOC, 45), (OOP, 30), (OVERSEAS, 5), (LOCAL, 20)))
        project = _new_project(
            ctx, origin=origin, social=rng.random() < 0.1,
            mountain_sea=origin == OOC and rng.random() < 0.4,
            returning_merchant=origin == OOP and rng.random() < 0.4,
            total=_round_to(rng.triangular(1_000, 120_000, 8_000), 100),
        )
        project.stage = stage
        if stage == Stage.DROPPED:
            project.dropped_on = _random_date(rng, dt.date(YEAR, 3, 1), YEAR_END)
            project.notes = "洽谈未果，投资方另选址。"
        else:
            project.next_follow_up_on = _random_date(rng, dt.date(YEAR + 1, 1, 4), dt.date(YEAR + 1, 2, 28))
        _assign_channel(ctx, project, None)
        projects.append(project)
    _add_event_followups(ctx, projects)
    return projects


def _add_event_followups(ctx: _Context, projects: list[Project]) -> None:
    """Some investors met at the two big events are still negotiating: they must not count as signed."""
    negotiating = [p for p in projects if p.stage == Stage.NEGOTIATING]
    for project, key in zip(negotiating[:3], (TX, TX, GD), strict=True):
        project.channel, project.event, project.chamber, project.introduced_by = (
            Channel.EVENT, ctx.events[key], None, None,
        )


# --- The named projects of DESIGN §1 ----------------------------------------------------------------------

def _named_drafts(ctx: _Context) -> list[_Draft]:
    units, industries = ctx.units, ctx.industries
    huayou = _Draft(
        Project(
            name="华友钴业电池材料项目", investor="浙江华友钴业股份有限公司", investor_kind=InvestorKind.LISTED,
            unit=units["hitech_zone"], industry=industries["new_materials"], category=Category.INDUSTRIAL,
            origin=OOC, mountain_sea=True, channel=Channel.DIRECT, stage=Stage.STARTED,
            total_investment=Decimal(600_000), signed_amount=Decimal(600_000), signed_on=dt.date(2011, 4, 16),
            started_on=dt.date(2011, 6, 28), land_area_mu=Decimal(700), parcel=ctx.parcels[HUAYOU_PARCEL],
            notes="【重点】总投资60亿元，分期建设；一期投资18.95亿元，用地700亩。",
        ),
        [(dt.date(2011, 5, 20), 50_000), (dt.date(2011, 8, 15), 60_000),
         (dt.date(2011, 10, 28), 45_000), (dt.date(2011, 12, 20), 34_500)],
    )
    genggen = _Draft(
        Project(
            name="根根陶瓷项目", investor="佛山市根根陶瓷有限公司", investor_kind=InvestorKind.PRIVATE,
            unit=units["jiangshan"], industry=industries["building_materials"], category=Category.INDUSTRIAL,
            origin=OOP, returning_merchant=True, channel=Channel.CHAMBER, chamber=_chamber(ctx, "广东浙江商会"),
            stage=Stage.PRODUCING, total_investment=Decimal(11_000), signed_amount=Decimal(11_000),
            signed_on=dt.date(2009, 11, 20), started_on=dt.date(2010, 3, 18), producing_on=dt.date(2011, 6, 28),
            land_area_mu=Decimal(120), notes="【重点】在粤江山籍浙商回归项目。",
        ),
        [(dt.date(2010, 4, 15), 3_000), (dt.date(2010, 9, 30), 2_500),
         (dt.date(2011, 3, 20), 2_500), (dt.date(2011, 8, 15), 1_500)],
    )
    oupai = _Draft(
        Project(
            name="欧派门业年产60万套实木复合门项目", investor="江山欧派门业有限公司",
            investor_kind=InvestorKind.PRIVATE, unit=units["jiangshan"], industry=industries["building_materials"],
            category=Category.INDUSTRIAL, origin=OOC, channel=Channel.VENTURE_CAPITAL, stage=Stage.STARTED,
            total_investment=Decimal(12_000), signed_amount=Decimal(8_000), signed_on=dt.date(2011, 7, 8),
            started_on=dt.date(2011, 9, 1), land_area_mu=Decimal(80),
            notes="【重点】杭州创投机构注资，资金来源市外。",
        ),
        [(dt.date(2011, 9, 10), 3_000), (dt.date(2011, 12, 5), 2_000)],
    )
    jiuyang = _Draft(
        Project(
            name="久阳光电LED照明产业化项目", investor="浙江久阳光电科技有限公司",
            investor_kind=InvestorKind.PRIVATE, unit=units["jiangshan"], industry=industries["electronics"],
            category=Category.INDUSTRIAL, origin=OOP, channel=Channel.VENTURE_CAPITAL, stage=Stage.STARTED,
            total_investment=Decimal(20_000), signed_amount=Decimal(15_000), signed_on=dt.date(2011, 3, 25),
            started_on=dt.date(2011, 5, 6), land_area_mu=Decimal(65),
            notes="【重点】深圳创投机构领投，资金来源省外。",
        ),
        [(dt.date(2011, 6, 20), 5_000), (dt.date(2011, 10, 18), 3_000)],
    )
    named = [huayou, genggen, oupai, jiuyang]
    ctx.names.update(d.project.name for d in named)
    return named


def _chamber(ctx: _Context, name: str) -> Chamber:
    return next(c for c in ctx.chambers if c.name == name)


# --- Amounts ---------------------------------------------------------------------------------------------

def _split_signed(rng: random.Random, total: int, count: int, majors: int, key: str) -> list[tuple[int, bool]]:
    """`count` signed amounts summing to `total`; `majors` of them for projects of 1 亿 or more."""
    if majors == 0:
        parts = _split_int(rng, total, count, 10)
        if max(parts) >= MAJOR:
            raise DemoError(f"桶 {key}：小项目金额超过 1 亿。")
        return [(part, False) for part in parts]
    smalls = [_round_to(rng.triangular(300, 9_800, 1_500), 10) for _ in range(count - majors)]
    room = total - majors * MAJOR * 6 // 5  # leave the majors at least 1.2 亿 on average
    if sum(smalls) > room:
        smalls = [max(100, _round_to(s * room / sum(smalls), 10)) for s in smalls]
    budget = total - sum(smalls)
    if budget < majors * MAJOR:
        raise DemoError(f"桶 {key}：协议额不足以支撑 {majors} 个亿元以上项目。")
    weights = [rng.paretovariate(1.5) for _ in range(majors)]
    extra = budget - majors * MAJOR
    bigs = [MAJOR + _round_to(extra * w / sum(weights), 100) for w in weights[:-1]]
    bigs.append(budget - sum(bigs))  # the last one absorbs the rounding: the sum is exact
    if bigs[-1] <= 0:
        raise DemoError(f"桶 {key}：金额分配失败。")
    pairs = [(s, False) for s in smalls] + [(b, True) for b in bigs]
    rng.shuffle(pairs)
    return pairs


def _total_investment(rng: random.Random, signed: int, major: bool) -> int:
    """Total investment ≥ signed amount, and on the right side of 1 亿."""
    factor = rng.choice((1, 1, 1, 1.1, 1.2, 1.5))
    if major:
        return max(_round_up(max(signed, MAJOR) * factor, 100), signed)
    return max(min(_round_up(signed * factor, 10), MAJOR - 10), signed)


def _deliver(rng: random.Random, drafts: list[_Draft], year: int, total: int, key: str) -> None:
    """Spread `total` 万元 of `year` over some of the bucket's projects, in tranches."""
    eligible = [d for d in drafts if d.window(year) and d.capacity() > 0]
    rng.shuffle(eligible)
    # Most projects receive something; small totals go to a few projects, not crumbs to many.
    count = max(1, min(round(len(eligible) * 0.75), total // 50))
    while sum(d.capacity() for d in eligible[:count]) < total and count < len(eligible):
        count += 1
    chosen = eligible[:count]
    if sum(d.capacity() for d in chosen) < total:
        raise DemoError(f"桶 {key}：{year} 年到位资金超过项目总投资。")
    weights = [float(d.project.signed_amount) * rng.uniform(0.4, 1.0) for d in chosen]
    shares = _water_fill(total, weights, [d.capacity() for d in chosen])
    for draft, share in zip(chosen, shares, strict=True):
        if share:
            draft.tranches += _tranches(rng, share, *draft.window(year))


def _water_fill(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Integers proportional to `weights`, none above its cap, summing exactly to `total`."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        rest = total - sum(fixed.values())
        weight = sum(weights[i] for i in free)
        over = [i for i in free if rest * weights[i] / weight > caps[i]] if free else []
        if not over:
            break
        fixed.update({i: caps[i] for i in over})
    exact = [fixed[i] if i in fixed else rest * weights[i] / weight for i in range(len(weights))]
    shares = [min(caps[i], int(x)) for i, x in enumerate(exact)]
    # Hand the rounding remainder out one 万 at a time, largest fraction first.
    order = sorted(range(len(shares)), key=lambda i: (shares[i] - exact[i], i))
    short = total - sum(shares)
    while short > 0:
        for i in order:
            if short and shares[i] < caps[i]:
                shares[i] += 1
                short -= 1
    return shares


def _tranches(rng: random.Random, amount: int, start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    count = min(rng.choice((1, 2, 2, 2, 3, 4)), amount)
    parts = _split_int(rng, amount, count, 10 if amount >= 20 * count else 1)
    dates = sorted(_random_date(rng, start, end) for _ in parts)
    return list(zip(dates, parts, strict=True))


def _split_int(rng: random.Random, total: int, count: int, step: int) -> list[int]:
    """A random composition of `total` into `count` positive parts, multiples of `step` but the last."""
    units = total // step
    if units < count:
        step, units = 1, total
    cuts = sorted(rng.sample(range(1, units), count - 1))
    parts = [(b - a) * step for a, b in zip([0, *cuts], [*cuts, units], strict=True)]
    parts[-1] += total - units * step
    return parts


def _land(rng: random.Random, industry: str, total: int) -> Decimal | None:
    """Land in 亩 at a plausible investment intensity; finance and some others take none."""
    if industry in ("finance", "real_estate") or rng.random() < 0.25:
        return None
    intensity = 60 if industry in ("agriculture", "tourism") else rng.choice((180, 220, 260, 300, 350))
    return max(Decimal("5.0"), (Decimal(total) / intensity).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- Deliveries and activities -----------------------------------------------------------------------------

def _save_projects(drafts: list[_Draft]) -> None:
    projects = [d.project for d in drafts]
    _clean_all(projects)
    assign_references(projects)  # bulk_create does not call save(), which gives them otherwise
    created = bulk_create_with_history(projects, Project, default_change_reason=HISTORY_REASON)
    for draft, project in zip(drafts, created, strict=True):
        draft.project = project


def _save_deliveries(drafts: list[_Draft]) -> None:
    deliveries = [
        CapitalDelivery(project=d.project, delivered_on=on, amount=Decimal(amount), note=_delivery_note(i))
        for d in drafts
        for i, (on, amount) in enumerate(sorted(d.tranches))
    ]
    _clean_all(deliveries)
    bulk_create_with_history(deliveries, CapitalDelivery, default_change_reason=HISTORY_REASON)


def _delivery_note(index: int) -> str:
    return "首笔注册资本到位" if index == 0 else f"第{index + 1}笔资金到位"


def _save_activities(ctx: _Context, drafts: list[_Draft]) -> None:
    activities = [a for d in drafts for a in _activities_for(ctx.rng, d.project)]
    _clean_all(activities)
    Activity.objects.bulk_create(activities)


def _activities_for(rng: random.Random, project: Project) -> list[Activity]:
    """The follow-up timeline: courting before signing, then construction, or the end."""
    entries: list[tuple[dt.date, str, str]] = []
    if project.signed_on:
        for day in _dates(rng, rng.randint(0, 1), project.signed_on - dt.timedelta(days=150),
                          project.signed_on - dt.timedelta(days=1)):
            entries.append(_courting(rng, project, day))
        if project.event:
            entries.append((project.signed_on, Activity.Kind.EVENT,
                            f"在{project.event.name}上与{project.investor}签订投资协议。"))
        else:
            entries.append((project.signed_on, Activity.Kind.MEETING, f"与{project.investor}正式签订投资协议。"))
        if project.stage != Stage.DROPPED:
            for day in _dates(rng, rng.randint(0, 1), project.signed_on + dt.timedelta(days=7), YEAR_END):
                entries.append((day, Activity.Kind.VISIT, "走访项目现场，了解建设进度和资金到位情况。"))
    else:
        count = 1 + rng.randint(0, 1) + (1 if project.stage == Stage.NEGOTIATING else 0)
        for day in _dates(rng, count, dt.date(YEAR, 1, 10), project.dropped_on or dt.date(YEAR, 12, 20)):
            entries.append(_courting(rng, project, day))
    if project.stage == Stage.DROPPED:
        entries.append((project.dropped_on, Activity.Kind.CALL, f"{project.investor}确认终止项目，做好后续服务。"))
    return [_activity(rng, project, day, kind, summary) for day, kind, summary in entries]


def _courting(rng: random.Random, project: Project, day: dt.date) -> tuple[dt.date, str, str]:
    kind = rng.choice((Activity.Kind.VISIT, Activity.Kind.RECEPTION, Activity.Kind.MEETING, Activity.Kind.CALL))
    summary = {
        Activity.Kind.VISIT: f"上门拜访{project.investor}，{rng.choice(VISIT_NOTES)}。",
        Activity.Kind.RECEPTION: f"{project.investor}一行来{project.unit.name}考察，实地察看项目选址。",
        Activity.Kind.MEETING: f"与{project.investor}就{project.name}的用地、投资强度和建设周期进行洽谈。",
        Activity.Kind.CALL: f"电话联系{project.investor}，了解项目决策进展。",
    }[kind]
    return day, kind, summary


def _activity(rng: random.Random, project: Project, day: dt.date, kind: str, summary: str) -> Activity:
    last = project.dropped_on == day
    return Activity(
        project=project, contact=project.introduced_by, kind=kind, happened_on=day, summary=summary,
        next_action="" if last else rng.choice(NEXT_STEPS),
        next_action_on=None if last else day + dt.timedelta(days=rng.randint(7, 45)),
    )


# --- Small helpers -------------------------------------------------------------------------------------------

def _weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _dates(rng: random.Random, count: int, start: dt.date, end: dt.date) -> list[dt.date]:
    if start > end:
        return []
    return sorted(_random_date(rng, start, end) for _ in range(count))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _round_up(value: float, step: int) -> int:
    return -(-int(value) // step) * step


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _company(rng: random.Random, origin: str, kind: str, industry: str) -> str:
    brand, word = rng.choice(BRANDS), INDUSTRY_WORDS[industry].company
    if kind == InvestorKind.CENTRAL_SOE:
        return f"中国{brand}{word}集团有限公司"
    if kind == InvestorKind.PROVINCIAL_SOE:
        return f"浙江省{brand}{word}集团有限公司"
    suffix = "股份有限公司" if kind == InvestorKind.LISTED else "有限公司"
    return f"{rng.choice(REGIONS[origin])}{brand}{word}{suffix}"


def _project_name(ctx: _Context, industry: str, place: str) -> str:
    """A realistic and unique project name, e.g. 年产5万吨特种纸项目 or 江山金瑞生态度假村项目."""
    rng, words = ctx.rng, INDUSTRY_WORDS[industry]
    for _ in range(30):
        product, brand = rng.choice(words.products), rng.choice(BRANDS)
        patterns = [f"{brand}{product}项目", f"{place}{brand}{product}项目"]
        if words.quantity_unit:  # manufacturing: capacity and expansions are how projects are named
            patterns += [f"年产{rng.choice(words.quantities)}{words.quantity_unit}{product}项目"] * 2
            patterns += [f"{brand}{product}扩建项目"]
        name = rng.choice(patterns)
        if name not in ctx.names:
            break
    else:
        name = f"{place}{brand}{product}二期项目"
    while name in ctx.names:
        name = name.removesuffix("项目") + "（续建）项目"
    ctx.names.add(name)
    return name
