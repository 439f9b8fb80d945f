"""The Celery app: configured from Django settings (the CELERY_ namespace)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "investpro.settings")

app = Celery("investpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _make_embedded_broker_folders() -> None:
    """The embedded (filesystem) broker expects its folders to exist before anyone publishes."""
    if app.conf.broker_url != "filesystem://":
        return
    options = app.conf.broker_transport_options
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


_make_embedded_broker_folders()
