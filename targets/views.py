"""The bureau's home page: the city's figures of the latest monthly report (一月一通报)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.pages import page_view

from .models import Report, ReportRow


@page_view
def home(request: HttpRequest) -> HttpResponse:
    report = (
        Report.objects.filter(status__in=[Report.Status.PUBLISHED, Report.Status.PROVISIONAL])
        .order_by("-year", "-month")
        .first()
    )
    rows = []
    if report:
        rows = (
            ReportRow.objects.filter(report=report, unit__isnull=True)
            .select_related("indicator")
            .order_by("indicator__position", "indicator__code")
        )
    return render(request, "targets/home.html", {"report": report, "rows": rows})
