"""The caches that hold the throttle counters: django-redis in production (REDIS_URL), a file cache
in the embedded install. What the throttle needs of them: `add` creates a counter only once,
`incr` counts atomically and leaves the counter's expiry as it was."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from core.throttling import window_count_increment
from tests.caches import production_redis_cache


@pytest.fixture
def redis_cache(settings):
    with production_redis_cache(settings) as cache:
        yield cache


@pytest.mark.redis
def test_the_production_cache_is_django_redis(redis_cache):
    from django_redis.cache import RedisCache

    assert isinstance(redis_cache, RedisCache)


@pytest.mark.redis
def test_counters_from_many_threads_add_up_exactly_on_redis(redis_cache):
    threads, each = 8, 250
    start = threading.Barrier(threads)

    def count() -> list[int]:
        start.wait()
        return [window_count_increment(redis_cache, "window", timeout=60) for _ in range(each)]

    with ThreadPoolExecutor(threads) as pool:
        answers = [n for done in [pool.submit(count) for _ in range(threads)] for n in done.result()]

    assert sorted(answers) == list(range(1, threads * each + 1))  # every request saw its own count
    assert redis_cache.get("window") == threads * each


@pytest.mark.redis
def test_counting_keeps_the_expiry_set_when_the_window_opened(redis_cache):
    assert window_count_increment(redis_cache, "window", timeout=60) == 1
    redis_cache.expire("window", 5)  # as if the window had opened 55 s ago
    assert window_count_increment(redis_cache, "window", timeout=60) == 2
    assert 0 < redis_cache.ttl("window") <= 5
    assert redis_cache.add("window", 0, 60) is False and redis_cache.get("window") == 2


@pytest.mark.redis
def test_a_counter_that_expired_starts_again_at_one(redis_cache):
    window_count_increment(redis_cache, "window", timeout=60)
    redis_cache.delete("window")  # what expiry does between a request's `add` and its `incr`
    assert window_count_increment(redis_cache, "window", timeout=60) == 1


def test_the_embedded_file_cache_counts_windows(tmp_path):
    cache = FileBasedCache(str(tmp_path), {})
    assert [window_count_increment(cache, "window", timeout=60) for _ in range(3)] == [1, 2, 3]
    assert window_count_increment(cache, "other-window", timeout=60) == 1
    assert cache.get("window") == 3
