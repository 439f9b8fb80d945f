"""API tokens (django-rest-knox with accounts.ApiToken): issuing them and reading them on a request.

A token is shown once, when issued; the database keeps its first characters (to find it) and a
SHA-512 digest. It expires REST_KNOX["TOKEN_TTL"] after issue and is revoked by deleting it (the
admin's API 令牌 page).
"""

import binascii
from dataclasses import dataclass
from datetime import datetime
from hmac import compare_digest

from django.conf import settings
from django.db import connection
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
    TOKEN_LAST_USED_PRECISION: at most one UPDATE a minute for a busy token. Nothing about a token is
    kept between requests: a revoked, expired or deactivated one is refused at its next request."""

    def authenticate_credentials(self, token: bytes):
        key = token.decode("utf-8", errors="replace")
        try:
            digest = hash_token(key)
        except (TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        now = timezone.now()
        candidates = tokens_with_users(key[: CONSTANTS.TOKEN_KEY_LENGTH])
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


def tokens_with_users(token_key: str) -> list[ApiToken]:
    """The tokens whose first characters are `token_key`, each with its user, in one statement.

    The same rows as `ApiToken.objects.filter(token_key=…).select_related("user")` (a test holds it
    to that), read by a statement written once per process: the ORM took 0.7 ms of every API request
    to compose the statement and build the two objects, this about 0.2 ms. The digest picks the
    token, so the candidates' order does not matter."""
    statement = _token_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [token_key])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = [
            _converted(value, column, converters)
            for value, (column, converters) in zip(row, statement.columns, strict=True)
        ]
        api_token = ApiToken.from_db(connection.alias, statement.token_names, values[: len(statement.token_names)])
        api_token.user = User.from_db(connection.alias, statement.user_names, values[len(statement.token_names) :])
        found.append(api_token)
    return found


@dataclass(frozen=True)
class _Statement:
    sql: str
    columns: list[tuple]  # (the column, its converters from the database's value), in SELECT order
    token_names: list[str]
    user_names: list[str]


_STATEMENTS: dict[str, _Statement] = {}


def _token_statement() -> _Statement:
    """`SELECT <token columns>, <user columns> FROM token JOIN user WHERE token_key = %s` in the
    current database's quoting, with the converters the ORM applies to each column (SQLite answers
    times as text)."""
    if connection.alias not in _STATEMENTS:
        quote = connection.ops.quote_name
        token_fields, user_fields = ApiToken._meta.concrete_fields, User._meta.concrete_fields
        tokens, users = quote(ApiToken._meta.db_table), quote(User._meta.db_table)
        selected = [(tokens, f) for f in token_fields] + [(users, f) for f in user_fields]
        token_key, user_key = ApiToken._meta.get_field("token_key"), ApiToken._meta.get_field("user")
        sql = (
            f"SELECT {', '.join(f'{table}.{quote(f.column)}' for table, f in selected)} "
            f"FROM {tokens} INNER JOIN {users} "
            f"ON {tokens}.{quote(user_key.column)} = {users}.{quote(User._meta.pk.column)} "
            f"WHERE {tokens}.{quote(token_key.column)} = %s"
        )
        columns = [_column_converters(f) for _table, f in selected]
        _STATEMENTS[connection.alias] = _Statement(
            sql, columns, [f.attname for f in token_fields], [f.attname for f in user_fields]
        )
    return _STATEMENTS[connection.alias]


def _column_converters(field) -> tuple:
    column = field.get_col(field.model._meta.db_table)
    return column, [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]


def _converted(value, column, converters):
    for convert in converters:
        value = convert(value, column, connection)
    return value


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
