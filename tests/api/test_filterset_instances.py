"""Filtersets are django-filter's own, made whole for every request (core.filters adds filter
classes, no instance machinery): two requests' filtersets never share results, values or errors."""

import pytest
from django.http import QueryDict

from projects.filtersets import ProjectFilterSet
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_method_filter_runs_on_its_own_filterset(unit):
    ProjectFactory(unit=unit, name="Alpha 光伏")
    ProjectFactory(unit=unit, name="Beta 纺织")
    first = ProjectFilterSet(QueryDict("q=光伏"), Project.objects.all())
    second = ProjectFilterSet(QueryDict("q=纺织"), Project.objects.all())

    assert [p.name for p in first.qs] == ["Alpha 光伏"]
    assert [p.name for p in second.qs] == ["Beta 纺织"]


def test_each_filterset_keeps_its_own_values_and_errors(unit):
    good = ProjectFilterSet(QueryDict("signed_from=2011-01-01&mountain_sea=true"), Project.objects.all())
    bad = ProjectFilterSet(QueryDict("signed_from=not-a-date&mountain_sea=yes"), Project.objects.all())

    assert good.is_valid() and not bad.is_valid()
    assert set(bad.errors) == {"signed_from", "mountain_sea"} and not good.errors
    assert str(good.form.cleaned_data["signed_from"]) == "2011-01-01"
    assert good.form.cleaned_data["mountain_sea"] is True
