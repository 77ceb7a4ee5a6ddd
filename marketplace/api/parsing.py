"""What several API views read from a request: the signed-in user, headers and query dates."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from rest_framework.request import Request

from marketplace.accounts.models import User
from marketplace.core import dates
from marketplace.core.errors import ApplicationError


def current_user(request: Request) -> User:
    """The signed-in user of a view whose permissions already refused anonymous callers."""
    assert isinstance(request.user, User)
    return request.user


def idempotency_key(request: Request) -> str:
    """The request's Idempotency-Key header ("" without one); a malformed one is a 400."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100 or "\x00" in key:
        raise ApplicationError("invalid", _("Idempotency-Key is at most 100 characters."))
    return key


def date_param(request: Request, name: str, default: date) -> date:
    """A YYYY-MM-DD query parameter, or `default` when it is absent or empty."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    return dates.parse_date(raw, field=name)
