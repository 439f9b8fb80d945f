"""The project list (项目库, `projects:list`) and its export (`projects:export`).

The list is driven by the API's own ProjectFilterSet: the filter form is that FilterSet's form, its
fields given page widgets (a select of units by name whose values are their codes, a select of
chambers whose values are their ids …), so the page's query string is exactly the API's and a list
can be bookmarked, sent, or fetched from /api/v1/projects/ with the same filters.

What a user sees is `Project.objects.visible_to(user)` (DESIGN §5): the rows, the count and the totals
alike. The query count is constant: the totals of the whole filtered set are two aggregates, a page is
its keys and then its rows by key with their delivered totals (projects.selectors.ProjectRows).
"""

import functools
import html
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.vary import vary_on_headers

from accounts.pages import page_view
from projects.exports import PROJECT_COLUMNS, export_response
from projects.filtersets import CLOSED_STAGES, ProjectFilterSet
from projects.models import Category, Channel, Origin, Project, Stage
from projects.selectors import delivered_total, filter_options, kept_project_list_totals, project_rows
from projects.templatetags.amounts import wan

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
SORT_LABELS = {
    "updated_at": "更新时间", "name": "项目名称", "signed_on": "签约日期", "signed_amount": "协议引资额",
    "total_investment": "总投资",
}  # fmt: skip

ROW_COLUMNS = [
    "id", "reference", "name", "investor", "unit__name", "stage", "origin", "total_investment", "signed_amount",
    "signed_on", "next_follow_up_on", "updated_at", "confidential", "owner__username", "owner__first_name",
    "owner__last_name",
]  # fmt: skip

ANY = "全部"


def _text(value) -> str:
    """`value` escaped for HTML, as Django's `escape` does it (the same `html.escape`), without its
    check for lazy arguments and its SafeString: the list writes several hundred of these a page."""
    return html.escape(str(value))


@functools.cache
def _choices_in(choices, language: str) -> tuple[tuple[str, str], ...]:
    """A TextChoices' (value, label) pairs in `language`: a lazy label is translated again each time
    it is written, for every option and every row of every page."""
    with translation.override(language):
        return tuple((value, str(label)) for value, label in choices.choices)


def _labels(choices) -> dict[str, str]:
    return dict(_choices_in(choices, translation.get_language()))


def _html_attrs(attrs: dict) -> str:
    return "".join(
        f" {key}" if value is True else f' {key}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not None and value is not False
    )


class FastInput(forms.TextInput):
    """An input written out in Python. Django renders each widget through its template engine,
    which took most of the list page's time (a hundred <option> templates for the units alone)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        shown = "" if value is None else f' value="{escape(value)}"'
        # Safe: the name, the value (what the user typed) and every attribute are escaped above.
        return mark_safe(f'<input type="{self.input_type}" name="{escape(name)}"{shown}{_html_attrs(attrs)}>')


class SearchInput(FastInput):
    input_type = "search"


class NumberInput(FastInput):
    input_type = "number"


class DateInput(FastInput, forms.DateInput):
    input_type = "date"

    def __init__(self):
        forms.DateInput.__init__(self, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A select written out in Python (see FastInput); its options are (value, label) pairs."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{_text(option)}"{" selected" if str(option) in chosen else ""}>{_text(label)}</option>'
            for option, label in self.choices
        )
        # Safe: each option's value and label (unit, industry, chamber names) is escaped above.
        return mark_safe(f'<select name="{escape(name)}"{_html_attrs(attrs)}>{options}</select>')


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


class FilterBooleanSelect(FastSelect):
    """全部 / 是 / 否 for a yes-or-no filter; the values are the API's (true, false)."""

    def __init__(self):
        super().__init__(choices=[("", ANY), ("true", "是"), ("false", "否")])

    def format_value(self, value):
        known = {True: "true", "true": "true", "True": "true", "1": "true"}
        known.update({False: "false", "false": "false", "False": "false", "0": "false"})
        return [known.get(value, "")]

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def _filterset(request: HttpRequest) -> ProjectFilterSet:
    projects = Project.objects.visible_to(request.user).order_by("-updated_at", "-id")
    filterset = ProjectFilterSet(request.GET, projects, request=request)
    _page_widgets(filterset.form)
    return filterset


def _page_widgets(form: forms.Form) -> None:
    """The FilterSet's fields as a person fills them in; the values sent stay the API's (a unit and
    an industry by code, a chamber and an event by id, yes/no as true/false)."""
    fields = form.fields
    options = filter_options()
    fields["q"].widget = SearchInput(attrs={"placeholder": "项目名称或投资方", "autocomplete": "off"})
    for name in ("unit", "industry", "chamber", "event"):
        fields[name].widget = FastSelect(choices=[("", ANY), *options[name]])
    for name, choices in (("origin", Origin), ("category", Category), ("channel", Channel)):
        fields[name].widget = FastSelect(choices=[("", ANY), *_choices_in(choices, translation.get_language())])
    stages = _choices_in(Stage, translation.get_language())
    fields["stage"].widget = FastSelectMultiple(choices=stages, attrs={"size": len(stages)})
    fields["stage"].help_text = "可多选（按住 Ctrl 或 ⌘ 点选）"
    for name in ("confidential", "overdue", "mountain_sea", "returning_merchant"):
        fields[name].widget = FilterBooleanSelect()
    for name in ("signed_from", "signed_to"):
        fields[name].widget = DateInput()
    for name in ("min_total_investment", "max_total_investment"):
        fields[name].widget = NumberInput(attrs={"min": 0, "step": "any", "inputmode": "decimal"})


@page_view
@vary_on_headers("HX-Request")
def project_list(request: HttpRequest) -> HttpResponse:
    filterset = _filterset(request)
    context = {"filterset": filterset, "form": filterset.form}
    if filterset.is_valid():
        projects = filterset.qs.select_related("unit", "owner")
        totals = kept_project_list_totals(filterset.qs)
        paginator = Paginator(project_rows(projects, ROW_COLUMNS), PER_PAGE)
        paginator.count = totals["count"]  # counted with the totals: no second COUNT(*)
        page = paginator.get_page(request.GET.get("page"))
        columns = _sort_links(request, filterset.form.cleaned_data.get("ordering"))
        context.update(
            valid=True,
            page=page,
            rows=page.object_list,
            rows_html=_rows_html(page.object_list),
            totals=totals,
            pages=_page_links(request, page),
            columns=columns,
            sort_bar=[{"label": label, **columns[field]} for field, label in SORT_LABELS.items()],
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


def _rows_html(rows: list[dict]) -> str:
    """The table's rows, written out in Python: through the template engine, fifty rows of eleven
    cells were most of the page's time (make bench). Every value a user typed is escaped; each cell
    carries its column's name, which a phone shows beside it (each project is a card there)."""
    today = timezone.localdate()
    detail = reverse("projects:detail", args=[DETAIL_PLACEHOLDER]).replace(str(DETAIL_PLACEHOLDER), "{}")
    stages, origins = _labels(Stage), _labels(Origin)
    lines = []
    for row in rows:
        owner = f"{row['owner__last_name'] or ''}{row['owner__first_name'] or ''}".strip() or row["owner__username"]
        secret = ' <span class="badge badge-warn">保密</span>' if row["confidential"] else ""
        cells = [
            ("name", "项目名称", f'<a href="{detail.format(row["id"])}">{_text(row["name"])}</a>{secret}'
             f'<br><span class="meta">{_text(row["reference"])}</span>'),
            ("investor", "投资方", _text(row["investor"] or "—")),
            ("nowrap", "责任单位", _text(row["unit__name"])),
            ("nowrap", "阶段", f'<span class="badge stage-{row["stage"]}">{stages.get(row["stage"], "")}</span>'),
            ("nowrap", "资金来源", origins.get(row["origin"], "")),
            ("amount", "总投资（万元）", wan(row["total_investment"])),
            ("amount", "协议引资额（万元）", wan(row["signed_amount"])),
            ("nowrap", "签约日期", _day(row["signed_on"])),
            ("amount", "累计到位（万元）", wan(row["delivered_total"])),
            ("nowrap", "负责人", _text(owner or "—")),
            ("nowrap follow-up", "下次跟进", f"<span>{_follow_up(row, today)}</span>"),
        ]
        tds = "".join(f'<td class="{css}" data-label="{label}">{html}</td>' for css, label, html in cells)
        lines.append(f"<tr>{tds}</tr>")
    # Safe: every text a user typed (name, reference, investor, unit, owner) is escaped above; the rest are the
    # stages' and origins' own labels, dates, amounts and ids (tests/pages/test_project_list.py).
    return mark_safe("\n".join(lines))


DETAIL_PLACEHOLDER = 987654321


def _day(day) -> str:
    return day.isoformat() if day else "—"


def _follow_up(row: dict, today) -> str:
    day = row["next_follow_up_on"]
    if not day:
        return "—"
    if row["stage"] in CLOSED_STAGES:
        return day.isoformat()
    if day < today:
        return f'{day.isoformat()} <span class="badge badge-danger">已逾期</span>'
    if day == today:
        return f'{day.isoformat()} <span class="badge badge-warn">今天</span>'
    return day.isoformat()


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
    return {
        "csv_url": f"{_export_path()}?{_query(request, drop=('page',), format='csv')}",
        "xlsx_url": f"{_export_path()}?{_query(request, drop=('page',), format='xlsx')}",
        "clear_url": request.path,
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
    current = (ordering or ["-updated_at"])[0]  # the list's own order: most recently changed first
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
