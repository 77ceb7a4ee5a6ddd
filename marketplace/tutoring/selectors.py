"""Reads for tutoring: offers by visibility and ownership, bookings by party, bookable slots."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.core.errors import NotFound
from marketplace.tutoring import slots
from marketplace.tutoring.models import Booking, BookingStatus, TutoringOffer

MAX_SLOT_DAYS = 31


def offer_get_public(*, public_id: str) -> TutoringOffer:
    offer = TutoringOffer.objects.select_related("seller").filter(public_id=public_id, is_active=True).first()
    if offer is None:
        raise NotFound("No tutoring offer has this id.")
    return offer


def offer_get_for_seller(*, seller: User, public_id: str) -> TutoringOffer:
    """Another seller's offer is a 404, not a 403."""
    offer = TutoringOffer.objects.filter(public_id=public_id, seller=seller).first()
    if offer is None:
        raise NotFound("You have no tutoring offer with this id.")
    return offer


def offers_for_seller(*, seller: User) -> QuerySet[TutoringOffer]:
    return TutoringOffer.objects.filter(seller=seller).prefetch_related("weekly", "overrides")


def bookings_for_buyer(*, buyer: User) -> QuerySet[Booking]:
    return Booking.objects.filter(buyer=buyer).select_related("offer", "seller", "buyer", "listing")


def bookings_for_seller(*, seller: User) -> QuerySet[Booking]:
    return Booking.objects.filter(seller=seller).select_related("offer", "seller", "buyer", "listing")


def booking_get_for_party(*, user: User, public_id: str) -> Booking:
    """A booking its buyer or its seller may act on; anyone else gets a 404."""
    booking = (
        Booking.objects.select_related("offer", "seller", "buyer")
        .filter(Q(buyer=user) | Q(seller=user), public_id=public_id)
        .first()
    )
    if booking is None:
        raise NotFound("You have no booking with this id.")
    return booking


def blocking_ranges(*, seller_id: int, start: datetime, end: datetime, now: datetime) -> list[Any]:
    """Ranges taken on the seller's calendar: confirmed bookings and holds that have not lapsed."""
    return list(
        Booking.objects.filter(seller_id=seller_id, blocked_from__lt=end, blocked_until__gt=start)
        .filter(Q(status=BookingStatus.CONFIRMED) | Q(status=BookingStatus.HELD, hold_expires_at__gt=now))
        .values_list("blocked_from", "blocked_until")
    )


def bookable_window(offer: TutoringOffer, now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest start a buyer may book now: the notice and the booking horizon."""
    return (
        now + timedelta(minutes=offer.min_notice_minutes),
        now + timedelta(days=offer.max_days_ahead),
    )


def slots_between(
    *, offer: TutoringOffer, start: datetime, end: datetime, now: datetime | None = None
) -> list[datetime]:
    """Bookable starts (UTC) in [start, end): the grid minus notice, horizon and taken time."""
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
