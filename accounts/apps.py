from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与单位")

    def ready(self) -> None:
        from .roles import sync_role_groups

        # Once per migrate, after the last of the project's apps has its permissions.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="accounts.sync_role_groups")
