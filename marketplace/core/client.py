"""The address a request came from, as every throttle, sign-in lock and log line names it.

The socket address (``REMOTE_ADDR``) is the only one a client cannot choose. Behind
TRUSTED_PROXY_COUNT proxies it is the last proxy's address instead; each trusted proxy appends
the address it saw to ``X-Forwarded-For``, so the client's is the N-th entry from the right.
Anything left of that was written by the client and is never read.
"""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

ADDRESS_MAX_LENGTH = 64


def _forwarded_entry(header: str, count: int) -> str | None:
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if len(entries) < count:
        # The request did not pass through every trusted proxy (or one dropped the header): no
        # entry is known to be a proxy's, so none is used.
        return None
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_address(request: HttpRequest | Any) -> str:
    """The client's address: REMOTE_ADDR, or the N-th X-Forwarded-For entry behind N trusted proxies."""
    remote = str(request.META.get("REMOTE_ADDR", ""))[:ADDRESS_MAX_LENGTH]
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = _forwarded_entry(str(request.META.get("HTTP_X_FORWARDED_FOR", "")), count)
    return (forwarded or remote)[:ADDRESS_MAX_LENGTH]


class ClientAddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting anonymous requests per client_address()."""

    def get_rate(self) -> str | None:
        # Read when used rather than frozen at import, so the rates follow REST_FRAMEWORK.
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No throttle rate is set for the {self.scope!r} scope")
        rate = rates[self.scope]
        return None if rate is None else str(rate)

    def get_ident(self, request: Any) -> str:
        return client_address(request)


def throttle_wait(request: HttpRequest, scope: str) -> float | None:
    """For a website view: count one request against an API throttle scope (so both share one
    budget per address); None while within the rate, else the seconds to wait."""
    throttle = ClientAddressThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):  # type: ignore[arg-type]
        return None
    return throttle.wait() or 1.0


def user_agent(request: HttpRequest | Any) -> str:
    """The client's User-Agent header as sent (the caller bounds what it keeps)."""
    return str(request.META.get("HTTP_USER_AGENT", ""))
