from django.apps import AppConfig


class LandConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "land"
    verbose_name = "熟地信息公开"
