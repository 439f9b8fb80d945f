"""A list's filter form holds only the filters its query names (core.filters.FilterSet's
`form_from_data_only`, set by FilterBackend for filtering). These tests prove that this changes
nothing but the work: the same SQL, the same values and the same errors as the full form; and that
the browsable API still renders every filter."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import EmptyResultSet
from django.http import QueryDict
from django.urls import reverse
from django_filters import CharFilter
from drf_spectacular.plumbing import get_view_model
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from core.filters import FilterBackend
from investpro.urls import router
from projects.api import ProjectViewSet
from projects.filtersets import ProjectFilterSet
from projects.models import Project

pytestmark = pytest.mark.django_db

# Every filter of every list, with good, empty, bad and combined values, and keys no filter reads.
QUERIES = {
    "project": [
        "",
        "stage=signed",
        "stage=signed&stage=dropped&unit=kecheng&signed_from=2011-01-01&signed_to=2011-12-31&ordering=-signed_on",
        "unit=nosuchunit",
        "industry=new_materials",
        "origin=out_of_city&channel=event&category=social",
        "origin=mars",
        "chamber=1&event=2",
        "chamber=abc&event=-1",
        "mountain_sea=true&returning_merchant=0",
        "mountain_sea=perhaps",
        "signed_from=not-a-date&signed_to=2011-02-30",
        "min_total_investment=10000&max_total_investment=20000",
        "min_total_investment=abc",
        "q=光伏",
        "q=a%00b",
        "ordering=name,-updated_at",
        "ordering=investor",
        "mountain_sea=&q=&stage=",
        "page=2&page_size=50&format=json&unknown_param=1",
    ],
    "delivery": [
        "",
        "project=1&unit=kecheng",
        "delivered_from=2011-01-01&delivered_to=2011-12-31&ordering=-amount",
        "project=abc&delivered_from=x",
    ],
    "parcel": ["", "unit=kecheng&status=taken&published=true&industry=new_materials", "status=x&published=yes"],
    "target": ["", "year=2012&indicator=x&unit=kecheng&city=false", "year=abc&city=maybe", "group=g1&city=true"],
    "unit-group": ["", "year=2011&unit=kecheng", "year=abc&unit=", "year=1800"],
    "activity": ["", "project=1&kind=call&contact=2", f"contact={2**63}"],
    "unit": ["", "kind=zone&group=园区组", "kind=planet"],
    "chamber": ["kind=hometown&region=温州", "kind=x"],
    "contact": ["chamber=1", "chamber=0"],
    "event": ["kind=roadshow", "kind=party"],
    "indicator": ["measure=project_count&active=true", "active=yes"],
    "report": ["year=2011&month=7&status=provisional", "status=done&month=x"],
}


def filterset_class(basename: str):
    viewset = next(viewset for _, viewset, name in router.registry if name == basename)
    view = viewset(action="list")
    model = get_view_model(view) or view.get_serializer_class().Meta.model
    return FilterBackend().get_filterset_class(view, model.objects.none())


def filterset(basename: str, query: str, *, from_data_only: bool):
    cls = filterset_class(basename)
    filterset = cls(QueryDict(query), cls._meta.model.objects.all())
    filterset.form_from_data_only = from_data_only
    return filterset


def sql(filterset) -> tuple:
    try:
        return filterset.qs.query.sql_with_params()
    except EmptyResultSet:  # a code no row has: qs.none()
        return ("none",)


def test_every_listed_filterset_has_sample_queries():
    with_filters = {name for _, viewset, name in router.registry if filterset_class(name) is not None}
    assert with_filters == set(QUERIES)


SAMPLES = [(basename, query) for basename, queries in QUERIES.items() for query in queries]


@pytest.mark.parametrize(("basename", "query"), SAMPLES)
def test_a_form_of_the_named_filters_filters_as_the_full_form(basename, query, unit):
    full = filterset(basename, query, from_data_only=False)
    narrow = filterset(basename, query, from_data_only=True)

    assert narrow.is_valid() == full.is_valid()
    assert narrow.errors == full.errors
    assert set(narrow.form.fields) <= set(full.form.fields) == set(full.filters)
    if full.is_valid():
        assert sql(narrow) == sql(full)
        left_out = set(full.form.cleaned_data) - set(narrow.form.cleaned_data)
        assert {name: full.form.cleaned_data[name] for name in narrow.form.cleaned_data} == narrow.form.cleaned_data
        assert all(full.form.cleaned_data[name] in (None, "", [], ()) for name in left_out)


def test_the_form_holds_only_the_named_filters(unit):
    narrow = filterset("project", "unit=kecheng&stage=signed&signed_from=2011-01-01&page_size=50", from_data_only=True)

    assert list(narrow.form.fields) == ["stage", "unit", "signed_from"]
    assert list(filterset("project", "unit=kecheng", from_data_only=False).form.fields) == list(narrow.filters)


class KeyRecorder(QueryDict):
    """A query that notes every key a widget reads."""

    def __init__(self, keys: set[str]):
        super().__init__(mutable=True)
        self.read: set[str] = set()
        for key in keys:
            self[key] = "1"

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


@pytest.mark.parametrize("basename", sorted(QUERIES))
def test_every_widget_reads_only_its_name_or_a_suffix_of_it(basename):
    """The narrowing keeps a filter when a query key is its name or `name_<suffix>`: no widget may
    read any other key, or a filter would be left out of a query that names it."""
    cls = filterset_class(basename)
    for name, filter_ in cls.base_filters.items():
        data = KeyRecorder({name, f"{name}_min", f"{name}_max", f"{name}_after", f"{name}_before", "other"})
        filter_.field.widget.value_from_datadict(data, {}, name)
        filter_.field.widget.value_omitted_from_data(data, {}, name)
        assert data.read and all(key == name or key.startswith(f"{name}_") for key in data.read), (name, data.read)


def test_a_required_filter_stays_in_the_form(unit):
    class WithRequired(filterset_class("project")):
        region = CharFilter(required=True)

    narrow = WithRequired(QueryDict("stage=signed"), Project.objects.all())
    narrow.form_from_data_only = True

    assert list(narrow.form.fields) == ["stage", "region"]
    assert not narrow.is_valid() and list(narrow.errors) == ["region"]


def test_the_browsable_api_renders_every_filter(admin_user, client):
    client.force_login(admin_user)
    response = client.get(reverse("project-list"), {"stage": "signed", "format": "api"})

    assert response.status_code == 200
    html = response.content.decode()
    for name in filterset_class("project").base_filters:
        assert f'name="{name}"' in html, name


def test_only_filtering_narrows_the_form(admin_user):
    request = Request(APIRequestFactory().get(reverse("project-list"), {"stage": "signed", "origin": "overseas"}))
    force_authenticate(request, admin_user)
    view = ProjectViewSet(action="list", request=request, format_kwarg=None)
    queryset = Project.objects.all()
    filtering = FilterBackend()

    assert list(filtering.filter_queryset(request, queryset, view)) == []
    assert list(filtering.get_filterset(request, queryset, view).form.fields) == ["stage", "origin"]
    rendering = FilterBackend()
    assert list(rendering.get_filterset(request, queryset, view).form.fields) == list(ProjectFilterSet.base_filters)


@pytest.mark.parametrize("basename", sorted(QUERIES))
def test_the_backend_copies_only_the_filters_its_query_names(basename, rf):
    """FilterBackend builds each list's filterset with only the named filters copied: the SQL and the
    errors are those of the full form."""
    cls = filterset_class(basename)
    for query in QUERIES[basename]:
        backend = FilterBackend()
        backend.form_from_data_only = True
        request = Request(rf.get(f"/?{query}"))
        view = SimpleNamespace(filterset_class=cls)
        narrow = backend.get_filterset(request, cls._meta.model.objects.all(), view)
        full = filterset(basename, query, from_data_only=False)
        named = {name for name in cls.base_filters if any(key.split("_")[0] in name for key in QueryDict(query))}
        assert set(narrow.filters) == set(narrow.form.fields) <= named
        assert narrow.is_valid() == full.is_valid()
        if full.is_valid():
            assert sql(narrow) == sql(full)
        else:
            assert narrow.errors == full.errors
