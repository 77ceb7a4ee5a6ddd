"""Template context every page gets: navigation state and the language switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation

from marketplace.core.timezones import zone
from marketplace.storefront.formatting import zone_label
from marketplace.storefront.pricing import visitor_currency


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
    }
