"""Sign-in lockout: django-axes with a budget that holds under parallel requests.

Settings (investpro/settings.py, the sign-in block): AXES_HANDLER names `SignInBudgetHandler`,
AXES_CLIENT_IP_CALLABLE `client_address` and AXES_LOCKOUT_CALLABLE `lockout_response`.

Why not axes' own handlers as they are: both check the count first (`is_allowed`, when the
authentication backends start), then check the password, and only then count the failure. Forty
parallel guesses all read a count of 0 and all get their password checked. Here the attempt is
counted, with the cache's atomic `incr`, before the password is checked (a reservation); the
reservation stays as the failure when the password was wrong and is given back when it was right.
So at most AXES_FAILURE_LIMIT passwords are ever checked per username, and per address, in a
cool-off, however many requests arrive together.
"""

import contextlib
import hashlib
import json
import logging

from axes.conf import settings
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import (
    get_cache,
    get_cache_timeout,
    get_client_parameters,
    get_client_username,
    get_cool_off,
    get_failure_limit,
)
from axes.signals import user_locked_out
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

log = logging.getLogger(__name__)

# Set on the request (the object handed to `authenticate`) while its attempt holds a reservation.
_RESERVED = "signin_reserved_keys"


def client_address(request: HttpRequest) -> str:
    """The client's address by DRF's rule with NUM_PROXIES (= TRUSTED_PROXY_COUNT): REMOTE_ADDR when
    no proxy is trusted, else the address the outermost trusted proxy appended to X-Forwarded-For.
    One rule for the lockout and for the API's per-address throttles, so they can never disagree."""
    return BaseThrottle().get_ident(request)


def lockout_seconds() -> int:
    """How long a lock lasts after the last counted failure (the Retry-After of a refusal)."""
    return int(get_cool_off().total_seconds())


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer of an HTML sign-in (/accounts/login/, /admin/login/) refused
    by the lock, a page in Chinese with status 429 and Retry-After. (The token endpoint answers its
    own JSON 429, accounts.api.SignInLocked.)"""
    seconds = lockout_seconds()
    context = {"failure_limit": get_failure_limit(request, credentials), "cooloff_minutes": max(seconds // 60, 1)}
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    return response


class SignInBudgetHandler(AxesCacheHandler):
    """axes' cache handler, counting each attempt before its password is checked.

    The counters are cache keys of their own, one per lockout parameter ("username", "ip_address"),
    named by the parameter and its value (axes' keys hash the value alone, so a username spelt like
    an address would share that address's counter). Each counted attempt restarts the key's
    lifetime: a lock ends AXES_COOLOFF_TIME after the last counted failure.
    """

    def __init__(self):
        pass  # no cache bound at start-up: `cache` below follows a changed CACHES (the tests change it)

    @property
    def cache(self):
        return get_cache()

    # --- before the password is checked (AxesStandaloneBackend.authenticate) ---------------------

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        if settings.AXES_ONLY_ADMIN_SITE and not self.is_admin_request(request):
            return True
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        if credentials is None:  # a check without an attempt (axes' decorators): only read
            return not self.is_locked(request, credentials)
        return self._reserve(request, credentials)

    def _reserve(self, request, credentials: dict) -> bool:
        """Count the attempt if the budget allows it. A refused reservation is given back at once;
        until then it may make a parallel attempt see the budget spent a moment early (refused, not
        counted): the budget can be under-used in a burst, never exceeded."""
        limit = get_failure_limit(request, credentials)
        if self.get_failures(request, credentials) >= limit:
            return False  # locked: refused without touching the counters
        keys = self._keys(request, credentials)
        timeout = get_cache_timeout(request)
        counts = [self._increment(key, timeout) for key in keys]
        if counts and max(counts) > limit:
            self._give_back(keys)  # refused: this attempt is not counted, the lock's end does not move
            return False
        for key in keys:  # counted: the cool-off runs from this attempt
            self.cache.touch(key, timeout)
        setattr(request, _RESERVED, keys)
        return True

    def _increment(self, key: str, timeout: int | None) -> int:
        self.cache.add(key, 0, timeout)
        try:
            return self.cache.incr(key)
        except ValueError:  # expired between add and incr: a new cool-off starts
            self.cache.add(key, 0, timeout)
            return self.cache.incr(key)

    def _give_back(self, keys: list[str]) -> None:
        for key in keys:
            with contextlib.suppress(ValueError):  # the counter expired meanwhile: nothing to give back
                self.cache.decr(key)

    # --- after it (Django's user_login_failed and user_logged_in signals) ------------------------

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or getattr(request, "axes_locked_out", False):
            # No request: nothing to count by. Refused by the lock: axes sends user_locked_out.
            return super().user_login_failed(sender, credentials, request, **kwargs)
        if getattr(request, _RESERVED, None) is None:
            # An attempt that was not reserved (a whitelisted client): count it the usual way.
            return super().user_login_failed(sender, credentials, request, **kwargs)
        setattr(request, _RESERVED, None)  # the reservation is the failure now
        failures = self.get_failures(request, credentials)
        request.axes_failures_since_start = failures
        if settings.AXES_LOCK_OUT_AT_FAILURE and failures >= get_failure_limit(request, credentials):
            log.warning("Sign-in locked after %d failures (%s).", failures, request.axes_path_info)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            username = get_client_username(request, credentials)
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)

    def user_logged_in(self, sender, request, user, **kwargs):
        """The password was right: give the attempt's reservation back."""
        keys = getattr(request, _RESERVED, None) if request is not None else None
        if keys:
            setattr(request, _RESERVED, None)
            self._give_back(keys)
        return super().user_logged_in(sender, request, user, **kwargs)

    # --- reading and resetting (lock checks, axes_reset_username / axes_reset_ip) -----------------

    def get_failures(self, request, credentials: dict | None = None) -> int:
        return max((self.cache.get(key, default=0) for key in self._keys(request, credentials)), default=0)

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        if ip_address is None and username is None:
            raise NotImplementedError("the cache cannot list its sign-in counters: reset an address or a username")
        parameters = []
        if username is not None:
            parameters.append({"username": username})
        if ip_address is not None:
            parameters.append({"ip_address": ip_address})
        return sum(1 for key in map(_counter_key, parameters) if self.cache.delete(key))

    def _keys(self, request, credentials: dict | None) -> list[str]:
        username = get_client_username(request, credentials)
        parameters = get_client_parameters(
            username, request.axes_ip_address, request.axes_user_agent, request, credentials
        )
        # A parameter without a value (no username given) would be one counter shared by everybody.
        return [_counter_key(values) for values in parameters if all(values.values())]


def _counter_key(values: dict) -> str:
    named = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return "signin-failures-" + hashlib.sha256(named.encode()).hexdigest()
