"""A Redis cache that the site can live without.

Everything the site keeps in the cache can be recomputed, so a Redis that is down, slow or out of
memory is treated as an empty cache: reads miss, writes are dropped, and the page is built from
the database. After a failure Redis is left alone for a short while, so a dead server costs one
socket timeout per process every few seconds, not one per cache call.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Errors that say "Redis cannot serve this now", not "this call is wrong".
UNAVAILABLE = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,  # a replica during failover
    redis_errors.OutOfMemoryError,  # type: ignore[attr-defined]  # noeviction and full: writes fail
)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, where an unavailable Redis reads as a miss and drops writes.

    ``incr`` of an unavailable Redis raises ValueError, as for a missing key: callers that count
    already start a fresh counter then, and that write is dropped too.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.retry_seconds = float(params.get("RETRY_SECONDS", 5))
        self._skip_until = 0.0
        self._failing = False

    def guarded(self, operation: Callable[[], T], fallback: T) -> T:
        """Run one Redis call; while Redis is unavailable return `fallback` instead."""
        if self._failing and time.monotonic() < self._skip_until:
            return fallback
        try:
            result = operation()
        except UNAVAILABLE as exc:
            self._skip_until = time.monotonic() + self.retry_seconds
            if not self._failing:
                self._failing = True
                logger.warning(
                    "Cache unavailable, serving without it (next try in %.0f s): %s: %s",
                    self.retry_seconds,
                    type(exc).__name__,
                    exc,
                )
            return fallback
        if self._failing:
            self._failing = False
            logger.info("Cache reachable again")
        return result

    def raw_client(self) -> Any:
        """The redis-py client, for commands the cache API lacks (call them through `guarded`)."""
        return self._cache.get_client(write=True)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self.guarded(functools.partial(super().add, key, value, timeout, version), False)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self.guarded(functools.partial(super().get, key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self.guarded(functools.partial(super().set, key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self.guarded(functools.partial(super().touch, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self.guarded(functools.partial(super().delete, key, version), False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self.guarded(functools.partial(super().get_many, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self.guarded(functools.partial(super().has_key, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        value: int | None = self.guarded(functools.partial(super().incr, key, delta, version), None)
        if value is None:
            raise ValueError(f"Key {key!r} not found (the cache is unavailable).")
        return value

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        # The keys that were not stored: all of them when Redis is unavailable.
        return self.guarded(functools.partial(super().set_many, data, timeout, version), list(data))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self.guarded(functools.partial(super().delete_many, keys, version), None)

    def clear(self) -> None:
        self.guarded(super().clear, None)
