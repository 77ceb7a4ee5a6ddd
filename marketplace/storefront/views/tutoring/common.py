"""Shared by the tutoring pages: error messages, redirects, dates in the visitor's language and zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from marketplace.core.dates import date_or_none
from marketplace.core.errors import ApplicationError
from marketplace.core.timezones import zone as known_zone
from marketplace.storefront import formatting
from marketplace.tutoring import selectors
from marketplace.tutoring.models import Booking, BookingStatus, TutoringOffer

OFFERS_PAGE = 20
BOOKINGS_PAGE = 20
SLOT_DAYS = 14
REVIEWS_SHOWN = 5
LIBRARY_CHOICES = 100

STATUS_LABELS: dict[str, str | Promise] = {
    BookingStatus.HELD: gettext_lazy("Awaiting payment"),
    BookingStatus.CONFIRMED: gettext_lazy("Confirmed"),
    BookingStatus.CANCELLED: gettext_lazy("Cancelled"),
    BookingStatus.EXPIRED: gettext_lazy("Hold expired"),
    BookingStatus.COMPLETED: gettext_lazy("Completed"),
}

# The services' refusals in the visitor's language; other codes show the service's own message.
_NOT_A_SLOT = gettext_lazy("This is not one of the offer's start times. Please pick one from the list.")
ERROR_MESSAGES = {
    "slot_taken": gettext_lazy("Someone else has just taken this time. Please pick another one."),
    "start_in_past": gettext_lazy("This time has passed. Please pick a later one."),
    "inside_notice": gettext_lazy(
        "This time is too soon for this tutor's notice period. Please pick a later one."
    ),
    "beyond_booking_window": gettext_lazy(
        "This time is too far ahead to book yet. Please pick an earlier one."
    ),
    "not_a_slot": _NOT_A_SLOT,
    "invalid_start": _NOT_A_SLOT,
    "naive_datetime": _NOT_A_SLOT,
    "invalid": gettext_lazy("Pick a start time from the list."),
    "own_offer": gettext_lazy("This is your own offer; you cannot book yourself."),
    "seller_cannot_accept_payments": gettext_lazy(
        "This tutor cannot take payments right now. Please try later."
    ),
    "listing_not_owned": gettext_lazy("You can only link a prompt you have bought."),
    "payment_provider_unavailable": gettext_lazy("The payment provider did not answer. Please try again."),
    "not_cancellable": gettext_lazy("This booking can no longer be cancelled."),
    "not_reviewable": gettext_lazy("Only sessions that took place and were paid for can be reviewed."),
    "session_not_ended": gettext_lazy("You can review this session once it has ended."),
    "already_reviewed": gettext_lazy("You have reviewed this session already."),
}


def flash_error(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, str(ERROR_MESSAGES.get(exc.code, exc.message)))


# --- dates in the visitor's language and zone ---------------------------------------------------------


def locale() -> str:
    return formatting.LOCALES.get(translation.get_language() or "en", "en_US")


def day_label(day: date) -> str:
    """'Wed, May 6' / '5月6日周三'."""
    return str(format_skeleton("MMMEd", day, locale=locale()))


def time_label(moment: datetime) -> str:
    """'9:30 AM' / '09:30', in the zone the moment carries."""
    return str(format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale()))


def zone_label(zone: ZoneInfo) -> str:
    """'New York (Eastern Time)' in the visitor's language."""
    return formatting.zone_label(zone, translation.get_language())


def visitor_zone(request: HttpRequest) -> ZoneInfo:
    return known_zone(getattr(request, "visitor_timezone", "UTC")) or ZoneInfo("UTC")


# --- the slot picker (the offer page and rescheduling) ---------------------------------------------------


def first_day(request: HttpRequest, offer: TutoringOffer, zone: ZoneInfo) -> tuple[date, date, date]:
    """The first day shown (from ?from=, within today..the booking horizon), today and that horizon."""
    now = timezone.now()
    today = now.astimezone(zone).date()
    horizon = (now + timedelta(days=offer.max_days_ahead)).astimezone(zone).date()
    first = date_or_none(request.GET.get("from")) or today
    return min(max(first, today), horizon), today, horizon


def slot_days(
    offer: TutoringOffer, zone: ZoneInfo, first: date, moving: Booking | None = None
) -> list[dict[str, Any]]:
    """Bookable starts in the visitor's zone from `first`, grouped by local day (for `moving`: where
    that booking could go)."""
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(first + timedelta(days=SLOT_DAYS), time.min, tzinfo=zone)
    days: dict[date, list[dict[str, str]]] = {}
    for instant in selectors.slots_between(offer=offer, start=start, end=end, moving=moving):
        if moving is not None and instant == moving.starts_at:
            continue  # where it is now
        local = instant.astimezone(zone)
        days.setdefault(local.date(), []).append({"value": local.isoformat(), "label": time_label(local)})
    return [{"date": day, "label": day_label(day), "times": times} for day, times in days.items()]


def slot_picker(request: HttpRequest, offer: TutoringOffer, moving: Booking | None = None) -> dict[str, Any]:
    """What a slot picker template needs: two weeks of starts in the visitor's zone, and the week links."""
    zone = visitor_zone(request)
    first, today, horizon = first_day(request, offer, zone)
    last = first + timedelta(days=SLOT_DAYS - 1)
    return {
        "days": slot_days(offer, zone, first, moving),
        "first": first.isoformat(),
        "range_label": f"{day_label(first)} – {day_label(min(last, horizon))}",
        "earlier": max(first - timedelta(days=SLOT_DAYS), today).isoformat() if first > today else "",
        "later": (first + timedelta(days=SLOT_DAYS)).isoformat() if last < horizon else "",
        "zone_label": zone_label(zone),
        "tutor_zone": zone_label(ZoneInfo(offer.timezone)) if offer.timezone != zone.key else "",
    }
