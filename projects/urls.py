"""The project pages: list, lead form, project page with its forms (namespace "projects")."""

app_name = "projects"

urlpatterns: list = []
