"""Template context every page gets: navigation state and the language switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from marketplace.storefront.pricing import visitor_currency


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "visitor_timezone": getattr(request, "visitor_timezone", "UTC"),
        "visitor_currency": visitor_currency(request),
        "is_seller": bool(user and user.is_authenticated and user.can_accept_payments),
    }
