"""The import pages: upload, the preview with its errors, confirm or abandon, the files to download."""

import logging
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.pages import page_view, require_permission

from .files import SHEET_TITLES, error_file_bytes, template_bytes
from .forms import UploadForm
from .importing import DUPLICATE_CHECKS
from .models import ImportJob
from .reading import FileRefused
from .services import (
    job_abandon,
    job_check,
    job_confirm,
    job_create,
    job_fail,
    job_request_confirm,
    job_runs_in_request,
)
from .tasks import send_job

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10
ACTIONS = [("error", "有错误的行"), ("create", "将新建"), ("update", "将更新")]


def _may_import(user) -> None:
    require_permission(user, "projects.change_project")


def _may_choose_unit(user) -> bool:
    return user.has_perm("projects.change_every_unit")


def _job_for(request, pk: int) -> ImportJob:
    """A job its uploader sees; an admin sees every job."""
    job = get_object_or_404(ImportJob.objects.select_related("unit", "created_by"), pk=pk)
    if job.created_by_id != request.user.pk and not _may_choose_unit(request.user):
        raise Http404
    return job


@page_view
def start(request):
    _may_import(request.user)
    may_choose_unit = _may_choose_unit(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, may_choose_unit=may_choose_unit)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = job_create(
                    user=request.user, kind=form.cleaned_data["kind"], filename=upload.name,
                    content=upload.read(), unit=form.cleaned_data.get("unit"),
                    correct_published=form.cleaned_data["correct_published"],
                )  # fmt: skip
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                _check(job)
                return redirect("import:job", pk=job.pk)
        status = 400
    jobs = ImportJob.objects.filter(created_by=request.user).select_related("unit").defer("content", "preview")
    context = {"form": form, "jobs": jobs[:RECENT_JOBS], "kinds": ImportJob.Kind.choices,
               "own_unit": None if may_choose_unit else request.user.unit}  # fmt: skip
    return render(request, "ledgers/start.html", context, status=status)


def _check(job: ImportJob) -> None:
    if not job_runs_in_request(job):
        send_job(job)
        return
    try:
        job_check(job_id=job.pk)
    except Exception as error:  # the page says the import failed, with the reason; never a 500
        logger.exception("Import %s failed while checking", job.pk)
        job_fail(job_id=job.pk, error=str(error))


@page_view
def job_page(request, pk: int):
    job = _job_for(request, pk)
    preview = job.preview or {}
    rows = preview.get("rows", [])
    sections = [
        {"action": action, "title": title, "count": preview.get("counts", {}).get(action, 0),
         "rows": [row for row in rows if row["action"] == action]}
        for action, title in ACTIONS
    ]  # fmt: skip
    context = {"job": job, "preview": preview, "sections": sections, "duplicate_checks": DUPLICATE_CHECKS}
    return render(request, "ledgers/job.html", context)


@page_view
def job_progress(request, pk: int):
    """The progress bar, polled by htmx while a worker runs the job; once it is over, the page reloads."""
    job = _job_for(request, pk)
    response = render(request, "ledgers/_progress.html", {"job": job})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@page_view
def job_confirm_view(request, pk: int):
    job = _job_for(request, pk)
    try:
        job = job_request_confirm(job=job, user=request.user)
    except ValidationError:
        return redirect("import:job", pk=job.pk)
    if not job_runs_in_request(job):
        send_job(job)
        return redirect("import:job", pk=job.pk)
    try:
        job_confirm(job_id=job.pk)
    except Exception as error:  # rolled back: nothing written; the page says so, never a 500
        logger.exception("Import %s failed while writing", job.pk)
        job_fail(job_id=job.pk, error=str(error))
    return redirect("import:job", pk=job.pk)


@require_POST
@page_view
def job_abandon_view(request, pk: int):
    job = _job_for(request, pk)
    job_abandon(job=job, user=request.user)
    return redirect("import:start")


@page_view
def error_file(request, pk: int):
    job = _job_for(request, pk)
    if not job.preview or job.file_removed_at:
        raise Http404
    try:
        body = error_file_bytes(job)
    except FileRefused:
        raise Http404 from None
    name = f"{job.filename.rsplit('.', 1)[0]}-错误说明.xlsx"
    return _download(body, name)


@page_view
def template_download(request, kind: str):
    if kind not in SHEET_TITLES:
        raise Http404
    return _download(template_bytes(kind), f"{SHEET_TITLES[kind]}导入模板.xlsx")


def _download(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"import.xlsx\"; filename*=UTF-8''{quote(name)}"
    return response
