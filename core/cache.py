"""The Redis cache backend (CACHES when REDIS_URL is set), with one client per connection pool.

Django's backend makes a new redis-py client for every cache call, and a client's construction
registers some three hundred response callbacks: on an API request, whose throttle makes two cache
calls, that was more work than talking to Redis. A client is safe to share between threads (each
command borrows a connection from the pool), so one per pool serves every call.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
