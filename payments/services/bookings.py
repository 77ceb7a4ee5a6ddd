"""Tutoring bookings paid through payments: holds, checkout, cancellation refunds, reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import split_fee
from marketplace.tutoring import services as tutoring_services
from marketplace.tutoring.models import Booking, TutorReview
from marketplace.tutoring.policy import booking_terms
from payments.models import (
    ConnectedAccount,
    Order,
    OrderStatus,
    Refund,
)
from payments.services.checkout import CheckoutResult, checkout_open, has_active_unlock
from payments.services.provider import gateway
from payments.services.refunds import order_refund
from prompts.models import Listing

# A booking is paid like a listing: one Order (booking set, listing empty), the same hosted
# checkout and the same fulfilment function. Unlike a listing it is a separate charge: the
# platform keeps the money (transfer group booking:<id>) until the session has taken place, then
# payments.services.payouts transfers the tutor's share from that charge. A booking refunded or
# cancelled before then is never paid out.


def booking_transfer_group(booking: Booking) -> str:
    return f"booking:{booking.public_id}"


def booking_place(
    *,
    buyer: User,
    offer: Any,
    start: datetime,
    listing: Listing | None = None,
    idempotency_key: str = "",
    buyer_timezone: str = "",
) -> CheckoutResult:
    """Hold the slot and open its checkout. A retry with the same Idempotency-Key answers the same."""
    if idempotency_key:
        previous = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if previous is not None:
            booking = previous.booking
            if booking is None or booking.offer_id != offer.pk or booking.starts_at != start:
                raise Conflict(
                    "idempotency_key_reused", _("This Idempotency-Key was used for another purchase.")
                )
            return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    if offer.seller_id != buyer.pk:
        _seller_account(offer.seller)  # before holding: a slot nobody can pay for is not held
    if listing is not None and not has_active_unlock(buyer, listing):
        raise ApplicationError(
            "listing_not_owned",
            _("Link a listing you have bought."),
            fields={"listing": [_("You have not unlocked this listing.")]},
        )
    booking = tutoring_services.booking_hold(
        buyer=buyer, offer=offer, start=start, listing=listing, buyer_timezone=buyer_timezone
    )
    return booking_checkout_start(buyer=buyer, booking=booking, idempotency_key=idempotency_key)


def _seller_account(seller: User) -> ConnectedAccount:
    account = ConnectedAccount.objects.filter(user=seller, charges_enabled=True).first()
    if account is None or not seller.can_accept_payments:
        raise Conflict(
            "seller_cannot_accept_payments", _("The seller cannot take payments right now; try later.")
        )
    return account


def booking_checkout_start(*, buyer: User, booking: Booking, idempotency_key: str = "") -> CheckoutResult:
    """Create the order of a held booking (one pending per booking) and open its checkout."""
    order = Order.objects.filter(booking=booking, status=OrderStatus.PENDING).first()
    try:
        if order is None:
            fee, share = split_fee(booking.price_amount, settings.PLATFORM_FEE_BPS)
            with transaction.atomic():
                order = Order.objects.create(
                    buyer=buyer,
                    booking=booking,
                    seller_id=booking.seller_id,
                    amount=booking.price_amount,
                    currency=booking.price_currency,
                    platform_fee=fee,
                    seller_amount=share,
                    provider=gateway().name,
                    idempotency_key=idempotency_key,
                    destination_account=_seller_account(booking.seller).account_id,
                    transfer_group=booking_transfer_group(booking),
                )
        url = order.checkout_url or checkout_open(order)
    except (ApplicationError, IntegrityError) as exc:
        tutoring_services.booking_release(booking_id=booking.pk)  # no checkout: no hold
        if isinstance(exc, IntegrityError):  # a concurrent retry with the same Idempotency-Key
            raise Conflict("idempotency_key_reused", _("This Idempotency-Key was used already.")) from None
        raise
    return CheckoutResult(order=order, checkout_url=url, unlocked=False)


def booking_cancel(*, booking: Booking, by: User) -> Refund | None:
    """Cancel per the offer's policy and refund what it says through the ledger."""
    now = timezone.now()
    # The policy is read from the row as booking_cancel locked it: a reschedule that landed
    # meanwhile (the tutor's makes the refund full) counts.
    cancelled = tutoring_services.booking_cancel(booking_id=booking.pk, by=by, now=now)
    terms = booking_terms(booking=cancelled, user=by, now=now)
    order = Order.objects.filter(booking=booking, status=OrderStatus.PAID).first()
    if order is None or not terms.cancel_refunds_in_full or not order.refundable_amount:
        return None
    return order_refund(order=order, amount=None, by=by, reason=f"Booking cancelled by the {terms.role}.")


def booking_review(*, booking: Booking, by: User, rating: int, text: str = "") -> TutorReview:
    """The buyer rates a session they paid for and kept: not refunded, not disputed."""
    kept = Order.objects.filter(
        booking=booking, buyer=by, status=OrderStatus.PAID, refunded_amount=0, disputed=False
    ).exists()
    return tutoring_services.review_create(booking=booking, by=by, kept=kept, rating=rating, text=text)
