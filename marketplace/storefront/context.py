"""Template context every page gets: navigation state and the language switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.core.timezones import zone
from marketplace.storefront.formatting import zone_label
from marketplace.storefront.pricing import visitor_currency
from marketplace.storefront.views.common import safe_next

# Pages about signing in: their header links pass on the `next` they were given, never themselves.
ACCOUNT_PAGES = {
    "login",
    "signup",
    "logout",
    "password-reset",
    "password-reset-sent",
    "password-reset-confirm",
    "password-reset-complete",
}


def auth_next(request: HttpRequest) -> str:
    """Where the header's "Log in" and "Sign up" links bring the visitor back to: this page, or
    on the sign-in pages the page they came from; "" for anything off this site."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "web" and match.url_name in ACCOUNT_PAGES:
        return safe_next(request)
    here = request.get_full_path()
    # A path such as "//evil.example/" reads as another host: only a path on this site is kept.
    return here if url_has_allowed_host_and_scheme(here, allowed_hosts=None) else ""


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    visitor_timezone = getattr(request, "visitor_timezone", "UTC")
    visitor_zone = zone(visitor_timezone) or zone("UTC")
    assert visitor_zone is not None
    return {
        "visitor_timezone": visitor_timezone,
        "visitor_currency": visitor_currency(request),
        # The zone as a person reads it, in their language ("上海（中国时间）"), not its IANA key.
        "visitor_zone_label": zone_label(visitor_zone, translation.get_language()),
        "is_seller": bool(user and user.is_authenticated and user.can_accept_payments),
        "auth_next": "" if user and user.is_authenticated else auth_next(request),
    }
