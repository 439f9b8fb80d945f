"""The roles of DESIGN §5 as auth groups with model permissions.

The group of a role is kept in step with `User.role` by `accounts.services`; the row-level part of a
role (a staff member edits only its own unit's projects, confidential projects stay in their unit)
lives with the models it is about, e.g. `Project.objects.visible_to`.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from .models import Role

ALL = ("view", "add", "change", "delete")

# Which model permissions each role's group holds: {role: {"app.model": actions}}.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.STAFF: {
        "accounts.unit": ("view",),
        "chambers.chamber": ("view", "add", "change"),
        "chambers.contact": ("view", "add", "change"),
        "chambers.agreement": ("view",),
        "chambers.event": ("view", "add", "change"),
        "projects.industry": ("view",),
        "projects.parcel": ("view",),
        "projects.project": ALL,
        "projects.capitaldelivery": ALL,
        "projects.activity": ALL,
        "targets.indicator": ("view",),
        "targets.target": ("view",),
        "targets.report": ("view",),
        "targets.reportrow": ("view",),
    },
    Role.LEADER: {
        "accounts.unit": ("view",),
        "chambers.chamber": ("view",),
        "chambers.contact": ("view",),
        "chambers.agreement": ("view",),
        "chambers.event": ("view",),
        "projects.industry": ("view",),
        "projects.parcel": ("view",),
        "projects.project": ("view",),
        "projects.capitaldelivery": ("view",),
        "projects.activity": ("view",),
        "targets.indicator": ("view",),
        "targets.target": ("view",),
        "targets.report": ("view", "publish"),
        "targets.reportrow": ("view",),
    },
    Role.API_READER: {
        "accounts.unit": ("view",),
        "chambers.chamber": ("view",),
        "chambers.contact": ("view",),
        "chambers.event": ("view",),
        "projects.industry": ("view",),
        "projects.parcel": ("view",),
        "projects.project": ("view",),
        "projects.capitaldelivery": ("view",),
        "projects.activity": ("view",),
        "targets.indicator": ("view",),
        "targets.target": ("view",),
        "targets.report": ("view",),
        "targets.reportrow": ("view",),
    },
    # The admin role is a superuser: it holds every permission without listing them.
    Role.ADMIN: {},
}

# Roles that may sign in to the Django admin. Staff work in the staff pages and the API, where the
# unit scoping of DESIGN §5 applies.
ADMIN_SITE_ROLES = {Role.LEADER, Role.ADMIN}


def codename(action: str, model_label: str) -> tuple[str, str]:
    app_label, model = model_label.split(".")
    return app_label, f"{action}_{model}"


def sync_role_groups(using: str = DEFAULT_DB_ALIAS, **_) -> None:
    """Create or update one group per role with exactly the permissions listed above.

    Runs after every `migrate`; it first makes sure every app's permissions exist, because
    post_migrate reaches this app before the apps whose models the roles are about.
    """
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = [codename(action, label) for label, actions in grants.items() for action in actions]
        permissions = [
            Permission.objects.using(using).get(content_type__app_label=app_label, codename=code)
            for app_label, code in wanted
        ]
        group.permissions.set(permissions)
