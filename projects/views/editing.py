"""The lead form (新建线索) and the edit form of a project, and the duplicate check beside them.

Both work as plain form posts (errors re-rendered with everything typed) and with htmx (the form
swaps in place; a saved project sends the browser to its page with HX-Redirect). The writes go
through `project_create` / `project_save`, which apply the model's rules and record the actor.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.pages import page_view, require_permission

from ..duplicates import normalise
from ..forms.project import ProjectForm
from ..models import Project, can_edit_unit
from ..selectors import duplicate_candidates
from ..services import project_create, project_save

CONFIRM_FIELD = "confirm_duplicate"


def duplicate_key(name: str, investor: str) -> str:
    return f"{normalise(name)}|{normalise(investor)}"


def project_url(project: Project) -> str:
    try:
        return reverse("projects:detail", args=[project.pk])
    except NoReverseMatch:  # the project page is its own piece of work; its path is the contract
        return f"/projects/{project.pk}/"


def add_service_error(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: each message under its field, or above the form when
    the field is not on it (a rule about the stage dates, say, which the stage actions edit)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _saved(request: HttpRequest, project: Project, message: str) -> HttpResponse:
    messages.success(request, message)
    url = project_url(project)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _render(request: HttpRequest, context: dict) -> HttpResponse:
    """The whole page, or for htmx the form alone (it replaces itself). A form with errors answers
    200 as Django's forms do (htmx swaps only a 2xx answer in)."""
    template = "projects/_form.html" if request.htmx else "projects/form.html"
    return render(request, template, context)


@page_view
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "projects.add_project")
    duplicates, confirm_key = [], ""
    if request.method == "POST":
        form = ProjectForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            if not can_edit_unit(request.user, data["unit"].pk):
                raise PermissionDenied(_("只能为本单位新建项目。"))
            # 仍然创建 confirms the name and investor it was shown for, not whatever is typed after.
            confirm_key = duplicate_key(data["name"], data["investor"])
            if request.POST.get(CONFIRM_FIELD) != confirm_key:
                duplicates = duplicate_candidates(name=data["name"], investor=data["investor"], user=request.user)
            if not duplicates:
                try:
                    project = project_create(actor=request.user, **data)
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    return _saved(request, project, _("已新建线索“%(name)s”。") % {"name": project.name})
    else:
        form = ProjectForm(user=request.user)
    context = {"form": form, "project": None, "duplicates": duplicates, "confirm_key": confirm_key}
    return _render(request, context)


@page_view
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("unit"), pk=pk)
    title = project.name  # the form fills the instance in with what was typed
    require_permission(request.user, "projects.change_project")
    if not can_edit_unit(request.user, project.unit_id):
        raise PermissionDenied(_("只能修改本单位的项目。"))
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=project, user=request.user)
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            if "unit" in changed and not can_edit_unit(request.user, changed["unit"].pk):
                raise PermissionDenied(_("只能把项目交给本单位。"))
            try:
                # The form filled the instance in; the service re-reads nothing of it but the pk.
                project_save(actor=request.user, project=project, **changed)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return _saved(request, project, _("已保存项目“%(name)s”。") % {"name": project.name})
    else:
        form = ProjectForm(instance=project, user=request.user)
    context = {"form": form, "project": project, "title": title, "project_url": project_url(project)}
    return _render(request, context)


@page_view
@require_GET
def project_duplicates(request: HttpRequest) -> HttpResponse:
    """The possible duplicates of a name and investor being typed (htmx partial)."""
    name, investor = request.GET.get("name", "")[:200], request.GET.get("investor", "")[:200]
    exclude = request.GET.get("exclude", "")
    exclude_pk = int(exclude) if exclude.isdigit() else None
    candidates = duplicate_candidates(name=name, investor=investor, user=request.user, exclude_pk=exclude_pk)
    return render(request, "projects/_duplicates.html", {"duplicates": candidates})
