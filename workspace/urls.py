from django.urls import path

from targets.views import home

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", home, name="dashboard"),
]
