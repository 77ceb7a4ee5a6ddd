"""Template context every page gets: navigation state and the language switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "visitor_timezone": getattr(request, "visitor_timezone", "UTC"),
        "is_seller": bool(user and user.is_authenticated and user.can_accept_payments),
    }
