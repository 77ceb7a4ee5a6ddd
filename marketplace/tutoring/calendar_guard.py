"""Guards on a seller's calendar: is a start bookable, is its time free, who waits for whom.

Double booking is prevented by the database. On PostgreSQL the exclusion constraint
``booking_no_overlap`` rejects a second held or confirmed range of the same seller that overlaps;
the application check before it only gives the common case a friendly answer. On SQLite (the
embedded default, no exclusion constraints) the application check is the guard: every
transaction there starts with BEGIN IMMEDIATE, so check and insert run under one write lock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.core.errors import ApplicationError, Conflict
from marketplace.tutoring import selectors, slots
from marketplace.tutoring.models import Booking, BookingStatus, TutoringOffer


def start_check(*, offer: TutoringOffer, start: datetime, now: datetime) -> None:
    """Is ``start`` a bookable instant of the offer (ignoring other bookings)? Raises a 400 if not."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ApplicationError(
            "naive_datetime",
            _("Give the start with its UTC offset, e.g. 2026-03-09T09:00:00+08:00."),
            fields={"start": [_("A time zone offset is required.")]},
        )
    earliest, latest = selectors.bookable_window(offer, now)
    if start <= now:
        raise ApplicationError("start_in_past", _("This time has passed; pick a later slot."))
    if start < earliest:
        raise ApplicationError(
            "inside_notice",
            ngettext(
                "This tutor needs %(minutes)s minute's notice; pick a later slot.",
                "This tutor needs %(minutes)s minutes' notice; pick a later slot.",
                offer.min_notice_minutes,
            )
            % {"minutes": offer.min_notice_minutes},
        )
    if start > latest:
        raise ApplicationError(
            "beyond_booking_window",
            ngettext(
                "Sessions can be booked at most %(days)s day ahead.",
                "Sessions can be booked at most %(days)s days ahead.",
                offer.max_days_ahead,
            )
            % {"days": offer.max_days_ahead},
        )
    local_day = start.astimezone(ZoneInfo(offer.timezone)).date()
    if start not in slots.grid(offer, local_day, local_day):
        raise ApplicationError(
            "not_a_slot", _("This is not one of the offer's start times; pick one from its slots.")
        )


def free_lapsed_holds(*, seller_id: int, now: datetime) -> None:
    """Holds whose time ran out no longer block (the beat job would free them within a minute)."""
    Booking.objects.filter(seller_id=seller_id, status=BookingStatus.HELD, hold_expires_at__lte=now).update(
        status=BookingStatus.EXPIRED, updated_at=now
    )


def is_taken(
    *, seller_id: int, blocked: tuple[datetime, datetime], now: datetime, ignoring: int | None = None
) -> bool:
    """Does anything on the seller's calendar (but the booking `ignoring`) overlap `blocked`?"""
    return selectors.blocking_bookings(
        seller_id=seller_id, start=blocked[0], end=blocked[1], now=now, ignoring=ignoring
    ).exists()


def is_overlap_violation(exc: IntegrityError) -> bool:
    return "booking_no_overlap" in str(exc)


def lock_calendar(seller_id: int) -> None:
    """Serialise changes to one seller's calendar for the rest of the transaction (PostgreSQL).

    Two concurrent inserts that conflict under the exclusion constraint can deadlock (each
    waits for the other's transaction to end before it can decide), which would answer a 500
    where one booking should win and the other get slot_taken. With this lock the second waits,
    then sees the first's booking in is_taken. The constraint stays the last guard. SQLite
    serialises writers by itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"tutoring-calendar:{seller_id}"]
            )


def slot_taken_error() -> Conflict:
    return Conflict("slot_taken", _("Someone else has just taken this slot; pick another one."))
