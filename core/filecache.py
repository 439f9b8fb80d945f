"""The embedded cache: Django's file cache with counters that are atomic across processes."""

import fcntl
import os
import pickle
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class LockedFileBasedCache(FileBasedCache):
    """FileBasedCache whose `add`, `incr` (and so `decr`) and `touch` hold an exclusive lock on one file of
    the cache directory, so that counters (API throttles, the sign-in lockout) stay exact when
    gunicorn's processes and threads count together.

    Django's file cache reads a value and writes it back: two processes that read together both
    write the same count, and a budget of 10 lets more through. `flock` serializes these
    read-and-write pairs across every process of the machine (the embedded install runs on one).
    Plain `get` and `set` do not take the lock: a file is replaced whole, never read half-written.
    """

    _LOCK_NAME = "counters.lock"  # not a *.djcache file, so `clear` and culling leave it alone

    @contextmanager
    def _counter_lock(self) -> Iterator[None]:
        self._createdir()
        descriptor = os.open(os.path.join(self._dir, self._LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._counter_lock():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        """Adds `delta` and keeps the key's expiry (Django's generic incr would give it the default
        timeout, shortening a lock or stretching a window)."""
        with self._counter_lock():
            expiry, value = self._read_entry(key, version)
            new_value = value + delta
            remaining = None if expiry is None else max(expiry - time.time(), 0.001)
            self.set(key, new_value, remaining, version)
            return new_value

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        with self._counter_lock():
            return super().touch(key, timeout, version)

    def _read_entry(self, key, version) -> tuple[float | None, object]:
        """(expiry, value) of a live key; ValueError, as `incr` promises, when it is missing or expired."""
        try:
            with open(self._key_to_file(key, version), "rb") as entry:
                expiry = pickle.load(entry)
                if expiry is None or expiry >= time.time():
                    return expiry, pickle.loads(zlib.decompress(entry.read()))
        except FileNotFoundError:
            pass
        raise ValueError(f"Key '{key}' not found")
