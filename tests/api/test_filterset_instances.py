"""Filtersets are made on every list request from parts built once per class (core.filters):
each instance still owns its filters, and forms that share their fields keep their own results."""

import pytest
from django.http import QueryDict

from projects.filtersets import ProjectFilterSet
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_each_filterset_owns_its_filters_and_a_method_filter_runs_on_its_own_instance(unit):
    ProjectFactory(unit=unit, name="Alpha 光伏")
    ProjectFactory(unit=unit, name="Beta 纺织")
    first = ProjectFilterSet(QueryDict("q=光伏"), Project.objects.all())
    second = ProjectFilterSet(QueryDict("q=纺织"), Project.objects.all())

    for name, filter_ in first.filters.items():
        assert filter_ is not second.filters[name] and filter_ is not ProjectFilterSet.base_filters[name]
        assert filter_.parent is first and filter_.model is Project
    assert [p.name for p in first.qs] == ["Alpha 光伏"]
    assert [p.name for p in second.qs] == ["Beta 纺织"]


def test_forms_sharing_their_fields_keep_their_own_values_and_errors(unit):
    good = ProjectFilterSet(QueryDict("signed_from=2011-01-01"), Project.objects.all())
    bad = ProjectFilterSet(QueryDict("signed_from=not-a-date&mountain_sea=yes"), Project.objects.all())

    assert good.is_valid() and not bad.is_valid()
    assert good.form.fields["signed_from"] is bad.form.fields["signed_from"]
    assert set(bad.errors) == {"signed_from", "mountain_sea"} and not good.errors
    assert str(good.form.cleaned_data["signed_from"]) == "2011-01-01"
