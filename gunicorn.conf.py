"""Read by gunicorn from the project folder (its default config file), in the master process, before
any worker starts. Loading the settings here makes a bad configuration stop gunicorn at once with
the settings' one line; otherwise each worker would fail on its own, and gunicorn's halt can then
print a traceback of its own. The command-line options stay where the processes are described
(deploy/supervisord.conf, the systemd units)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "investpro.settings")

from django.conf import settings  # noqa: E402

settings.DATABASES  # noqa: B018 - the settings load (and are checked) on first access
