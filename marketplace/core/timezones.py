"""The one test of a time zone name that came from outside (a cookie, a query, a body, a form).

Only names of the IANA database as installed are accepted, less the files that sit beside the
zones without being one: ``localtime``, ``Factory``, ``posixrules`` and the ``posix/`` and
``right/`` copies. A directory such as ``Europe`` is not a zone, and ``ZoneInfo`` must never be
asked to open a path a client chose.
"""

from __future__ import annotations

import zoneinfo
from functools import cache, lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError

MAX_ZONE_NAME = 64
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
_NOT_ZONE_PREFIXES = ("posix/", "right/")


@cache
def allowed_zone_names() -> frozenset[str]:
    """Every name a client may give, built once per process."""
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_ZONES and not name.startswith(_NOT_ZONE_PREFIXES) and len(name) <= MAX_ZONE_NAME
    )


def valid_zone_name(name: object) -> bool:
    return isinstance(name, str) and name in allowed_zone_names()


@lru_cache(maxsize=1024)  # the database has about 600 zones
def _load(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone(name: object) -> zoneinfo.ZoneInfo | None:
    """The zone of an allowed name, else None. Only allowed names reach the cache, so it stays small."""
    if not valid_zone_name(name):
        return None
    assert isinstance(name, str)
    return _load(name)


def invalid_zone_message(name: object) -> str:
    shown = name if isinstance(name, str) and name.isprintable() and len(name) <= MAX_ZONE_NAME else "…"
    return _("“%(name)s” is not a time zone we know. Use an IANA name such as Asia/Shanghai.") % {
        "name": shown
    }


def zone_or_error(name: object, *, field: str = "timezone") -> zoneinfo.ZoneInfo:
    """The zone, or a 400 ``invalid_timezone`` naming the field."""
    found = zone(name)
    if found is None:
        message = invalid_zone_message(name)
        raise ApplicationError("invalid_timezone", message, fields={field: [message]})
    return found


def validate_zone_name(value: object) -> None:
    """A Django validator for model and form fields."""
    if not valid_zone_name(value):
        raise ValidationError(invalid_zone_message(value), code="invalid_timezone")
