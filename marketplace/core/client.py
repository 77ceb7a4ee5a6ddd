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


class _AddressThrottle(ClientAddressThrottle):
    """Counts by client address even for a signed-in visitor: the API's doors that share these
    budgets authenticate nobody, and a browser must not get a fresh budget with each account."""

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PeekThrottle(_AddressThrottle):
    """Says whether a scope's budget has room, using none of it."""

    def throttle_success(self) -> bool:
        return True

    def wait(self) -> float | None:
        # Until the budget has room again: when the rate's count-th newest entry expires. (DRF's
        # wait() spreads the time over the requests left, and gives none once more were counted.)
        count, seconds = self.parse_rate(self.rate)
        if count is None or seconds is None or len(self.history) < count:
            return None
        return seconds - (self.now - self.history[count - 1])


class _CountThrottle(_AddressThrottle):
    """Counts one use of a scope's budget even past its rate: for something that already happened."""

    def throttle_failure(self) -> bool:
        return self.throttle_success()


def _allows(throttle: ClientAddressThrottle, request: HttpRequest | Any, scope: str) -> bool:
    return throttle.allow_request(request, SimpleNamespace(throttle_scope=scope))  # type: ignore[arg-type]


def throttle_wait(request: HttpRequest | Any, scope: str) -> float | None:
    """For a website view: count one request against an API throttle scope (so both share one
    budget per address); None while within the rate, else the seconds to wait."""
    throttle = _AddressThrottle()
    if _allows(throttle, request, scope):
        return None
    return throttle.wait() or 1.0


def throttle_peek(request: HttpRequest | Any, scope: str) -> float | None:
    """Like throttle_wait, without counting this request: for a budget only some outcomes use."""
    throttle = _PeekThrottle()
    if _allows(throttle, request, scope):
        return None
    return max(1.0, throttle.wait() or 1.0)


def throttle_count(request: HttpRequest | Any, scope: str) -> None:
    """Count one use of the scope's budget for the request's client address."""
    _allows(_CountThrottle(), request, scope)


def user_agent(request: HttpRequest | Any) -> str:
    """The client's User-Agent header as sent (the caller bounds what it keeps)."""
    return str(request.META.get("HTTP_USER_AGENT", ""))
