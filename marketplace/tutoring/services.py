"""Every write in tutoring: offers, availability, holds, confirmation, cancellation, reschedule,
booking emails and reviews.

Tutoring never imports payments: payments calls booking_confirm / booking_release from its one
fulfilment function. The rules for cancelling, moving and reviewing are policy.booking_terms.

How a booking claims a slot without double booking is in calendar_guard.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.prices import checked_price, price_error
from marketplace.core.text import require_visible_text
from marketplace.core.timezones import zone_or_error
from marketplace.tutoring import calendar_guard, emails, slots
from marketplace.tutoring.models import (
    BLOCKING,
    EMAIL_FIELDS,
    MAX_DURATION,
    MAX_RESCHEDULES,
    MIN_DURATION,
    Booking,
    BookingStatus,
    DateOverride,
    TutoringOffer,
    TutorReview,
    WeeklyAvailability,
    email_due,
)
from marketplace.tutoring.policy import TOOK_PLACE, BookingTerms, booking_terms, role_of
from marketplace.verification.services import buyer_require_phone, seller_require_verified
from prompts.models import Listing

OFFER_FIELDS = {
    "title",
    "description",
    "languages",
    "duration_minutes",
    "price_amount",
    "price_currency",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "min_notice_minutes",
    "max_days_ahead",
    "meeting_link",
    "cancel_full_refund_hours",
    "timezone",
    "is_active",
}


# --- offers and availability ---------------------------------------------------------------------


def _offer_validate(offer: TutoringOffer) -> None:
    currency = checked_price(offer.price_amount, offer.price_currency)
    if offer.price_amount == 0:
        raise price_error(_("A tutoring session needs a price above zero."), field="price.amount")
    offer.price_currency = currency.code
    if not MIN_DURATION <= offer.duration_minutes <= MAX_DURATION:
        message = _("A session lasts %(min)s to %(max)s minutes.") % {
            "min": MIN_DURATION,
            "max": MAX_DURATION,
        }
        raise ApplicationError("invalid_duration", message, fields={"duration_minutes": [message]})
    zone_or_error(offer.timezone, field="timezone")
    require_visible_text(offer.title, field="title")
    offer.full_clean(exclude=["seller"])  # the time zone, link, lengths and other field rules


def offer_create(*, seller: User, **fields: Any) -> TutoringOffer:
    offer = TutoringOffer(seller=seller, **{k: v for k, v in fields.items() if k in OFFER_FIELDS})
    if offer.is_active:  # an active offer is on the seller's page: publishing needs verification
        seller_require_verified(user=seller)
    _offer_validate(offer)
    offer.save()
    return offer


@transaction.atomic
def offer_update(*, offer: TutoringOffer, fields: dict[str, Any]) -> TutoringOffer:
    offer = TutoringOffer.objects.select_for_update().get(pk=offer.pk)
    for name, value in fields.items():
        if name in OFFER_FIELDS:
            setattr(offer, name, value)
    if offer.is_active:
        seller_require_verified(user=offer.seller)
    _offer_validate(offer)
    offer.save()
    return offer


def offers_deactivate_for_seller(*, seller: User) -> int:
    """Take the seller's offers off sale (their verification was revoked); bookings are kept."""
    return TutoringOffer.objects.filter(seller=seller, is_active=True).update(is_active=False)


@dataclass(frozen=True)
class Rule:
    weekday: int
    start_time: time
    end_time: time


@dataclass(frozen=True)
class Override:
    date: Any
    start_time: time | None
    end_time: time | None
    blackout: bool


@transaction.atomic
def availability_set(*, offer: TutoringOffer, weekly: list[Rule], overrides: list[Override]) -> None:
    """Replace the offer's weekly rules and date overrides. Existing bookings are kept."""
    for rule in weekly:
        if not rule.start_time < rule.end_time:
            raise ApplicationError("invalid_availability", _("Each window must end after it starts."))
    for item in overrides:
        if not item.blackout and not (item.start_time and item.end_time and item.start_time < item.end_time):
            raise ApplicationError(
                "invalid_availability", _("An override is a blackout or a window that ends after it starts.")
            )
    TutoringOffer.objects.select_for_update().filter(pk=offer.pk).first()
    offer.weekly.all().delete()
    offer.overrides.all().delete()
    WeeklyAvailability.objects.bulk_create(
        WeeklyAvailability(offer=offer, weekday=r.weekday, start_time=r.start_time, end_time=r.end_time)
        for r in weekly
    )
    DateOverride.objects.bulk_create(
        DateOverride(
            offer=offer,
            date=o.date,
            blackout=o.blackout,
            start_time=None if o.blackout else o.start_time,
            end_time=None if o.blackout else o.end_time,
        )
        for o in overrides
    )


# --- holds ---------------------------------------------------------------------------------------------


def booking_hold(
    *,
    buyer: User,
    offer: TutoringOffer,
    start: datetime,
    listing: Listing | None = None,
    buyer_timezone: str = "",
) -> Booking:
    """Hold a slot for the buyer while they pay. 409 slot_taken when it is taken.

    ``buyer_timezone`` (IANA, optional) is where the buyer lives: their emails and invite use it.
    """
    if buyer_timezone:
        tz_check(buyer_timezone, field="timezone")
    if offer.seller_id == buyer.pk:
        raise Conflict("own_offer", _("This is your own offer; you cannot book yourself."))
    now = timezone.now()
    calendar_guard.start_check(offer=offer, start=start, now=now)
    blocked = slots.blocked_range(offer, start)
    try:
        with transaction.atomic():
            calendar_guard.lock_calendar(offer.seller_id)
            calendar_guard.free_lapsed_holds(seller_id=offer.seller_id, now=now)
            if calendar_guard.is_taken(seller_id=offer.seller_id, blocked=blocked, now=now):
                raise calendar_guard.slot_taken_error()
            return Booking.objects.create(
                offer=offer,
                buyer=buyer,
                seller_id=offer.seller_id,
                listing=listing,
                starts_at=start,
                ends_at=start + timedelta(minutes=offer.duration_minutes),
                blocked_from=blocked[0],
                blocked_until=blocked[1],
                timezone=offer.timezone,
                buyer_timezone=buyer_timezone,
                price_amount=offer.price_amount,
                price_currency=offer.price_currency,
                status=BookingStatus.HELD,
                hold_expires_at=now + timedelta(minutes=settings.TUTORING_HOLD_MINUTES),
            )
    except IntegrityError as exc:
        # PostgreSQL: a concurrent hold committed first; the exclusion constraint decided.
        if calendar_guard.is_overlap_violation(exc):
            raise calendar_guard.slot_taken_error() from None
        raise


def booking_release(*, booking_id: int) -> bool:
    """The checkout expired or failed: free the held slot. True when this call freed it."""
    return (
        Booking.objects.filter(pk=booking_id, status=BookingStatus.HELD).update(
            status=BookingStatus.EXPIRED, updated_at=timezone.now()
        )
        == 1
    )


def holds_expire(*, now: datetime | None = None) -> int:
    """Expire every hold past its deadline: one conditional UPDATE, so a re-run changes nothing."""
    now = now or timezone.now()
    return Booking.objects.filter(status=BookingStatus.HELD, hold_expires_at__lte=now).update(
        status=BookingStatus.EXPIRED, updated_at=now
    )


def booking_confirm(*, booking_id: int) -> bool:
    """Payment arrived: confirm the booking. False when its slot cannot be had any more.

    Called inside payments' fulfilment transaction. A hold that lapsed before the money came is
    revived if its time is still free; if someone else took it meanwhile, or the buyer cancelled,
    the answer is False and payments refunds the payment.
    """
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    if booking.status == BookingStatus.CONFIRMED:
        return True
    if booking.status == BookingStatus.EXPIRED:  # back on the calendar, if its time is still free
        calendar_guard.lock_calendar(booking.seller_id)
        now = timezone.now()
        calendar_guard.free_lapsed_holds(seller_id=booking.seller_id, now=now)
        if calendar_guard.is_taken(
            seller_id=booking.seller_id,
            blocked=(booking.blocked_from, booking.blocked_until),
            now=now,
            ignoring=booking.pk,
        ):
            return False
    elif booking.status != BookingStatus.HELD:
        return False
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: a violation must not spoil payments' transaction
            Booking.objects.filter(pk=booking.pk).update(
                status=BookingStatus.CONFIRMED, hold_expires_at=None, scheduled_at=now, updated_at=now
            )
    except IntegrityError as exc:
        if calendar_guard.is_overlap_violation(exc):
            return False
        raise
    _email_on_commit(booking.pk, "confirmed")
    return True


# --- cancellation and reschedule ---------------------------------------------------------------------


@transaction.atomic
def booking_cancel(*, booking_id: int, by: User, now: datetime) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    terms = booking_terms(booking=booking, user=by, now=now)
    if not terms.can_cancel:
        if booking.status not in BLOCKING:
            status = booking.get_status_display().lower()
            raise Conflict("not_cancellable", _("This booking is %(status)s.") % {"status": status})
        raise Conflict("not_cancellable", _("This session has started already."))
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status, booking.cancelled_by, booking.cancelled_at = BookingStatus.CANCELLED, terms.role, now
    booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
    if was_confirmed:  # an unpaid hold was never announced: nothing to take back
        _email_on_commit(booking.pk, "cancelled")
    return booking


def booking_reschedule(*, booking: Booking, by: User, start: datetime) -> Booking:
    """Move a confirmed booking once, while a full refund would still be possible."""
    now = timezone.now()
    offer = booking.offer
    if not booking_terms(booking=booking, user=by, now=now).can_reschedule:
        raise _not_reschedulable(booking, now)
    calendar_guard.start_check(offer=offer, start=start, now=now)
    blocked = slots.blocked_range(offer, start)
    try:
        with transaction.atomic():
            calendar_guard.lock_calendar(booking.seller_id)
            locked = Booking.objects.select_for_update().get(pk=booking.pk)
            if not booking_terms(booking=locked, user=by, now=now).can_reschedule:
                raise Conflict("not_reschedulable", _("This booking changed meanwhile; reload it."))
            calendar_guard.free_lapsed_holds(seller_id=locked.seller_id, now=now)
            if calendar_guard.is_taken(
                seller_id=locked.seller_id, blocked=blocked, now=now, ignoring=locked.pk
            ):
                raise calendar_guard.slot_taken_error()
            locked.starts_at = start
            locked.ends_at = start + timedelta(minutes=offer.duration_minutes)
            locked.blocked_from, locked.blocked_until = blocked
            locked.reschedules += 1
            locked.rescheduled_by = role_of(booking=locked, user=by)
            # The new time gets its own reminders, and a new invite (SEQUENCE 1) tells both sides.
            locked.scheduled_at = now
            locked.reminder_24h_sent_at = locked.reminder_1h_sent_at = None
            locked.save()
            _email_on_commit(locked.pk, "rescheduled")
            return locked
    except IntegrityError as exc:
        if calendar_guard.is_overlap_violation(exc):
            raise calendar_guard.slot_taken_error() from None
        raise


def _not_reschedulable(booking: Booking, now: datetime) -> Conflict:
    if booking.status != BookingStatus.CONFIRMED:
        return Conflict("not_reschedulable", _("Only confirmed bookings can be rescheduled."))
    if booking.reschedules >= MAX_RESCHEDULES:
        return Conflict("not_reschedulable", _("A booking can be rescheduled once."))
    if booking.starts_at <= now:
        return Conflict("not_reschedulable", _("This session has started already."))
    return Conflict(
        "not_reschedulable",
        ngettext(
            "Rescheduling closes %(hours)s hour before the session.",
            "Rescheduling closes %(hours)s hours before the session.",
            booking.offer.cancel_full_refund_hours,
        )
        % {"hours": booking.offer.cancel_full_refund_hours},
    )


def tz_check(name: str, *, field: str = "tz") -> ZoneInfo:
    """A client-given IANA zone, or a 400 ``invalid_timezone`` naming ``field``."""
    return zone_or_error(name, field=field)


# --- emails ------------------------------------------------------------------------------------------


def _email_on_commit(booking_id: int, kind: str) -> None:
    from marketplace.tutoring.tasks import send_booking_email  # the tasks module imports this one

    # robust: a broker hiccup must not fail a committed payment; the beat sweep sends it later.
    transaction.on_commit(lambda: send_booking_email.delay(booking_id, kind), robust=True)


def booking_email_send(*, booking_id: int, kind: str, now: datetime | None = None) -> bool:
    """Send one booking email (both sides) once. True when this call sent it.

    The claim is a conditional UPDATE of the email's column (null -> now) that also re-checks that
    the email is still due, so two workers, a redelivered task or two beat runs send it once. If
    sending fails the claim is given back and the error raised, for the task to retry.
    """
    field = EMAIL_FIELDS[kind]
    now = now or timezone.now()
    unsent = Booking.objects.filter(email_due(kind, now), pk=booking_id, **{f"{field}__isnull": True})
    if unsent.update(**{field: now}) != 1:
        return False
    booking = Booking.objects.select_related("offer", "seller", "buyer").get(pk=booking_id)
    try:
        emails.send(kind, booking)
    except Exception:
        Booking.objects.filter(pk=booking_id, **{field: now}).update(**{field: None})
        raise
    return True


# --- reviews -------------------------------------------------------------------------------------------


def review_create(*, booking: Booking, by: User, kept: bool, rating: int, text: str = "") -> TutorReview:
    """The buyer rates a session that took place, once (a UNIQUE constraint decides races).
    ``kept``: payments says it was paid for and neither refunded nor disputed."""
    terms = booking_terms(booking=booking, user=by, now=timezone.now(), kept=kept)
    if not terms.can_review:
        raise _not_reviewable(booking, by, kept, terms)
    buyer_require_phone(user=by)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError("invalid", _("Rate from 1 to 5."), fields={"rating": [_("1 to 5.")]})
    require_visible_text(text, field="text")
    try:
        with transaction.atomic():
            return TutorReview.objects.create(
                booking=booking,
                offer_id=booking.offer_id,
                seller_id=booking.seller_id,
                buyer=by,
                rating=rating,
                text=text.strip(),
            )
    except IntegrityError:
        raise Conflict("already_reviewed", _("You have reviewed this session already.")) from None


def _not_reviewable(booking: Booking, by: User, kept: bool, terms: BookingTerms) -> Conflict:
    if not kept:
        return Conflict(
            "not_reviewable", _("Only sessions that were paid for and not refunded can be reviewed.")
        )
    if booking.buyer_id != by.pk:
        return Conflict("not_reviewable", _("Only the buyer of a session can review it."))
    if booking.status not in TOOK_PLACE:
        return Conflict("not_reviewable", _("Only sessions that took place can be reviewed."))
    return Conflict("session_not_ended", _("You can review this session once it has ended."))
