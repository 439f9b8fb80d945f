"""The monthly progress report (一月一通报): its figures (figures.py) and its life (services.py)."""

from .figures import Periods, build_rows
from .services import (
    ReportNotProvisionalError,
    ReportPublishedError,
    report_compute,
    report_compute_month,
    report_preview,
    report_publish,
    report_reconcile,
    report_request,
    report_request_open_months,
)

__all__ = [
    "Periods",
    "ReportNotProvisionalError",
    "ReportPublishedError",
    "build_rows",
    "report_compute",
    "report_compute_month",
    "report_preview",
    "report_publish",
    "report_reconcile",
    "report_request",
    "report_request_open_months",
]
