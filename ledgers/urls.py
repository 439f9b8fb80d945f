"""The import pages (namespace "import"): /import/ and one page per import."""

from django.urls import path

from . import views

app_name = "import"

urlpatterns = [
    path("", views.start, name="start"),
    path("template/<str:kind>/", views.template_download, name="template"),
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/confirm/", views.job_confirm_view, name="confirm"),
    path("<int:pk>/abandon/", views.job_abandon_view, name="abandon"),
    path("<int:pk>/errors/", views.error_file, name="errors"),
]
