"""API budgets per caller and scope (DEFAULT_THROTTLE_CLASSES); kept apart from core.api, whose
imports DRF's own settings would otherwise import half-made."""

from django.core.cache import BaseCache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class FixedWindowRateThrottle(SimpleRateThrottle):
    """DRF's SimpleRateThrottle, counting a caller's requests in fixed windows of the rate's period
    (minute 12:03, then 12:04, …) with an atomic counter instead of DRF's list of request times.

    DRF reads the list, appends and writes it back: two processes that read together both pass, and
    a busy token rewrites 1,200 timestamps on every request. Here each request is one `cache.incr`,
    which Redis does atomically (the window's first request also creates its counter with `add`), so
    a burst from many processes never lets more than the budget through.

    Each window has a key of its own and that key lives a whole period from its creation, which is
    never shorter than what is left of its window: the count cannot vanish (and the budget refill)
    before the window ends, whatever the backend does with short timeouts. As with any fixed window,
    a caller may spend one budget at the end of a window and the next at the start of the following.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        count = window_count_increment(self.cache, f"{self.key}_{window}", timeout=self.duration)
        if count > self.num_requests:
            return self.throttle_failure()
        return True

    def wait(self):
        """Seconds until the window closes and the budget is whole again (the Retry-After header)."""
        return max(self.window_ends - self.now, 1)

    def get_rate(self):
        # api_settings, not the class attribute DRF reads at import: a changed rate applies at once.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No throttle rate set for the '{self.scope}' scope.") from None


def window_count_increment(cache: BaseCache, key: str, *, timeout: int) -> int:
    """Counts one more request in the window `key` and answers the window's count so far.

    `incr` adds one atomically (on Redis and in process-local caches; the embedded file cache serves
    one machine and is not atomic across processes) and refuses a key that does not exist: only the
    window's first request, or one that finds the counter expired, then creates it with `add` (only
    if still missing, so two processes starting the same window both count) and counts again. Every
    other request is one round trip to the cache, not two."""
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout)
        return cache.incr(key)


class ScopedThrottle(FixedWindowRateThrottle):
    """One budget per caller and scope: a view's `throttle_scope`, else "read" or "write" by method
    (signed out: "anon").

    Callers are told apart by user (so each API token has its own budget) or, signed out, by address.
    Rates are read from settings on every request, so they can be changed without touching the code.
    """

    scope = "read"
    # Not DRF's key: a cache still holding DRF's lists of request times is not read as a counter.
    cache_format = "throttle-count_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        self.scope = self._scope_of(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

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
