"""The public land pages (/land/, in English at /en/land/) and the staff's page of a parcel.

The public pages need no sign-in and show published land only, never a project, an investor or a
member of staff. The anonymous list is cached (LAND_LIST_CACHE_SECONDS) under a key that holds the
parcels' last change (selectors.public_list_stamp), so a reservation or a sale shows at once.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Unit
from accounts.pages import page_view, require_permission
from accounts.signin import client_address
from core.errors import ConflictError
from core.throttling import window_count_increment
from projects.filtersets import ParcelFilterSet
from projects.models import Industry, Parcel, Project, can_edit_unit
from projects.selectors import land_matches
from projects.services import parcel_release, parcel_reserve

from . import selectors
from .forms import EnquiryForm, ReleaseForm, ReserveForm
from .services import Enquiry, enquiry_submit

PAGE_SIZE = 30
PUBLIC_FILTERS = ("unit", "industry", "min_area", "max_area", "max_intensity", "available")
HOUR = 3600


def public(view):
    """A public page in the language of its address: Chinese under /land/, English under /en/land/."""

    @wraps(view)
    def localised(request: HttpRequest, *args, language: str = "zh-hans", **kwargs) -> HttpResponse:
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return view(request, *args, **kwargs)

    return localised


def _namespace(request: HttpRequest) -> str:
    return request.resolver_match.namespace if request.resolver_match else "land"


def _switch(request: HttpRequest) -> dict:
    """The link to the same page in the other language."""
    match = request.resolver_match
    other = "land" if match.namespace == "land_en" else "land_en"
    kwargs = {key: value for key, value in match.kwargs.items() if key != "language"}
    url = reverse(f"{other}:{match.url_name}", kwargs=kwargs)
    query = request.GET.urlencode()
    return {"switch_url": f"{url}?{query}" if query else url, "english": match.namespace == "land_en"}


# --- The public list ------------------------------------------------------------------------------


@public
@require_http_methods(["GET", "HEAD"])
def parcel_list(request: HttpRequest) -> HttpResponse:
    anonymous = not request.user.is_authenticated
    key = None
    if anonymous:
        query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
        language = translation.get_language()
        key = f"land:list:{language}:{selectors.public_list_stamp()}:{query}"
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
    response = _render_list(request)
    if key and response.status_code == 200:
        cache.set(key, response.content.decode(), settings.LAND_LIST_CACHE_SECONDS)
    return response


def _render_list(request: HttpRequest) -> HttpResponse:
    data = {name: request.GET[name] for name in PUBLIC_FILTERS if request.GET.get(name, "").strip()}
    filterset = ParcelFilterSet(data, queryset=selectors.public_parcels())
    valid = filterset.is_valid()
    parcels = filterset.qs if valid else Parcel.objects.none()
    page = Paginator(parcels, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    outlines = selectors.zone_outlines({parcel.unit_id for parcel in rows})
    context = {
        "page": page,
        "parcels": rows,
        "filters": data,
        "errors": filterset.errors if not valid else {},
        "units": Unit.objects.filter(parcels__published=True).distinct().order_by("kind", "code"),
        "industries": Industry.objects.order_by("code"),
        "map": selectors.map_data(rows, outlines),
        "status_labels": dict(Parcel.Status.choices),
        "query": _query_without_page(request),
        **_switch(request),
    }
    if not request.user.is_authenticated:
        context["csrf_token"] = ""  # the anonymous page is cached and served to all: it carries no one's token
    return render(request, "land/list.html", context, status=200 if valid else 400)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- A parcel's public page and the enquiry -------------------------------------------------------


def _published(code: str) -> Parcel:
    return get_object_or_404(selectors.public_parcels(), code=code)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def parcel_detail(request: HttpRequest, code: str) -> HttpResponse:
    parcel = _published(code)
    form = EnquiryForm(request.POST if request.method == "POST" else None)
    status, refusal = 200, None
    if request.method == "POST":
        if form.is_bot():
            status, refusal = 400, _("提交未被受理。")
        elif not form.is_valid():
            status = 400
        elif _over_budget(request):
            status = 429
            refusal = _("同一网络地址每小时最多提交 %(count)s 次投资意向登记，请稍后再试。") % {
                "count": settings.LAND_ENQUIRIES_PER_HOUR
            }
        else:
            enquiry_submit(parcel=parcel, enquiry=Enquiry(**_enquiry_fields(form.cleaned_data)))
            return redirect(f"{reverse(f'{_namespace(request)}:detail', kwargs={'code': code})}?sent=1#enquiry")
    outlines = selectors.zone_outlines([parcel.unit_id])
    context = {
        "parcel": parcel,
        "form": form,
        "refusal": refusal,
        "sent": request.GET.get("sent") == "1" and request.method == "GET",
        "map": selectors.map_data([parcel], outlines),
        "status_labels": dict(Parcel.Status.choices),
        **_switch(request),
    }
    return render(request, "land/detail.html", context, status=status)


def _enquiry_fields(data: dict) -> dict:
    return {
        "company": data["company"],
        "contact": data["contact"],
        "industry": data["industry"],
        "investment": data["investment"],
        "land_need": data["land_need"],
        "message": data["message"],
    }


def _over_budget(request: HttpRequest) -> bool:
    """One more enquiry from this address this hour: over LAND_ENQUIRIES_PER_HOUR refuses it."""
    key = f"land:enquiries:{client_address(request)}"
    return window_count_increment(cache, key, timeout=HOUR) > settings.LAND_ENQUIRIES_PER_HOUR


# --- The staff's page of a parcel: who may fit it, reserve, release --------------------------------


def _staff_parcel(request: HttpRequest, code: str) -> Parcel:
    return get_object_or_404(Parcel.objects.select_related("unit", "project"), code=code)


def _require_edit(request: HttpRequest, parcel: Parcel) -> None:
    require_permission(request.user, "projects.change_parcel")
    if not can_edit_unit(request.user, parcel.unit_id):
        raise PermissionDenied(_("只能管理本单位的地块；“%(unit)s”的地块请联系该单位。") % {"unit": parcel.unit.name})


def _reservable(request: HttpRequest, parcel: Parcel):
    """The projects the reserve form offers: the fitting ones first, then every other candidate."""
    matches = land_matches(user=request.user, parcel=parcel)
    ids = [match.project.pk for match in matches]
    return matches, Project.objects.filter(pk__in=ids)


@page_view
def parcel_manage(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
    parcel = _staff_parcel(request, code)
    return _manage_page(request, parcel)


def _manage_page(
    request: HttpRequest, parcel: Parcel, *, reserve_form=None, release_form=None, refusal=None, status: int = 200
) -> HttpResponse:
    matches, projects = _reservable(request, parcel)
    may_edit = can_edit_unit(request.user, parcel.unit_id) and request.user.has_perm("projects.change_parcel")
    project = parcel.project if parcel.project_id else None
    if project is not None and not Project.objects.visible_to(request.user).filter(pk=project.pk).exists():
        project = None  # a confidential project of another unit: the parcel says only that it is taken
    context = {
        "parcel": parcel,
        "project": project,
        "matches": matches,
        "may_edit": may_edit,
        "reserve_form": reserve_form or ReserveForm(projects=projects),
        "release_form": release_form or ReleaseForm(),
        "refusal": refusal,
        "history": parcel.history.select_related("history_user").order_by("-history_date")[:20],
    }
    return render(request, "land/manage.html", context, status=status)


def _life_cycle_post(request: HttpRequest, code: str, *, form_name: str, make_form, write) -> HttpResponse:
    """A reserve or release posted from the staff's page: the page again with the form's errors (400)
    or the service's refusal (409), else back to the page."""
    parcel = _staff_parcel(request, code)
    _require_edit(request, parcel)
    form = make_form(parcel)
    if not form.is_valid():
        return _manage_page(request, parcel, status=400, **{form_name: form})
    try:
        write(parcel, form.cleaned_data)
    except ConflictError as error:
        return _manage_page(request, parcel, refusal=error.message, status=409, **{form_name: form})
    return redirect("land:manage", code=parcel.code)


@page_view
@require_POST
def parcel_reserve_view(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
    return _life_cycle_post(
        request,
        code,
        form_name="reserve_form",
        make_form=lambda parcel: ReserveForm(request.POST, projects=_reservable(request, parcel)[1]),
        write=lambda parcel, data: parcel_reserve(actor=request.user, parcel=parcel, project=data["project"]),
    )


@page_view
@require_POST
def parcel_release_view(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
    return _life_cycle_post(
        request,
        code,
        form_name="release_form",
        make_form=lambda parcel: ReleaseForm(request.POST),
        write=lambda parcel, data: parcel_release(actor=request.user, parcel=parcel, reason=data["reason"]),
    )
