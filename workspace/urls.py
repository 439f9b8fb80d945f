from django.urls import include, path

from targets.bulletin.views import bulletin_file, bulletin_page
from targets.inspection.views import inspection, inspection_xlsx
from targets.notes import counts_in_view
from targets.views import home
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
    path("projects/counts-in/", counts_in_view, name="counts_in"),
    path("chambers/", include((chamber_patterns, "chambers"))),
    path("events/", include((event_patterns, "events"))),
    path("board/", board, name="board"),
    path("notifications/", include("notifications.urls")),
]
