"""The project pages: list, lead form, project page with its forms (namespace "projects")."""

from django.urls import path

from .views import detail, editing, lists

app_name = "projects"

urlpatterns: list = [
    path("", lists.project_list, name="list"),
    path("export/", lists.project_export, name="export"),
    path("new/", editing.project_new, name="new"),
    path("duplicates/", editing.project_duplicates, name="duplicates"),
    path("<int:pk>/", detail.project_detail, name="detail"),
    path("<int:pk>/edit/", editing.project_edit, name="edit"),
    path("<int:pk>/stage/<str:stage>/", detail.project_stage, name="stage"),
    path("<int:pk>/deliveries/new/", detail.delivery_new, name="delivery_new"),
    path("<int:pk>/activities/new/", detail.activity_new, name="activity_new"),
]
