from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running InvestPro: backups, the heartbeat, /healthz and `manage.py doctor`."""

    name = "operations"
    verbose_name = "运维"

    def ready(self) -> None:
        # Connects the signal that stamps each heartbeat with the time it is sent (in beat).
        from . import tasks  # noqa: F401
