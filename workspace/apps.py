from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The bureau's pages that draw on several apps: the staff's 工作台, the board, chambers and
    events with their funnels. An app's own pages (the project list and forms) live in that app."""

    name = "workspace"
    verbose_name = _("工作台")
