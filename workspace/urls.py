from django.urls import include, path

from targets.drill import drill
from targets.notes import counts_in_view
from targets.views import home
from workspace.board import board
from workspace.chambers import chamber_patterns, event_patterns
from workspace.home import home as workspace_home

urlpatterns = [
    path("", workspace_home, name="home"),  # staff: the 工作台; leaders and admins: the leaders' page
    path("dashboard/", home, name="dashboard"),
    path("dashboard/drill/", drill, name="dashboard_drill"),  # the projects or deliveries behind one figure
    path("projects/counts-in/", counts_in_view, name="counts_in"),
    path("chambers/", include((chamber_patterns, "chambers"))),
    path("events/", include((event_patterns, "events"))),
    path("board/", board, name="board"),
    path("notifications/", include("notifications.urls")),
]
