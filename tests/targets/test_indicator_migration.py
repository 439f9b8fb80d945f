"""The ten standard indicators of DESIGN §3 and the starter industries ship in data migrations that
can be reversed and applied again."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects.models import Industry
from targets.models import Indicator, Target

OUTSIDE_CITY = {"out_of_city", "out_of_province", "overseas"}

# DESIGN §1 and §3, in the order of the bureau's yearly table: code -> (name, measure, basis, filters).
STANDARD = {
    "signed_capital": ("招商引资协议引资额", "signed_amount", "", {"origins": OUTSIDE_CITY}),
    "delivered_capital": ("实际到位市外资金", "delivered_amount", "", {"origins": OUTSIDE_CITY}),
    "major_projects": (
        "引进市外投资亿元以上项目",
        "project_count",
        "signed",
        {"origins": OUTSIDE_CITY, "min_total_investment": Decimal("10000")},
    ),
    "out_of_province_delivered": ("省外引进项目到位资金", "delivered_amount", "", {"origins": {"out_of_province"}}),
    "returning_merchant_delivered": ("省外浙商回归到位资金", "delivered_amount", "", {"returning_merchant": True}),
    "mountain_sea_projects": ("山海协作项目", "project_count", "signed", {"mountain_sea": True}),
    "mountain_sea_signed": ("山海协作协议投资额", "signed_amount", "", {"mountain_sea": True}),
    "mountain_sea_delivered": ("山海协作到位资金", "delivered_amount", "", {"mountain_sea": True}),
    "social_projects": ("社会事业类项目", "project_count", "ongoing", {"category": "social"}),
    "social_delivered": ("社会事业类到位资金", "delivered_amount", "", {"category": "social"}),
}

# An empty filter does not narrow; every filter an indicator does not name must be empty.
NO_FILTER = {
    "origins": set(),
    "category": "",
    "returning_merchant": None,
    "mountain_sea": None,
    "min_total_investment": None,
    "channel": "",
}


def filters_of(indicator: Indicator) -> dict:
    return {
        "origins": set(indicator.origins),
        "category": indicator.category,
        "returning_merchant": indicator.returning_merchant,
        "mountain_sea": indicator.mountain_sea,
        "min_total_investment": indicator.min_total_investment,
        "channel": indicator.channel,
    }


@pytest.mark.django_db
def test_the_ten_standard_indicators_in_the_order_of_the_bulletin():
    assert list(Indicator.objects.values_list("code", flat=True)) == list(STANDARD)


@pytest.mark.django_db
@pytest.mark.parametrize("code", STANDARD)
def test_a_standard_indicator_is_exactly_as_designed(code):
    name, measure, basis, filters = STANDARD[code]
    indicator = Indicator.objects.get(code=code)

    assert (indicator.name, indicator.measure, indicator.basis) == (name, measure, basis)
    assert filters_of(indicator) == {**NO_FILTER, **filters}
    assert not indicator.industries.exists()
    assert indicator.active
    indicator.full_clean()


@pytest.mark.django_db
def test_the_out_of_province_origins_are_a_list_of_one():
    assert Indicator.objects.get(code="out_of_province_delivered").origins == ["out_of_province"]


@pytest.mark.django_db
def test_starter_industries_are_valid_and_named():
    industries = list(Industry.objects.all())

    assert len(industries) >= 10
    assert {"new_materials", "new_energy", "education", "health"} <= {industry.code for industry in industries}
    for industry in industries:
        industry.full_clean()


def historical(executor: MigrationExecutor, app_label: str, model: str, target: tuple[str, str]):
    """A model as it was at a migration, so the test does not depend on later schema changes."""
    return executor.loader.project_state(target).apps.get_model(app_label, model)


def migrate(executor: MigrationExecutor, targets: list[tuple[str, str]]) -> None:
    executor.migrate(targets)
    executor.loader.build_graph()


def assert_standard_indicators() -> None:
    assert list(Indicator.objects.values_list("code", flat=True)) == list(STANDARD)
    for code, (name, measure, basis, filters) in STANDARD.items():
        indicator = Indicator.objects.get(code=code)
        assert (indicator.name, indicator.measure, indicator.basis) == (name, measure, basis)
        assert filters_of(indicator) == {**NO_FILTER, **filters}


# transaction=True: migrations change the schema, which SQLite cannot do inside the test's transaction.
# serialized_rollback=True, as every transactional test of this suite: the test starts from the
# migrated data (standard indicators, industries, role groups) even after another transactional test
# flushed it, and its own flush leaves the database empty for the next serialized test to restore —
# a flush that re-created the role groups would collide with that restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migrations_reverse_and_apply_again():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()

    # projects 0001 is below targets 0001, so this unapplies every targets migration as well.
    migrate(executor, [("projects", "0001_initial")])
    industries_at_0001 = historical(executor, "projects", "Industry", ("projects", "0001_initial"))
    assert not industries_at_0001.objects.exists()

    migrate(executor, leaves)
    assert_standard_indicators()
    assert Industry.objects.filter(code="new_materials", name="新材料").exists()
    industry_count = Industry.objects.count()

    migrate(executor, [("targets", "0001_initial")])
    indicators_at_0001 = historical(executor, "targets", "Indicator", ("targets", "0001_initial"))
    assert not indicators_at_0001.objects.exists()
    assert Industry.objects.count() == industry_count  # going back in targets leaves projects' data alone

    migrate(executor, leaves)
    assert_standard_indicators()
    assert Industry.objects.count() == industry_count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reversing_keeps_an_indicator_that_holds_targets():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    Target.objects.create(year=2011, indicator=Indicator.objects.get(code="signed_capital"), value=Decimal("320000"))

    migrate(executor, [("targets", "0001_initial")])
    indicators_at_0001 = historical(executor, "targets", "Indicator", ("targets", "0001_initial"))
    assert list(indicators_at_0001.objects.values_list("code", flat=True)) == ["signed_capital"]

    migrate(executor, leaves)
    assert_standard_indicators()
    assert Target.objects.get().indicator.code == "signed_capital"
