"""The one parser of dates and instants that came from a client (query, body, form, cursor).

Anything outside years 2000 to 2100 is refused: no feature needs it, and near the ends of the
calendar ``date + timedelta`` and offset arithmetic raise OverflowError (year 9999 + 1 day,
9999-12-31T23:59:59-14:00 in UTC), which would be a 500.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def in_range(value: date) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def _out_of_range_message() -> str:
    return _("Use a date from %(earliest)s to %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": LATEST.isoformat(),
    }


def date_or_none(raw: object) -> date | None:
    """An ISO date within the range, or None (for pages that fall back to a default)."""
    if not isinstance(raw, str):
        return None
    try:
        parsed = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return parsed if in_range(parsed) else None


def parse_date(raw: object, *, field: str) -> date:
    """An ISO date such as 2026-03-09 within the range, or a 400 ``invalid_date`` naming ``field``."""
    parsed = date_or_none(raw)
    if parsed is None:
        message = _("%(name)s must be a date from %(earliest)s to %(latest)s, such as 2026-03-09.") % {
            "name": field,
            "earliest": EARLIEST.isoformat(),
            "latest": LATEST.isoformat(),
        }
        raise ApplicationError("invalid_date", message, fields={field: [message]})
    return parsed


def instant_or_none(raw: object) -> datetime | None:
    """An ISO 8601 date-time within the range (with or without an offset), or None."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return parsed if in_range(parsed) else None


def refuse_out_of_range(value: datetime, *, field: str) -> None:
    if not in_range(value):
        message = _out_of_range_message()
        raise ApplicationError("invalid_date", message, fields={field: [message]})


def validate_in_range(value: date) -> None:
    """A validator for serializer and form date fields."""
    if value is not None and not in_range(value):
        raise ValidationError(_out_of_range_message(), code="invalid_date")
