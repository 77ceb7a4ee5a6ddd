"""Locale-aware display of approximate prices and time zones (CLDR via Babel) for the website."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location, get_timezone_name
from django.utils.translation import gettext as _

from marketplace.core.money import LOCALES, format_money, get_currency


def _locale(language: str | None) -> str:
    return LOCALES.get(language or "en", "en_US")


def approximate_money(amount: int, currency: str, language: str | None) -> str:
    """'CN¥71' for a converted price: whole units from 10 up (cents would claim false precision)."""
    exponent = get_currency(currency).exponent
    whole = (amount + 10**exponent // 2) // 10**exponent  # half up, like marketplace.core.money
    return format_money(amount, currency, language, whole=exponent > 0 and whole >= 10)


# Zones with no place of their own: CLDR calls them "Unknown Region (UTC) Time".
_PLACELESS = ("UTC", "UCT", "GMT", "Universal", "Zulu", "Greenwich", "Etc/")


def _offset_label(zone: ZoneInfo) -> str:
    offset = datetime.now(zone).utcoffset() or timedelta(0)
    if not offset:
        return str(_("Coordinated Universal Time (UTC)"))
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes > 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@lru_cache(maxsize=2048)  # zones x languages; placeless zones have fixed offsets
def zone_label(zone: ZoneInfo, language: str | None) -> str:
    """'New York (Eastern Time)' / '纽约（北美东部时间）'; 'Coordinated Universal Time (UTC)', 'UTC+05:00'."""
    if zone.key.startswith(_PLACELESS):
        return _offset_label(zone)
    locale = _locale(language)
    city = get_timezone_location(zone, locale=locale, return_city=True)
    name = get_timezone_name(zone, locale=locale)
    return _("%(place)s (%(zone)s)") % {"place": city, "zone": name}
