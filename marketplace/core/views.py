"""Health probes, answered by marketplace.core.middleware.HealthProbeMiddleware before any other
middleware (no HTTPS redirect, Host check, session or page settings)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up. No dependencies checked: a load balancer should not flap on them."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _ping_redis(url: str) -> None:
    import redis

    seconds = settings.REDIS_CACHE_TIMEOUT_MS / 1000
    client = redis.Redis.from_url(url, socket_timeout=seconds, socket_connect_timeout=seconds)
    try:
        client.ping()
    finally:
        client.close()


def _dependencies() -> dict[str, str]:
    """What readyz checks, by name: the database always, Redis as cache and as broker when used."""
    names = {"database": ""}
    if settings.REDIS_URL:
        names["cache"] = settings.REDIS_URL
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        names["broker"] = settings.CELERY_BROKER_URL
    return names


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: 200 when every dependency answers, else 503 naming the ones that did not."""
    checks: dict[str, str] = {}
    for name, url in _dependencies().items():
        try:
            _check_database() if name == "database" else _ping_redis(url)
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; report the kind, never the URL
            logger.warning("readyz: %s check failed: %s", name, type(exc).__name__)
            checks[name] = f"error: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
