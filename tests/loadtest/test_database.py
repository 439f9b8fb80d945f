"""The load test's database guard and generated data (loadtest/database.py)."""

import pytest
from django.core.exceptions import ValidationError

from loadtest.database import (
    GENERATED_NAME_PREFIX,
    LoadDatabaseRefused,
    database_create,
    generated_project_count,
    generated_projects_build,
    require_load_database,
)
from projects.models import CapitalDelivery, Project
from tests.factories import IndustryFactory, ProjectFactory, UnitFactory


@pytest.mark.parametrize(
    "url",
    [
        "postgres://postgres@127.0.0.1:5432/investpro_bench_full",
        "postgres://postgres@127.0.0.1:5432/investpro",
        "postgres://postgres@127.0.0.1:5432/postgres",
        "postgres://postgres@127.0.0.1:5432/my_investpro_load",
        "sqlite:///var/investpro_load.sqlite3",
    ],
)
def test_a_database_not_named_for_the_load_test_is_refused(url):
    with pytest.raises(LoadDatabaseRefused):
        require_load_database(url)


def test_refused_before_any_connection():
    # An unreachable server would raise psycopg2's OperationalError if the guard came second.
    with pytest.raises(LoadDatabaseRefused, match="investpro_load"):
        database_create("postgres://nobody@127.0.0.1:1/investpro_dev")


@pytest.mark.parametrize("name", ["investpro_load", "investpro_load_small"])
def test_load_databases_are_accepted(name):
    assert require_load_database(f"postgres://postgres@127.0.0.1:5432/{name}") == name


@pytest.mark.postgres
@pytest.mark.django_db
def test_generated_projects_obey_every_model_rule_and_leave_other_projects_alone():
    units = [UnitFactory(code=f"unit-{i}") for i in range(4)]
    IndustryFactory()
    existing = ProjectFactory(signed=True, unit=units[0])

    generated_projects_build(400)

    assert generated_project_count() == 400
    generated = Project.objects.filter(name__startswith=GENERATED_NAME_PREFIX)
    assert set(generated.values_list("unit_id", flat=True)) == {unit.pk for unit in units}
    for unit in units:
        assert set(generated.filter(unit=unit).values_list("stage", flat=True)) == set(Project.Stage.values)
    deliveries = CapitalDelivery.objects.select_related("project")
    assert deliveries.count() > 1000
    assert not existing.deliveries.exists()
    failures = []
    for row in [*generated, *deliveries]:
        try:
            row.full_clean()
        except ValidationError as error:
            failures.append((row, error.message_dict))
    assert failures == []
