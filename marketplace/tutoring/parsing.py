"""Reading a booking's start from input, for the API and the website alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from marketplace.core import dates
from marketplace.core.errors import ApplicationError


def parse_start(value: Any) -> datetime:
    """An ISO 8601 instant with its offset; a naive or malformed one is a 400."""
    if not isinstance(value, str) or not value.strip():
        raise ApplicationError(
            "invalid", _("start is required."), fields={"start": [_("This field is required.")]}
        )
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApplicationError(
            "invalid_start",
            _("start must be an ISO 8601 date-time such as 2026-03-09T09:00:00+08:00."),
            fields={"start": [_("Not an ISO 8601 date-time.")]},
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ApplicationError(
            "naive_datetime",
            _("Give the start with its UTC offset, e.g. 2026-03-09T09:00:00+08:00."),
            fields={"start": [_("A time zone offset is required.")]},
        )
    dates.refuse_out_of_range(parsed, field="start")
    return parsed
