"""The token look-up statement of accounts.tokens answers exactly what the ORM would."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import ApiToken, Role
from accounts.tokens import token_issue, tokens_with_users
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(row) -> dict:
    return {name: value for name, value in vars(row).items() if not name.startswith("_")}


def test_the_lookup_reads_the_same_tokens_and_users_as_the_orm():
    staff = UserFactory(role=Role.STAFF, unit=UnitFactory())
    used, _key = token_issue(user=staff)
    ApiToken.objects.filter(pk=used.pk).update(last_used=timezone.now() - datetime.timedelta(minutes=5))
    unused, _key = token_issue(user=UserFactory(role=Role.LEADER, is_active=False))
    for issued in (used, unused):
        [found] = tokens_with_users(issued.token_key)
        expected = ApiToken.objects.select_related("user").get(pk=issued.pk)
        assert _fields(found) == _fields(expected)
        assert _fields(found.user) == _fields(expected.user)
        assert isinstance(found.expiry, datetime.datetime) and found.expiry.tzinfo is not None
        assert found._state.adding is False and found.user._state.adding is False


def test_a_key_no_token_has_finds_nothing():
    token_issue(user=UserFactory(role=Role.LEADER))
    assert tokens_with_users("0" * 15) == []
