"""The Redis cache backend that holds the throttle counters in production (core.cache)."""

import os
import uuid

import pytest

from core.cache import RedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache():
    """A cache under a key prefix of its own: the test touches no other key of a shared Redis."""
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"investpro-test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["window", "counter"])


def test_the_cache_reads_and_writes_through_one_client(redis_cache):
    redis_cache.set("window", (1_000.5, 3), 60)
    redis_cache.add("counter", 1, 60)
    redis_cache.incr("counter")

    assert redis_cache.get("window") == (1_000.5, 3)
    assert redis_cache.get("counter") == 2
    assert redis_cache.get("missing", "default") == "default"
    client = redis_cache._cache
    assert client.get_client(write=True) is client.get_client(write=False) is client.get_client("window")
