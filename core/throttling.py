"""API budgets per caller and scope (DEFAULT_THROTTLE_CLASSES); kept apart from core.api, whose
imports DRF's own settings would otherwise import half-made."""

from django.conf import settings as django_settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle


class ScopedThrottle(SimpleRateThrottle):
    """One budget per caller and scope: a view's `throttle_scope`, else "read" or "write" by method.

    Callers are told apart by user (so each API token has its own budget) or, signed out, by address.
    Rates are read from settings on every request, so they can be changed without touching the code.

    A budget of N per period is counted in a window that opens at the caller's first request and
    lasts the period; the cache holds (window start, count). DRF's own throttle keeps the time of
    every request in the period instead, a list that a busy token's every request reads and writes
    back whole (1,200 entries at the default read rate).
    """

    scope = "read"
    # Not DRF's key: a cache still holding DRF's lists (from before an upgrade) is not read as windows.
    cache_format = "throttle-window_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        self.scope = self._scope_of(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        opened, count = self.cache.get(self.key, (self.now, 0))
        if self.now - opened >= self.duration:
            opened, count = self.now, 0
        self.window_ends = opened + self.duration
        if count >= self.num_requests:
            return False
        self.cache.set(self.key, (opened, count + 1), self.window_ends - self.now)
        return True

    def wait(self):
        """Seconds until the window closes and the budget is whole again (the Retry-After header)."""
        return max(self.window_ends - self.now, 1)

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
