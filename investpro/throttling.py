"""API budgets per caller and scope (DEFAULT_THROTTLE_CLASSES); kept apart from investpro.api, whose
imports DRF's own settings would otherwise import half-made."""

from django.conf import settings as django_settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle


class ScopedThrottle(SimpleRateThrottle):
    """One budget per caller and scope: a view's `throttle_scope`, else "read" or "write" by method.

    Callers are told apart by user (so each API token has its own budget) or, signed out, by address.
    Rates are read from settings on every request, so they can be changed without touching the code.
    """

    scope = "read"

    def allow_request(self, request, view):
        self.scope = self._scope_of(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def _scope_of(self, request, view) -> str:
        explicit = getattr(view, "throttle_scope", None)
        if explicit:
            return explicit
        if not (request.user and request.user.is_authenticated):
            return "anon"
        return "read" if request.method in SAFE_METHODS else "write"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
