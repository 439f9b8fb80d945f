"""The demo year reproduces DESIGN §1 exactly.

Every figure is proved here with a plain ORM aggregate written from DESIGN §3 — not with the
loader's own self-check nor with the report engine — so a bug in either cannot hide a wrong demo;
then the report engine, the drill-down and the event page are read on it too.
The demo is loaded once for the module (once per pytest-xdist worker) inside a transaction that is
rolled back at the end: a load takes tens of seconds, so the tests that read the demo live here.
"""

import datetime as dt
import hashlib
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q, Sum

from accounts.models import Unit
from chambers.models import Agreement, Chamber, Contact, Event
from projects.models import Activity, CapitalDelivery, Parcel, Project
from targets.drill import Figure, totals
from targets.models import Report, ReportRow, Target, UnitGroup
from targets.reporting import report_compute_month
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2011, 1, 1), dt.date(2011, 12, 31)
OUTSIDE_CITY = ["out_of_city", "out_of_province", "overseas"]
SIGNED_STAGES = ["signed", "started", "producing"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> str:
    """Load the demo once for this module; roll it back so the other modules see an empty database."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


# --- The ten figures, each a plain aggregate -------------------------------------------------------------

def signed_in_2011():
    """Projects that count toward signed amounts and counts: signed in 2011, not dropped."""
    return Project.objects.filter(signed_on__gte=START, signed_on__lte=END).exclude(stage="dropped")


def delivered_in_2011(**project_filter) -> Decimal:
    """Deliveries dated in 2011, of any project (dropped ones included)."""
    rows = CapitalDelivery.objects.filter(delivered_on__gte=START, delivered_on__lte=END, **project_filter)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def signed_capital() -> Decimal:
    return signed_in_2011().filter(origin__in=OUTSIDE_CITY).aggregate(total=Sum("signed_amount"))["total"]


def delivered_capital() -> Decimal:
    return delivered_in_2011(project__origin__in=OUTSIDE_CITY)


def major_projects() -> int:
    return signed_in_2011().filter(origin__in=OUTSIDE_CITY, total_investment__gte=10000).count()


def out_of_province_delivered() -> Decimal:
    return delivered_in_2011(project__origin="out_of_province")


def returning_merchant_delivered() -> Decimal:
    return delivered_in_2011(project__returning_merchant=True)


def mountain_sea_projects() -> int:
    return signed_in_2011().filter(mountain_sea=True).count()


def mountain_sea_signed() -> Decimal:
    return signed_in_2011().filter(mountain_sea=True).aggregate(total=Sum("signed_amount"))["total"]


def mountain_sea_delivered() -> Decimal:
    return delivered_in_2011(project__mountain_sea=True)


def social_projects() -> int:
    # 含上年结转: signed by the year's end, not dropped, not already producing when the year began.
    return (
        Project.objects.filter(category="social", signed_on__lte=END)
        .exclude(stage="dropped")
        .filter(Q(producing_on__isnull=True) | Q(producing_on__gte=START))
        .count()
    )


def social_delivered() -> Decimal:
    return delivered_in_2011(project__category="social")


# DESIGN §1: code → (how it is measured here, the actual, the city's completion %).
FIGURES = {
    "signed_capital": (signed_capital, Decimal("4320000"), "135.0"),
    "delivered_capital": (delivered_capital, Decimal("1760000"), "110.0"),
    "major_projects": (major_projects, 144, "240.0"),
    "out_of_province_delivered": (out_of_province_delivered, Decimal("394500"), "112.7"),
    "returning_merchant_delivered": (returning_merchant_delivered, Decimal("55400"), "184.7"),
    "mountain_sea_projects": (mountain_sea_projects, 270, "270.0"),
    "mountain_sea_signed": (mountain_sea_signed, Decimal("3000000"), None),
    "mountain_sea_delivered": (mountain_sea_delivered, Decimal("710000"), "355.0"),
    "social_projects": (social_projects, 22, "220.0"),
    "social_delivered": (social_delivered, Decimal("350"), "350.0"),
}


@pytest.mark.parametrize("code", list(FIGURES))
def test_each_figure_of_design_1_comes_out_exactly(demo, code):
    measure, actual, _ = FIGURES[code]
    assert measure() == actual


@pytest.mark.parametrize("code", list(FIGURES))
def test_city_targets_give_the_completion_of_design_1(demo, code):
    measure, _, completion = FIGURES[code]
    target = Target.objects.filter(year=2011, indicator__code=code).city().first()
    if completion is None:
        assert target is None  # 山海协作协议投资额 had no target
        return
    pct = (Decimal(measure()) * 100 / target.value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert pct == Decimal(completion)


def test_the_command_prints_the_figures_in_yi(demo):
    assert "432.00 亿元" in demo and "135.0%" in demo
    assert "144 个" in demo and "350 万元" in demo


# --- The rules the figures depend on are really exercised ----------------------------------------------

def test_dropped_projects_signed_in_2011_do_not_count_but_their_deliveries_do(demo):
    dropped = Project.objects.filter(stage="dropped", signed_on__year=2011, origin__in=OUTSIDE_CITY)
    assert dropped.aggregate(total=Sum("signed_amount"))["total"] > 0
    with_delivery = dropped.filter(deliveries__delivered_on__year=2011).distinct()
    assert with_delivery.exists()
    assert delivered_capital() == Decimal("1760000")  # the dropped tranches are part of it


def test_social_projects_include_carried_over_ones_and_leave_out_finished_dropped_and_unsigned(demo):
    social = Project.objects.filter(category="social")
    assert social.filter(signed_on__year=2010, producing_on__isnull=True).exclude(stage="dropped").exists()
    assert social.filter(producing_on__year=2011, signed_on__year=2010).exists()
    assert social.filter(producing_on__lt=START).exists()
    assert social.filter(stage="dropped").exists()
    assert social.filter(signed_on__isnull=True).exists()


def test_2010_is_there_and_smaller_for_year_over_year(demo):
    def signed(year):
        rows = Project.objects.exclude(stage="dropped").filter(signed_on__year=year, origin__in=OUTSIDE_CITY)
        return rows.aggregate(total=Sum("signed_amount"))["total"]

    def delivered(year):
        rows = CapitalDelivery.objects.filter(delivered_on__year=year, project__origin__in=OUTSIDE_CITY)
        return rows.aggregate(total=Sum("amount"))["total"]

    assert 0 < signed(2010) < signed(2011)
    assert 0 < delivered(2010) < delivered(2011)


def test_the_generated_projects_are_spread_out(demo):
    assert 600 <= Project.objects.count() <= 900
    assert CapitalDelivery.objects.count() >= 1400
    assert Activity.objects.count() >= 1000
    stages = set(Project.objects.values_list("stage", flat=True))
    assert stages == {"lead", "negotiating", "signed", "started", "producing", "dropped"}
    assert set(Project.objects.values_list("origin", flat=True)) == {"local", *OUTSIDE_CITY}
    assert Project.objects.values("channel").distinct().count() == 8  # with 熟地公开, the land page's leads
    assert Project.objects.values("investor_kind").distinct().count() == 6
    assert Project.objects.filter(confidential=True).exists()
    assert Project.objects.filter(started_on__isnull=False, producing_on__isnull=False).exists()
    months = Project.objects.filter(signed_on__year=2011).dates("signed_on", "month")
    assert len(months) == 12
    assert Project.objects.values("name").annotate(n=Count("id")).filter(n__gt=1).count() == 0


# --- Units, targets, chambers, events -------------------------------------------------------------------

def test_units_are_the_citys_with_ascii_codes_and_bundled_departments(demo):
    counties = set(Unit.objects.filter(kind="county").values_list("name", flat=True))
    assert counties == {"柯城区", "衢江区", "江山市", "龙游县", "常山县", "开化县"}
    assert set(Unit.objects.filter(kind="zone").values_list("name", flat=True)) == {"市经济开发区", "市高新园区"}
    departments = Unit.objects.filter(kind="department")
    assert departments.count() >= 6
    assert not departments.filter(group="").exists()
    assert departments.values("group").distinct().count() >= 2
    assert all(code.isascii() for code in Unit.objects.values_list("code", flat=True))
    assert Unit.objects.get(name="市高新园区").code == "hitech_zone"


def test_every_unit_has_2011_targets_and_counties_have_all_nine(demo):
    for unit in Unit.objects.all():
        assert Target.objects.filter(year=2011, unit=unit).exists(), unit.name
    for county in Unit.objects.filter(kind="county"):
        assert Target.objects.filter(year=2011, unit=county).count() == 9
    assert Target.objects.filter(year=2011).city().count() == 9


def test_eight_provincial_chambers_signed_strategic_framework_agreements_in_2011(demo):
    strategic = Agreement.objects.filter(kind="strategic_framework", signed_on__year=2011)
    chambers = Chamber.objects.filter(kind="zhejiang_abroad", agreements__in=strategic).distinct()
    assert chambers.count() == 8
    assert {"上海浙江商会", "广东浙江商会"} <= set(chambers.values_list("name", flat=True))
    assert Chamber.objects.filter(kind="quzhou").exists() and Chamber.objects.filter(kind="hometown").exists()
    assert not Chamber.objects.filter(contacts__isnull=True).exists()


def _event_projects(name_part: str):
    event = Event.objects.get(name__contains=name_part)
    return event, Project.objects.filter(event=event, stage__in=SIGNED_STAGES)


def test_tianxia_zheshang_event_invited_135_and_signed_19_projects_for_61_82_yi(demo):
    event, projects = _event_projects("天下浙商家乡行")
    assert event.invited_count == 135
    assert projects.count() == 19
    assert projects.aggregate(total=Sum("signed_amount"))["total"] == Decimal("618200")


def test_guangdong_fair_signed_13_projects_for_21_32_yi(demo):
    _, projects = _event_projects("粤浙")
    assert projects.count() == 13
    assert projects.aggregate(total=Sum("signed_amount"))["total"] == Decimal("213200")


# --- The named projects ---------------------------------------------------------------------------------

def test_huayou_battery_materials(demo):
    huayou = Project.objects.get(name="华友钴业电池材料项目")
    assert huayou.investor == "浙江华友钴业股份有限公司"
    assert huayou.total_investment == Decimal("600000")
    assert huayou.signed_on.year == 2011
    assert huayou.land_area_mu == Decimal("700")
    assert huayou.unit.name == "市高新园区"
    assert (huayou.origin, huayou.investor_kind) == ("out_of_city", "listed")
    phase_one = huayou.deliveries.filter(delivered_on__year=2011)
    assert phase_one.count() > 1
    assert phase_one.aggregate(total=Sum("amount"))["total"] == Decimal("189500")


def test_genggen_ceramics_returning_merchant_since_2009(demo):
    genggen = Project.objects.get(name="根根陶瓷项目")
    assert genggen.total_investment == Decimal("11000")
    assert genggen.unit.name == "江山市"
    assert genggen.returning_merchant and genggen.origin == "out_of_province"
    assert genggen.signed_on.year == 2009
    assert {d.year for d in genggen.deliveries.values_list("delivered_on", flat=True)} == {2010, 2011}


@pytest.mark.parametrize("name", ["欧派门业", "久阳光电"])
def test_venture_capital_projects_in_jiangshan(demo, name):
    project = Project.objects.get(name__contains=name)
    assert project.unit.name == "江山市"
    assert project.channel == "venture_capital"


# --- Model rules, audit trail, refusal, determinism ------------------------------------------------------

def test_every_project_and_delivery_obeys_the_model_rules(demo):
    for model in (Unit, Target, Chamber, Contact, Agreement, Event, Parcel):
        for obj in model.objects.all():
            obj.full_clean()
    for project in Project.objects.select_related("unit", "industry"):
        project.full_clean()
    for delivery in CapitalDelivery.objects.select_related("project"):
        delivery.full_clean()


def test_projects_and_deliveries_have_an_audit_trail_from_the_loader(demo):
    for model in (Project, CapitalDelivery, Unit, Target):
        created = model.history.filter(history_type="+", history_change_reason__contains="load_demo")
        assert created.count() == model.objects.count() > 0


def test_load_demo_refuses_a_database_that_already_has_data(demo):
    before = (Project.objects.count(), CapitalDelivery.objects.count(), Unit.objects.count())
    with pytest.raises(CommandError, match="空数据库"):
        call_command("load_demo", stdout=StringIO())
    assert (Project.objects.count(), CapitalDelivery.objects.count(), Unit.objects.count()) == before


def test_load_demo_refuses_a_database_with_only_a_unit(demo):
    _wipe()
    UnitFactory(code="elsewhere", name="别处")
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())
    assert list(Unit.objects.values_list("code", flat=True)) == ["elsewhere"]
    assert not Project.objects.exists() and not Chamber.objects.exists() and not Target.objects.exists()


def test_two_loads_write_identical_data(demo):
    first = _fingerprint()
    _wipe()
    call_command("load_demo", stdout=StringIO())
    assert _fingerprint() == first


def _wipe() -> None:
    """Empty the demo's tables (inside the test's transaction), children first."""
    for model in (Report, Activity, CapitalDelivery, Parcel, Project, Target, UnitGroup, Agreement, Contact, Event,
                  Chamber, Unit):
        model.objects.all().delete()


PROJECT_FIELDS = (
    "name", "investor", "investor_kind", "unit__code", "industry__code", "category", "origin",
    "returning_merchant", "mountain_sea", "channel", "chamber__name", "event__name", "introduced_by__name",
    "stage", "total_investment", "signed_amount", "signed_on", "started_on", "producing_on", "dropped_on",
    "land_area_mu", "parcel__code", "confidential", "next_follow_up_on", "notes",
)


def _fingerprint() -> str:
    """A hash of every row the demo writes, by natural keys (database ids differ between loads)."""
    tables = [
        Unit.objects.order_by("code").values_list("code", "name", "kind", "group"),
        UnitGroup.objects.order_by("code", "units__code").values_list(
            "code", "year", "name", "position", "units__code"),
        Target.objects.order_by("indicator__code", "unit__code", "group__code").values_list(
            "year", "indicator__code", "unit__code", "group__code", "value"),
        ReportRow.objects.order_by("report__year", "report__month", "indicator__code", "unit__code", "group__code")
        .values_list("report__year", "report__month", "report__status", "indicator__code", "unit__code",
                     "group__code", "month_value", "ytd_value", "target", "completion_pct", "pace", "last_year_ytd",
                     "yoy_pct", "rank"),
        Chamber.objects.order_by("name").values_list("name", "kind", "region"),
        Contact.objects.order_by("chamber__name", "name", "organization", "title").values_list(
            "chamber__name", "name", "organization", "title"),
        Agreement.objects.order_by("chamber__name", "kind").values_list(
            "chamber__name", "kind", "title", "signed_on", "expires_on"),
        Event.objects.order_by("name").values_list(
            "name", "kind", "starts_on", "ends_on", "location", "organizer__code", "invited_count"),
        Parcel.objects.order_by("code").values_list("code", "name", "unit__code", "area_mu", "status", "published_on"),
        Project.objects.order_by("name").values_list(*PROJECT_FIELDS),
        CapitalDelivery.objects.order_by("project__name", "delivered_on", "amount").values_list(
            "project__name", "delivered_on", "amount", "note"),
        Activity.objects.order_by("project__name", "happened_on", "kind", "summary").values_list(
            "project__name", "happened_on", "kind", "summary", "next_action", "next_action_on", "contact__name"),
    ]
    return hashlib.sha256(repr([list(rows) for rows in tables]).encode()).hexdigest()


# --- The assessment groups and the monthly reports ------------------------------------------------------

def test_the_city_departments_are_assessed_in_two_groups_with_the_sum_of_their_targets(demo):
    groups = UnitGroup.objects.filter(year=2011).order_by("position")
    assert [(g.code, g.name) for g in groups] == [("2011-shizhi-1", "市直第一组"), ("2011-shizhi-2", "市直第二组")]
    departments = Unit.objects.filter(kind="department")
    members = [unit for group in groups for unit in group.units.all()]
    assert sorted(u.code for u in members) == sorted(departments.values_list("code", flat=True))  # each once
    for group in groups:
        assert {unit.group for unit in group.units.all()} == {group.name.removeprefix("市直")}
        for target in Target.objects.filter(group=group):
            members_total = Target.objects.filter(
                year=2011, indicator=target.indicator, unit__in=group.units.all()
            ).aggregate(total=Sum("value"))["total"]
            assert target.value == members_total
    assert Target.objects.filter(group__isnull=False).count() == 9  # first group: 4 indicators, second: 5


def test_every_month_of_2011_and_2010_is_reported_december_2011_still_provisional(demo):
    reports = {(r.year, r.month): r for r in Report.objects.select_related("published_by")}
    assert sorted(reports) == [(year, month) for year in (2010, 2011) for month in range(1, 13)]
    provisional = [key for key, report in reports.items() if report.status == "provisional"]
    assert provisional == [(2011, 12)]
    published = [r for key, r in reports.items() if key != (2011, 12)]
    assert all(r.status == "published" and r.published_by.role == "leader" for r in published)
    assert not published[0].published_by.has_usable_password()  # the demo's publisher cannot sign in
    rows = ReportRow.objects.filter(report__year=2011).values("report").annotate(n=Count("id"))
    assert {row["n"] for row in rows} == {10 * (1 + 16 + 2)}  # city, 16 units, 2 groups per indicator


def test_the_stored_december_report_reads_the_seeds_figures_with_last_year_behind_them(demo):
    city = {
        row.indicator.code: row
        for row in ReportRow.objects.filter(report__year=2011, report__month=12).city().select_related("indicator")
    }
    assert [city[code].completion_pct for code in FIGURES] == [
        Decimal(pct) if pct else None for _, _, pct in FIGURES.values()
    ]
    assert [str(city[code].completion_pct or "—") for code in FIGURES] == [
        "135.0", "110.0", "240.0", "112.7", "184.7", "270.0", "—", "355.0", "220.0", "350.0",
    ]
    assert all(city[code].last_year_ytd > 0 and city[code].yoy_pct is not None for code in FIGURES)


def test_the_group_rows_of_the_reports_sum_their_members_and_are_ranked(demo):
    november = ReportRow.objects.filter(report__year=2011, report__month=11, indicator__code="signed_capital")
    for row in november.of_groups().select_related("group"):
        members = november.filter(unit__in=row.group.units.all())
        assert row.ytd_value == sum(m.ytd_value for m in members)
        assert row.last_year_ytd == sum(m.last_year_ytd for m in members)
    assert sorted(november.of_groups().values_list("rank", flat=True)) == [1, 2]


def test_tianxia_zheshang_was_held_in_august_2011_with_its_signings(demo):
    event, projects = _event_projects("天下浙商家乡行")
    assert (event.starts_on, event.ends_on) == (dt.date(2011, 8, 18), dt.date(2011, 8, 19))
    assert {(p.signed_on.year, p.signed_on.month) for p in projects} == {(2011, 8)}
    august = ReportRow.objects.filter(report__year=2011, report__month=8, indicator__code="signed_capital").city()
    assert august.get().month_value >= Decimal("618200")  # the event's 61.82 亿 is in August's figure
# --- Ready land on the public page ----------------------------------------------------------------------

def test_a_dozen_published_parcels_with_outlines_some_reserved_or_sold(demo):
    from land.models import ZoneOutline
    from projects.selectors import land_matches

    published = Parcel.objects.filter(published=True)
    assert published.count() >= 12
    assert not published.filter(boundary__isnull=True).exists()
    assert ZoneOutline.objects.count() == Parcel.objects.values("unit").distinct().count()
    for parcel in Parcel.objects.exclude(status="available"):
        parcel.full_clean()
        assert parcel.project.unit_id == parcel.unit_id
        assert parcel.project.parcel_id == parcel.pk
        assert (parcel.status == "taken") == (parcel.project.stage in Project.SIGNED_STAGES)
    assert set(Parcel.objects.values_list("status", flat=True)) == {"available", "reserved", "taken"}
    huayou = Parcel.objects.get(code="hitech-2011-01")
    assert (huayou.status, huayou.project.name) == ("taken", "华友钴业电池材料项目")
    enquiries = Project.objects.filter(channel="public_land")
    assert enquiries.count() == 2
    for lead in enquiries:  # each fits the published parcel it asked about
        assert lead.parcel.published
        [match] = [m for m in land_matches(user=_Leader(), parcel=lead.parcel) if m.project.pk == lead.pk]
        assert match.fits
    looking = Project.objects.get(name="含氟新材料中试基地项目")
    by_code = {m.parcel.code: m for m in land_matches(user=_Leader(), project=looking)}
    assert [r.rule for r in by_code["kecheng-2011-02"].misses] == ["intensity"]


class _Leader:
    """Sees every project (the matching's visibility rule), without a user row in the demo's data."""

    is_authenticated = True
    unit_id = None

    def has_perm(self, permission: str) -> bool:
        return True


# --- The report engine, the drill-down and the pages on the demo ---------------------------------------


def test_december_2011_recomputed_gives_the_bureaus_figures_in_the_city_rows(demo):
    """The report engine, run again on the demo's December, finds the figures of DESIGN §1."""
    report = report_compute_month(year=2011, month=12)

    assert report.status == Report.Status.PROVISIONAL
    city_rows = ReportRow.objects.filter(report=report).city().select_related("indicator")
    city = {row.indicator.code: row for row in city_rows}
    got = {code: (city[code].ytd_value, city[code].completion_pct) for code in FIGURES}
    expected = {code: (Decimal(actual), Decimal(pct) if pct else None) for code, (_, actual, pct) in FIGURES.items()}
    assert got == expected
    assert all(city[code].time_progress_pct == Decimal("100.0") for code in FIGURES)
    # The units' rows add up to the city's, and every unit with a target has a rank.
    for code in FIGURES:
        units = ReportRow.objects.filter(report=report, indicator__code=code, unit__isnull=False)
        assert sum(row.ytd_value for row in units) == city[code].ytd_value
        assert all(row.rank for row in units)


def test_on_the_demo_every_figure_of_the_month_drills_to_its_total(demo):
    """The demo's December 2011: every row (city, units and 大组), month and year to date,
    and last year's figure, equals the total of its drill-down list."""
    leader = UserFactory(role="leader")
    month = 12
    report = report_compute_month(year=2011, month=month)
    rows = ReportRow.objects.filter(report=report).select_related("indicator", "unit", "group")
    assert rows.filter(group__isnull=False).exists()  # the demo's 大组 are drilled too
    for row in rows:
        for year, period, stored in ((2011, "month", row.month_value), (2011, "ytd", row.ytd_value),
                                     (2010, "ytd", row.last_year_ytd)):  # fmt: skip
            figure = Figure(indicator=row.indicator, year=year, month=month, period=period, unit=row.unit,
                            group=row.group)  # fmt: skip
            listed, scope = figure.rows()
            assert totals(listed, scope, leader, figure.on_deliveries)["total"] == stored, (str(row), year, period)


def test_the_demo_event_page_says_19_projects_for_61_82_yi(demo, client):
    leader = UserFactory(role="leader")
    staff = UserFactory(role="staff", unit=UnitFactory(code="kecheng"))
    tianxia = Event.objects.get(name__contains="天下浙商家乡行")

    for user in (leader, staff):
        client.force_login(user)
        body = client.get(f"/events/{tianxia.pk}/").content.decode()
        assert "19 个项目" in body and "61.82 亿元" in body
        events = client.get("/events/").content.decode()
        assert "61.82" in events
    chambers = client.get("/chambers/?year=2011").content.decode()
    assert "上海浙江商会" in chambers
