"""The tutoring policy: what a party to a booking may do with it now, and what a cancellation costs.

Services enforce these terms, payments refunds and pays out by them, and the API and website show
them; none of them derives a rule of its own.

- The seller always refunds in full. The buyer gets a full refund up to the offer's
  cancel_full_refund_hours before the start, then nothing; unless the tutor moved the session:
  the buyer did not choose the new time, so a full refund stays open until it starts.
- A held or confirmed booking can be cancelled until it starts.
- A confirmed booking can be moved once, before it starts, while its mover could still cancel it
  for a full refund.
- The buyer may review a session that took place and that they paid for and kept.
- The tutor is paid for a session that took place or that its buyer cancelled (a buyer's late
  cancellation is not refunded, so the reserved hour is paid for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from marketplace.accounts.models import User
from marketplace.tutoring.models import BLOCKING, MAX_RESCHEDULES, Booking, BookingStatus

BUYER, SELLER = "buyer", "seller"
TOOK_PLACE = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class BookingTerms:
    role: str
    full_refund_deadline: datetime  # the last moment this party's cancellation refunds in full
    cancel_refunds_in_full: bool  # were this party to cancel now (whatever the status)
    can_cancel: bool
    can_reschedule: bool
    session_ended: bool
    took_place: bool  # confirmed (or completed) and over
    can_review: bool
    reschedules_left: int


def role_of(*, booking: Booking, user: User) -> str:
    return SELLER if booking.seller_id == user.pk else BUYER


def full_refund_deadline(*, booking: Booking, role: str) -> datetime:
    if role == SELLER or booking.rescheduled_by == SELLER:
        return booking.starts_at
    return booking.starts_at - timedelta(hours=booking.offer.cancel_full_refund_hours)


def booking_terms(*, booking: Booking, user: User, now: datetime, kept: bool = False) -> BookingTerms:
    """The terms of ``booking`` for ``user`` at ``now``. ``kept``: payments' answer to "was it paid
    for and neither refunded nor disputed?", which tutoring cannot see."""
    role = role_of(booking=booking, user=user)
    deadline = full_refund_deadline(booking=booking, role=role)
    full = role == SELLER or now <= deadline
    upcoming = booking.starts_at > now
    ended = booking.ends_at <= now
    took_place = booking.status in TOOK_PLACE and ended
    return BookingTerms(
        role=role,
        full_refund_deadline=deadline,
        cancel_refunds_in_full=full,
        can_cancel=booking.status in BLOCKING and upcoming,
        can_reschedule=(
            booking.status == BookingStatus.CONFIRMED
            and booking.reschedules < MAX_RESCHEDULES
            and upcoming
            and full
        ),
        session_ended=ended,
        took_place=took_place,
        can_review=role == BUYER and took_place and kept,
        reschedules_left=max(0, MAX_RESCHEDULES - booking.reschedules),
    )


def tutor_is_paid(booking: Booking) -> bool:
    """Does this booking's state earn the tutor their share (refunds and disputes aside)?"""
    return booking.status == BookingStatus.CONFIRMED or (
        booking.status == BookingStatus.CANCELLED and booking.cancelled_by == BUYER
    )


def tutor_is_paid_q(prefix: str = "") -> Q:
    """tutor_is_paid as a filter; ``prefix`` is the path to the booking, e.g. "booking__"."""
    return Q(**{f"{prefix}status": BookingStatus.CONFIRMED}) | Q(
        **{f"{prefix}status": BookingStatus.CANCELLED, f"{prefix}cancelled_by": BUYER}
    )
