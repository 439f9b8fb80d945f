"""Assertions shared by the model-rule tests: a rule refuses through `full_clean()` with its own field
and message and writes nothing, and the database refuses the same row when validation is bypassed."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def _stored(obj: models.Model) -> dict | None:
    return type(obj)._base_manager.filter(pk=obj.pk).values().first() if obj.pk else None


def assert_refused(obj: models.Model, field: str, message: str) -> ValidationError:
    """`full_clean()` then `save()`, the way every door writes, refuses with exactly {field: [message]},
    and the table is as it was: no new row, and an existing row keeps its stored values."""
    model = type(obj)
    count, stored = model._base_manager.count(), _stored(obj)
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
        obj.save()
    assert info.value.message_dict == {field: [message]}, info.value.message_dict
    assert model._base_manager.count() == count
    assert _stored(obj) == stored
    return info.value


def assert_valid(obj: models.Model) -> None:
    """The boundary case next to a refusal passes validation and saves."""
    obj.full_clean()
    obj.save()


def assert_db_refuses(write: Callable[[], object], constraint: str | None = None) -> IntegrityError:
    """The database itself refuses a write that skipped validation. With `constraint`, the error must
    name that constraint (SQLite and PostgreSQL both name a violated CHECK constraint)."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        write()
    if constraint:
        assert constraint in str(info.value), str(info.value)
    return info.value
