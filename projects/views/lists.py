"""The project list (项目库, `projects:list`) and its export (`projects:export`).

The list is driven by the API's own ProjectFilterSet: the filter form is that FilterSet's form, its
fields given page widgets (a select of units by name whose values are their codes, a select of
chambers whose values are their ids …), so the page's query string is exactly the API's and a list
can be bookmarked, sent, or fetched from /api/v1/projects/ with the same filters.

What a user sees is `Project.objects.visible_to(user)` (DESIGN §5): the rows, the count and the totals
alike. The query count is constant: the totals of the whole filtered set are two aggregates, a page is
read as rows with one grouped query for its delivered totals (projects.selectors).
"""

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from accounts.pages import page_view
from chambers.models import Chamber, Event
from projects.exports import PROJECT_COLUMNS, export_response
from projects.filtersets import CLOSED_STAGES, ProjectFilterSet
from projects.models import Project
from projects.selectors import delivered_total, project_list_totals, project_rows

PER_PAGE = 50

# The filters shown at once, in the bureau's order; the others sit under 更多条件.
MAIN_FILTERS = [
    "q", "unit", "stage", "origin", "category", "industry", "channel", "chamber",
    "signed_from", "signed_to", "confidential", "overdue",
]  # fmt: skip
MORE_FILTERS = ["event", "mountain_sea", "returning_merchant", "min_total_investment", "max_total_investment"]

# Sortable columns: (ordering field, the direction of a first click). Names read best A→Z, amounts
# and dates biggest and newest first.
SORTABLE = {"name": "", "signed_on": "-", "signed_amount": "-", "total_investment": "-", "updated_at": "-"}

ROW_COLUMNS = [
    "id", "name", "investor", "unit__name", "stage", "origin", "total_investment", "signed_amount", "signed_on",
    "next_follow_up_on", "updated_at", "confidential", "owner__username", "owner__first_name", "owner__last_name",
]  # fmt: skip

STAGE_LABELS = dict(Project.Stage.choices)
ORIGIN_LABELS = dict(Project.Origin.choices)
ANY = "全部"


class FilterBooleanSelect(forms.Select):
    """全部 / 是 / 否 for a yes-or-no filter; the values are the API's (true, false)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", ANY), ("true", "是"), ("false", "否")])

    def format_value(self, value):
        known = {True: "true", "true": "true", "True": "true", "1": "true"}
        known.update({False: "false", "false": "false", "False": "false", "0": "false"})
        return [known.get(value, "")]

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _filterset(request: HttpRequest) -> ProjectFilterSet:
    projects = Project.objects.visible_to(request.user).order_by("-updated_at", "-id")
    filterset = ProjectFilterSet(request.GET, projects, request=request)
    _page_widgets(filterset.form)
    return filterset


def _page_widgets(form: forms.Form) -> None:
    """The FilterSet's fields as a person fills them in; the values sent stay the API's."""
    fields = form.fields
    form.label_suffix = ""
    for name in ("unit", "industry", "origin", "category", "channel"):
        fields[name].empty_label = ANY
        fields[name].widget.choices = fields[name].choices  # the widget's copy reads the field it came from
    fields["stage"].widget = forms.SelectMultiple(choices=fields["stage"].choices, attrs={"size": 6})
    fields["stage"].help_text = "可多选（按住 Ctrl 或 ⌘ 点选）"
    fields["chamber"].widget = forms.Select(
        choices=_choices(Chamber.objects.order_by("name").values_list("pk", "name"))
    )
    fields["event"].widget = forms.Select(
        choices=_choices(Event.objects.order_by("-starts_on", "name").values_list("pk", "name"))
    )
    for name in ("confidential", "overdue", "mountain_sea", "returning_merchant"):
        fields[name].widget = FilterBooleanSelect()
    for name in ("signed_from", "signed_to"):
        fields[name].widget = DateInput()
    for name in ("min_total_investment", "max_total_investment"):
        fields[name].widget.attrs.update({"min": 0, "step": "any", "inputmode": "decimal"})
    fields["q"].widget = forms.TextInput(
        attrs={"type": "search", "placeholder": "项目名称或投资方", "autocomplete": "off"}
    )


class _Choices:
    """Choices read when the select renders (one query), not when the page's form is built."""

    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        yield ("", ANY)
        yield from self.rows


def _choices(rows) -> _Choices:
    return _Choices(rows)


@page_view
@vary_on_headers("HX-Request")
def project_list(request: HttpRequest) -> HttpResponse:
    filterset = _filterset(request)
    context = {"filterset": filterset, "form": filterset.form}
    if filterset.is_valid():
        projects = filterset.qs.select_related("unit", "owner")
        totals = project_list_totals(filterset.qs)
        paginator = Paginator(project_rows(projects, ROW_COLUMNS), PER_PAGE)
        paginator.count = totals["count"]  # counted with the totals: no second COUNT(*)
        page = paginator.get_page(request.GET.get("page"))
        context.update(
            valid=True,
            page=page,
            rows=_rows(page.object_list),
            totals=totals,
            pages=_page_links(request, page),
            columns=_sort_links(request, filterset.form.cleaned_data.get("ordering")),
        )
    context.update(_links(request, filterset))
    partial = request.htmx and not request.htmx.history_restore_request
    template = "projects/_list_body.html" if partial else "projects/list.html"
    return render(request, template, context)


@page_view
def project_export(request: HttpRequest) -> HttpResponse:
    """Exactly the list's filtered, visible set as CSV or XLSX (the API export's columns)."""
    filterset = _filterset(request)
    if not filterset.is_valid():
        return project_list(request)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    projects = filterset.qs.annotate(delivered_total=delivered_total())
    return export_response(projects, PROJECT_COLUMNS, file_format=file_format, name="projects")


def _rows(rows: list[dict]) -> list[dict]:
    today = timezone.localdate()
    for row in rows:
        row["stage_label"] = STAGE_LABELS.get(row["stage"], row["stage"])
        row["origin_label"] = ORIGIN_LABELS.get(row["origin"], row["origin"])
        full_name = f"{row['owner__last_name']}{row['owner__first_name']}".strip()
        row["owner_name"] = full_name or row["owner__username"] or ""
        follow_up = row["next_follow_up_on"]
        row["overdue"] = bool(follow_up and follow_up < today and row["stage"] not in CLOSED_STAGES)
        row["due_today"] = bool(follow_up and follow_up == today and row["stage"] not in CLOSED_STAGES)
    return rows


def _query(request: HttpRequest, *, drop: tuple[str, ...] = (), **values) -> str:
    """The current query string without `drop` (and without empty values), with `values` set."""
    pairs = [
        (key, value)
        for key, listed in request.GET.lists()
        if key not in drop and key not in values
        for value in listed
        if value != ""
    ]
    pairs.extend((k, v) for k, v in values.items() if v not in (None, ""))
    return urlencode(pairs)


def _links(request: HttpRequest, filterset: ProjectFilterSet) -> dict:
    base = request.path
    filters = _query(request, drop=("page", "format"))
    return {
        "query": filters,
        "csv_url": f"{_export_path()}?{_query(request, drop=('page',), format='csv')}",
        "xlsx_url": f"{_export_path()}?{_query(request, drop=('page',), format='xlsx')}",
        "clear_url": base,
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "ordering")),
        "more_open": any(request.GET.get(name) for name in MORE_FILTERS),
        "main_fields": [filterset.form[name] for name in MAIN_FILTERS],
        "more_fields": [filterset.form[name] for name in MORE_FILTERS],
        "hidden_errors": filterset.form.errors.get("ordering", []),
    }


def _export_path() -> str:
    return reverse("projects:export")


def _sort_links(request: HttpRequest, ordering: list[str] | None) -> dict:
    """For each sortable column: the URL that sorts by it (the other way round when it already
    does), and its current direction for the arrow and aria-sort."""
    current = (ordering or [""])[0]
    links = {}
    for field, first in SORTABLE.items():
        if current.lstrip("-") == field:
            direction = "descending" if current.startswith("-") else "ascending"
            next_value = field if current.startswith("-") else f"-{field}"
        else:
            direction = ""
            next_value = f"{first}{field}"
        links[field] = {
            "url": f"{request.path}?{_query(request, drop=('page',), ordering=next_value)}",
            "direction": direction,
            "arrow": {"ascending": "▲", "descending": "▼"}.get(direction, ""),
        }
    return links


def _page_links(request: HttpRequest, page) -> dict:
    def url(number: int) -> str:
        return f"{request.path}?{_query(request, page=number)}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "first": url(1) if page.number > 2 else None,
        "last": url(page.paginator.num_pages) if page.number < page.paginator.num_pages - 1 else None,
    }
