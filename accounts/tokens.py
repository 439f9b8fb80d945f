"""API tokens (django-rest-knox with accounts.ApiToken): issuing them and reading them on a request.

A token is shown once, when issued; the database keeps its first characters (to find it) and a
SHA-512 digest. It expires REST_KNOX["TOKEN_TTL"] after issue and is revoked by deleting it (the
admin's API 令牌 page).
"""

import binascii
from datetime import datetime
from hmac import compare_digest

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from .models import ApiToken, User


def token_issue(*, user: User) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the key to hand over (never stored, never shown again).
    The user's expired tokens are deleted on the way, so that they do not pile up."""
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return ApiToken.objects.create(user=user)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's `Authorization: Token <key>`, in one query: the token and its user.

    knox also reads all the user's other tokens on every request to delete the expired ones (a
    second query per request); here an expired token is simply refused (401), and expired tokens are
    deleted when their user is issued a new one. `last_used` is written when it is older than
    TOKEN_LAST_USED_PRECISION: at most one UPDATE a minute for a busy token."""

    def authenticate_credentials(self, token: bytes):
        key = token.decode("utf-8", errors="replace")
        try:
            digest = hash_token(key)
        except (TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        now = timezone.now()
        # Unordered: the digest picks the token, so the candidates' order does not matter, and the
        # model's default ordering (-created) doubled the time Django takes to write this statement.
        candidates = (
            ApiToken.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user").order_by()
        )
        for api_token in candidates:
            if not compare_digest(digest, api_token.digest):
                continue
            if api_token.expiry is not None and api_token.expiry < now:
                raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
            _record_use(api_token, now)
            return self.validate_user(api_token)
        raise exceptions.AuthenticationFailed(_("令牌无效。"))

    def validate_user(self, auth_token: ApiToken):
        if not auth_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该用户已停用。"))
        return auth_token.user, auth_token


def _record_use(api_token: ApiToken, now: datetime) -> None:
    last_used = api_token.last_used
    if last_used is None or now - last_used >= settings.TOKEN_LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used=now)
        api_token.last_used = now


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ApiTokenAuthentication, under the name the schema always had."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
