"""The chambers and events pages (商会、活动): chambers with their contacts, agreements, events and
funnel; events with the projects signed at them; a new contact on a chamber's page.

Funnel figures and event totals are the bureau's official totals and include confidential projects;
a list of projects shows only those the user may see, and says how many others there are
(DESIGN §5). Every figure comes from grouped queries, so a page's query count does not grow with
its rows.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.pages import page_view, require_permission
from chambers.models import Agreement, Chamber, Contact, Event
from chambers.services import contact_save, event_save
from projects.models import SIGNED_STAGES, Project
from projects.selectors import (
    chamber_funnel_empty,
    chamber_funnel_total,
    chamber_funnel_years,
    chamber_funnels,
    events_with_signed_totals,
)

PER_PAGE = 50
# Chambers listed by kind in the order the bureau declares them (在外浙江商会 first), then by name.
_KIND_ORDER = Case(
    *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(Chamber.Kind.values)],
    default=Value(len(Chamber.Kind.values)),
)


class ChineseMessagesForm(forms.ModelForm):
    """A ModelForm whose messages name their field ("请填写姓名。"), where Django's own Chinese says
    only "这个字段是必填项。" beside it; the models' own messages are Chinese already."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            messages = {"required": f"请填写{label}。", "invalid": f"请输入有效的{label}。"}
            if isinstance(field, forms.TypedChoiceField | forms.ModelChoiceField):
                messages["invalid_choice"] = f"请从列表中选择{label}。"
            if getattr(field, "max_length", None):
                messages["max_length"] = f"{label}最多 {field.max_length} 个字。"
            if getattr(field, "min_value", None) is not None:
                messages["min_value"] = f"{label}不能小于 {field.min_value}。"
            field.error_messages.update(messages)


class ContactForm(ChineseMessagesForm):
    """A chamber's new contact; the chamber comes from the page, the service writes."""

    class Meta:
        model = Contact
        fields = ["name", "organization", "title", "phone", "email"]
        error_messages = {"email": {"invalid": "请输入有效的邮箱地址。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["invalid"] = "请输入有效的邮箱地址。"


class EventForm(ChineseMessagesForm):
    """A new event (招商活动); the service writes."""

    class Meta:
        model = Event
        fields = ["name", "kind", "starts_on", "ends_on", "location", "organizer", "invited_count", "notes"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No kind is preselected: the model's default would be taken without a look.
        self.fields["kind"].choices = [("", "请选择")] + list(Event.Kind.choices)
        self.fields["organizer"].empty_label = "（无）"


# --- Chambers ---------------------------------------------------------------------------------------


@page_view
def chamber_list(request):
    year, years = _year(request)
    kind = request.GET.get("kind", "")
    chambers = Chamber.objects.annotate(
        contact_count=_count_of(Contact.objects.filter(chamber=OuterRef("pk"))),
        agreement_count=_count_of(Agreement.objects.filter(chamber=OuterRef("pk"))),
    ).order_by(_KIND_ORDER, "name")
    if kind in Chamber.Kind.values:
        chambers = chambers.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(chambers, PER_PAGE).get_page(request.GET.get("page"))
    total = chamber_funnel_total(chambers, year)
    funnels = chamber_funnels([chamber.pk for chamber in page], year)
    for chamber in page:
        chamber.funnel = funnels[chamber.pk]
    return render(
        request,
        "workspace/chambers/list.html",
        {
            "page": page,
            "total": total,
            "year": year,
            "years": years,
            "kind": kind,
            "kinds": Chamber.Kind.choices,
            "query": _query_without_page(request),
        },
    )


@page_view
def chamber_detail(request, pk: int):
    chamber = get_object_or_404(Chamber, pk=pk)
    return render(request, "workspace/chambers/detail.html", _chamber_context(request, chamber, ContactForm()))


@page_view
@require_POST
def contact_new(request, pk: int):
    """A new contact on a chamber's page: with htmx the contacts card is swapped in, without it the
    browser is sent back to the chamber's page (or shown it again with the errors)."""
    require_permission(request.user, "chambers.add_contact")
    chamber = get_object_or_404(Chamber, pk=pk)
    form = ContactForm(request.POST, instance=Contact(chamber=chamber))
    if form.is_valid():
        try:
            contact = contact_save(actor=request.user, contact=Contact(chamber=chamber), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                context = _contacts_context(request, chamber, ContactForm())
                context["added"] = contact
                return render(request, "workspace/chambers/_contacts.html", context)
            messages.success(request, f"已添加联系人：{contact.name}。")
            return redirect(f"{chamber_url(chamber)}#contacts")
    if request.htmx:
        return render(request, "workspace/chambers/_contacts.html", _contacts_context(request, chamber, form))
    return render(request, "workspace/chambers/detail.html", _chamber_context(request, chamber, form), status=400)


def chamber_url(chamber: Chamber) -> str:
    return reverse("chambers:detail", args=[chamber.pk])


def _chamber_context(request, chamber: Chamber, form: ContactForm) -> dict:
    year, years = _year(request)
    through_chamber = Project.objects.filter(chamber=chamber)
    projects = (
        through_chamber.visible_to(request.user)
        .select_related("unit")
        .order_by("-signed_on", "-id")
        .only("name", "investor", "stage", "signed_on", "signed_amount", "confidential", "unit__name")
    )
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    events = (
        Event.objects.filter(projects__chamber=chamber)
        .annotate(project_count=Count("projects"))
        .order_by("-starts_on", "id")
    )
    return {
        "chamber": chamber,
        "year": year,
        "years": years,
        "funnel": chamber_funnels([chamber.pk], year).get(chamber.pk, chamber_funnel_empty()),
        "agreements": list(chamber.agreements.all()),
        "events": list(events),
        "page": page,
        "hidden_count": through_chamber.count() - page.paginator.count,
        "query": _query_without_page(request),
        **_contacts_context(request, chamber, form),
    }


def _contacts_context(request, chamber: Chamber, form: ContactForm) -> dict:
    return {
        "chamber": chamber,
        "contacts": list(chamber.contacts.all()),
        "form": form,
        "can_add_contact": request.user.has_perm("chambers.add_contact"),
    }


# --- Events -----------------------------------------------------------------------------------------


@page_view
def event_list(request):
    events = events_with_signed_totals(Event.objects.all()).order_by("-starts_on", "id")
    years = [day.year for day in Event.objects.dates("starts_on", "year", order="DESC")]
    year = _int(request.GET.get("year"))
    if year in years:
        events = events.filter(starts_on__year=year)
    else:
        year = None
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/events/list.html",
        {"page": page, "year": year, "years": years, "query": _query_without_page(request)},
    )


@page_view
def event_detail(request, pk: int):
    event = get_object_or_404(events_with_signed_totals(Event.objects.select_related("organizer")), pk=pk)
    projects = (
        Project.objects.visible_to(request.user)
        .filter(event=event, stage__in=SIGNED_STAGES)
        .select_related("unit")
        .order_by("-signed_amount", "id")
    )
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/events/detail.html",
        {"event": event, "page": page, "hidden_count": event.signed_count - page.paginator.count},
    )


@page_view
def event_new(request):
    """A new event: the form, its errors beside the fields, then the event's page."""
    require_permission(request.user, "chambers.add_event")
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = event_save(actor=request.user, event=Event(), **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"已新建招商活动：{event.name}。")
                return redirect("events:detail", pk=event.pk)
        status = 400
    else:
        form = EventForm(initial={"organizer": request.user.unit_id, "kind": ""})
        status = 200
    return render(request, "workspace/events/new.html", {"form": form}, status=status)


# --- Helpers ----------------------------------------------------------------------------------------


def _count_of(rows):
    """The number of a chamber's related rows as a subquery: counting two relations through joins
    would multiply one by the other."""
    counted = rows.order_by().values("chamber").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _year(request) -> tuple[int, list[dict]]:
    """The funnel's year from `?year=`, the current year by default; the years offered are this
    year and those with figures, each marked with whether it has any."""
    this_year = timezone.localdate().year
    with_figures = set(chamber_funnel_years())
    years = [{"year": y, "has_figures": y in with_figures} for y in sorted({this_year, *with_figures}, reverse=True)]
    year = _int(request.GET.get("year"))
    return (year if year in {y["year"] for y in years} else this_year), years


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


chamber_patterns = [
    path("", chamber_list, name="list"),
    path("<int:pk>/", chamber_detail, name="detail"),
    path("<int:pk>/contacts/new/", contact_new, name="contact_new"),
]

event_patterns = [
    path("", event_list, name="list"),
    path("new/", event_new, name="new"),
    path("<int:pk>/", event_detail, name="detail"),
]
