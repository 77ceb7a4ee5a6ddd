"""Reads for tutoring: offers by visibility and ownership, bookings by party, bookable slots,
emails that are due, reviews."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import NotFound
from marketplace.tutoring import slots
from marketplace.tutoring.models import (
    EMAIL_FIELDS,
    REMINDER_LEADS,
    Booking,
    BookingStatus,
    TutoringOffer,
    TutorReview,
    email_due,
)

MAX_SLOT_DAYS = 31
# An announcement (confirmation, new time, cancellation) whose task was lost is sent by the beat
# sweep after this long, if it is no older than a day.
EMAIL_SWEEP_AFTER = timedelta(minutes=10)
EMAIL_SWEEP_WINDOW = timedelta(days=1)


def offer_get_public(*, public_id: str) -> TutoringOffer:
    offer = TutoringOffer.objects.select_related("seller").filter(public_id=public_id, is_active=True).first()
    if offer is None:
        raise NotFound(_("No tutoring offer has this id."))
    return offer


def offer_get_for_seller(*, seller: User, public_id: str) -> TutoringOffer:
    """Another seller's offer is a 404, not a 403."""
    offer = TutoringOffer.objects.filter(public_id=public_id, seller=seller).first()
    if offer is None:
        raise NotFound(_("You have no tutoring offer with this id."))
    return offer


def offers_for_seller(*, seller: User) -> QuerySet[TutoringOffer]:
    return TutoringOffer.objects.filter(seller=seller).prefetch_related("weekly", "overrides")


def offers_public_for_seller(*, handle: str) -> QuerySet[TutoringOffer]:
    """A seller's active offers, newest first, for their public page (case-insensitive handle)."""
    return TutoringOffer.objects.filter(seller__handle__iexact=handle, is_active=True).order_by(
        "-created_at", "-pk"
    )


def bookings_for_buyer(*, buyer: User) -> QuerySet[Booking]:
    return Booking.objects.filter(buyer=buyer).select_related("offer", "seller", "buyer", "listing")


def bookings_for_seller(*, seller: User) -> QuerySet[Booking]:
    return Booking.objects.filter(seller=seller).select_related("offer", "seller", "buyer", "listing")


def _booking_get(ownership: Q, public_id: str) -> Booking:
    booking = (
        Booking.objects.select_related("offer", "seller", "buyer")
        .filter(ownership, public_id=public_id)
        .first()
    )
    if booking is None:
        raise NotFound(_("You have no booking with this id."))
    return booking


def booking_get_for_buyer(*, buyer: User, public_id: str) -> Booking:
    return _booking_get(Q(buyer=buyer), public_id)


def booking_get_for_seller(*, seller: User, public_id: str) -> Booking:
    return _booking_get(Q(seller=seller), public_id)


def booking_get_for_party(*, user: User, public_id: str) -> Booking:
    """A booking its buyer or its seller may act on; anyone else gets a 404."""
    return _booking_get(Q(buyer=user) | Q(seller=user), public_id)


def blocking_bookings(
    *, seller_id: int, start: datetime, end: datetime, now: datetime, ignoring: int | None = None
) -> QuerySet[Booking]:
    """Bookings that take time on the seller's calendar within [start, end): confirmed ones and
    holds that have not lapsed, except the booking `ignoring` (the one being moved)."""
    rows = Booking.objects.filter(seller_id=seller_id, blocked_from__lt=end, blocked_until__gt=start).filter(
        Q(status=BookingStatus.CONFIRMED) | Q(status=BookingStatus.HELD, hold_expires_at__gt=now)
    )
    return rows.exclude(pk=ignoring) if ignoring is not None else rows


def blocking_ranges(
    *, seller_id: int, start: datetime, end: datetime, now: datetime, ignoring: int | None = None
) -> list[Any]:
    """The (blocked_from, blocked_until) of blocking_bookings."""
    rows = blocking_bookings(seller_id=seller_id, start=start, end=end, now=now, ignoring=ignoring)
    return list(rows.values_list("blocked_from", "blocked_until"))


def bookable_window(offer: TutoringOffer, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest start a buyer may book now: the notice and the booking horizon."""
    return (
        now + timedelta(minutes=offer.min_notice_minutes),
        now + timedelta(days=offer.max_days_ahead),
    )


def slots_between(
    *,
    offer: TutoringOffer,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    moving: Booking | None = None,
) -> list[datetime]:
    """Bookable starts (UTC) in [start, end): the grid minus notice, horizon and taken time.

    With `moving`, the time that booking holds counts as free: it can move next to itself."""
    now = now or timezone.now()
    earliest, latest = bookable_window(offer, now)
    start, end = max(start, earliest), min(end, latest + timedelta(microseconds=1))
    if start >= end:
        return []
    zone_days = _local_days(offer, start, end)
    taken = blocking_ranges(
        seller_id=offer.seller_id,
        start=start - timedelta(days=1),
        end=end + timedelta(days=1),
        now=now,
        ignoring=moving.pk if moving is not None else None,
    )
    return [
        candidate
        for candidate in slots.grid(offer, *zone_days)
        if start <= candidate < end
        and not any(slots.overlaps(slots.blocked_range(offer, candidate), rng) for rng in taken)
    ]


def _local_days(offer: TutoringOffer, start: datetime, end: datetime) -> tuple[date, date]:
    """The seller's local dates that can hold a start in [start, end), with a day's margin."""
    zone = ZoneInfo(offer.timezone)
    return (
        start.astimezone(zone).date() - timedelta(days=1),
        end.astimezone(zone).date() + timedelta(days=1),
    )


# --- emails ------------------------------------------------------------------------------------------


def bookings_due_email(*, kind: str, now: datetime) -> list[int]:
    """Ids of bookings whose ``kind`` email is due and unsent: reminders by their lead time, and
    announcements whose on-commit task was lost (older than a few minutes, newer than a day)."""
    field = EMAIL_FIELDS[kind]
    rows = Booking.objects.filter(email_due(kind, now), **{f"{field}__isnull": True})
    if kind not in REMINDER_LEADS:
        moment = "cancelled_at" if kind == "cancelled" else "scheduled_at"
        rows = rows.filter(
            **{f"{moment}__lte": now - EMAIL_SWEEP_AFTER, f"{moment}__gte": now - EMAIL_SWEEP_WINDOW}
        )
    return list(rows.order_by("starts_at").values_list("pk", flat=True)[:1000])


# --- reviews -------------------------------------------------------------------------------------------


def reviews_for_offer(*, offer: TutoringOffer) -> QuerySet[TutorReview]:
    return TutorReview.objects.filter(offer=offer).select_related("buyer")


def offer_rating(*, offer: TutoringOffer) -> dict[str, Any]:
    """{"average": 4.5, "count": 2}: average rounded to 2 places, None without reviews."""
    totals = TutorReview.objects.filter(offer=offer).aggregate(average=Avg("rating"), count=Count("pk"))
    average = totals["average"]
    return {"average": round(float(average), 2) if average is not None else None, "count": totals["count"]}
