from django.urls import include, path

from targets import actions
from targets.bulletin.views import bulletin_file, bulletin_page
from targets.drill import drill
from targets.inspection.views import inspection, inspection_xlsx
from targets.notes import counts_in_view
from targets.views import capital, home
from workspace.board import board
from workspace.chambers import chamber_patterns, event_patterns
from workspace.home import home as workspace_home

urlpatterns = [
    path("", workspace_home, name="home"),  # staff: the 工作台; leaders and admins: the leaders' page
    path("dashboard/", home, name="dashboard"),
    path("dashboard/<int:year>/<int:month>/bulletin/", bulletin_page, name="dashboard_bulletin"),
    path(
        "dashboard/<int:year>/<int:month>/bulletin.docx",
        bulletin_file,
        {"file_format": "docx"},
        name="dashboard_bulletin_docx",
    ),
    path(
        "dashboard/<int:year>/<int:month>/bulletin.xlsx",
        bulletin_file,
        {"file_format": "xlsx"},
        name="dashboard_bulletin_xlsx",
    ),
    path("dashboard/inspection/", inspection, name="dashboard_inspection"),
    path("dashboard/inspection/<slug:name>.xlsx", inspection_xlsx, name="dashboard_inspection_xlsx"),
    path("dashboard/capital/", capital, name="dashboard_capital"),  # the dashboard's capital by origin and industry
    path("dashboard/drill/", drill, name="dashboard_drill"),  # the projects or deliveries behind one figure
    # The leaders' actions on a month's report (targets.actions): compute, its progress, publish, restatement.
    path("dashboard/report/", actions.report_page, name="dashboard_report"),
    path("dashboard/report/status/", actions.report_status, name="dashboard_report_status"),
    path("dashboard/compute/", actions.compute, name="dashboard_compute"),
    path("dashboard/publish/", actions.publish, name="dashboard_publish"),
    path("dashboard/restatement/", actions.restatement, name="dashboard_restatement"),
    path("projects/counts-in/", counts_in_view, name="counts_in"),
    path("chambers/", include((chamber_patterns, "chambers"))),
    path("events/", include((event_patterns, "events"))),
    path("board/", board, name="board"),
    path("notifications/", include("notifications.urls")),
]
