"""Who may do what: the one table of each role's Django model permissions (DESIGN §5).

`ROLE_PERMISSIONS` below is the truth, in Django's own vocabulary (`view`/`add`/`change`/`delete`
of a model, and the custom `targets.publish_report`), and everything asks `user.has_perm`:
- the admin, as Django's admin always does;
- the REST API, through DRF's DjangoModelPermissions (accounts.permissions.ModelPermission): a read
  needs `view`, a create `add`, a change `change`, a delete `delete`; requesting and publishing a
  report need `targets.publish_report`;
- services that check a permission of their own (report_publish).

Why these permissions and not role tuples on the views: the admin obeys model permissions and nothing
else, so with tuples a rule was written once for the admin and again for the API, and they had
drifted (staff could publish land through the API but held only `view_parcel`). Model permissions
are also what Django's tools (the admin's user page, `has_perm` in templates) already read.

`RoleBackend` answers `has_perm` from this table by the user's role, without a query: a REST
request would otherwise read the user's groups from the database every time. The groups (one per
role, named by it) are the table's image in the database, rebuilt after every `migrate` by
`sync_role_groups`; a user is a member of exactly its role's group (accounts.services), so the
admin shows each user's permissions. A permission given to one user alone is not a thing here.

The row-level part of a role (a staff member writes only its own unit's projects, confidential
projects stay in their unit) lives with the models it is about: `visible_to` and `can_edit_unit`
in projects/models.py.
"""

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from .models import Role

ALL = ("view", "add", "change", "delete")

# Which model permissions each role's group holds: {role: {"app.model": actions}}.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.STAFF: {
        "accounts.user": ("use_pages",),
        "accounts.unit": ("view",),
        "chambers.chamber": ("view", "add", "change"),
        "chambers.contact": ("view", "add", "change"),
        "chambers.agreement": ("view",),
        "chambers.event": ("view", "add", "change"),
        "projects.industry": ("view",),
        "projects.parcel": ("view", "add", "change"),  # the unit's ready land (熟地), published by its staff
        "projects.project": ALL,
        "projects.capitaldelivery": ALL,
        "projects.activity": ALL,
        "targets.indicator": ("view",),
        "targets.target": ("view",),
        "targets.unitgroup": ("view",),
        "targets.report": ("view",),
        "targets.reportrow": ("view",),
    },
    Role.LEADER: {
        "accounts.user": ("use_pages",),
        "accounts.unit": ("view",),
        "chambers.chamber": ("view",),
        "chambers.contact": ("view",),
        "chambers.agreement": ("view",),
        "chambers.event": ("view",),
        "projects.industry": ("view",),
        "projects.parcel": ("view",),
        "projects.project": ("view", "view_every_confidential"),
        "projects.capitaldelivery": ("view",),
        "projects.activity": ("view",),
        "targets.indicator": ("view",),
        "targets.target": ("view",),
        "targets.unitgroup": ("view",),
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
        "targets.unitgroup": ("view",),
        "targets.report": ("view",),
        "targets.reportrow": ("view",),
    },
    # The admin role is a superuser: it holds every permission without listing them.
    Role.ADMIN: {},
}

# Roles that may sign in to the Django admin. Staff work in the staff pages and the API, where the
# unit scoping of DESIGN §5 applies.
ADMIN_SITE_ROLES = {Role.LEADER, Role.ADMIN}


def role_permissions(role: str) -> frozenset[str]:
    """The permissions of a role as `has_perm` names them: {"projects.add_project", …}."""
    return _ROLE_PERMISSION_NAMES.get(role, frozenset())


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


_ROLE_PERMISSION_NAMES = {
    role: frozenset(".".join(codename(action, label)) for label, actions in grants.items() for action in actions)
    for role, grants in ROLE_PERMISSIONS.items()
}


class RoleBackend(ModelBackend):
    """Django's username-and-password backend, whose permissions are the user's role's, read from
    ROLE_PERMISSIONS instead of the database. A superuser (the admin role) still holds every
    permission: `User.has_perm` answers for it before asking any backend."""

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()  # permissions are given to roles only

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(role_permissions(user_obj.role))

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return self.get_group_permissions(user_obj, obj)
