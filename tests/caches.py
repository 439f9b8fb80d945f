"""The production cache (CACHES when REDIS_URL is set) for the tests marked `redis`."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import BaseCache, caches

from investpro import settings as project_settings


@contextmanager
def production_redis_cache(settings) -> Iterator[BaseCache]:
    """The project's configured Redis cache as the default cache, under a key prefix of its own:
    the test touches no other key of a shared Redis (which may be the broker too), and its keys are
    removed after it."""
    assert os.environ.get("REDIS_URL"), "mark the test `redis`"
    configured = project_settings.CACHES["default"]
    settings.CACHES = {"default": {**configured, "KEY_PREFIX": f"investpro-test-{uuid.uuid4().hex}"}}
    cache = caches["default"]
    try:
        yield cache
    finally:
        cache.delete_pattern("*")  # django-redis: only the keys under this prefix
