from django.urls import include, path

from targets.views import home
from workspace.chambers import chamber_patterns, event_patterns

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", home, name="dashboard"),
    path("chambers/", include((chamber_patterns, "chambers"))),
    path("events/", include((event_patterns, "events"))),
]
