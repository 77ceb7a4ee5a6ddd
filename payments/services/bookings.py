"""Tutoring bookings paid through payments: holds, checkout, cancellation refunds, reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.tutoring import services as tutoring_services
from marketplace.tutoring.models import Booking, TutorReview
from marketplace.tutoring.policy import booking_terms
from marketplace.verification.services import buyer_require_phone
from payments.models import (
    Order,
    OrderStatus,
    Refund,
)
from payments.selectors import has_unlocked
from payments.services.accounts import seller_payment_destination
from payments.services.checkout import CheckoutResult, checkout_open
from payments.services.orders import order_create, order_replay
from payments.services.pricing import price_as_shown, quote
from payments.services.refunds import order_refund
from prompts.models import Listing

# A booking is paid like a listing: one Order (booking set, listing empty), the same hosted
# checkout and the same fulfilment function. Unlike a listing it is a separate charge: the
# platform keeps the money (transfer group booking:<id>) until the session has taken place, then
# payments.services.payouts transfers the tutor's share from that charge. A booking refunded or
# cancelled before then is never paid out.


def booking_place(
    *,
    buyer: User,
    offer: Any,
    start: datetime,
    listing: Listing | None = None,
    idempotency_key: str = "",
    buyer_timezone: str = "",
    site_url: str = "",
    code: str = "",
    shown_price: tuple[int, str] | None = None,
) -> CheckoutResult:
    """Hold the slot and open its checkout. A retry with the same Idempotency-Key answers the same.

    ``site_url`` is where the buyer comes back to (the host they use); SITE_URL when empty.
    ``shown_price``: the (amount, currency) the buyer saw; any other price is a 409
    ``price_changed`` and the slot is let go.
    """
    previous = order_replay(
        buyer=buyer,
        idempotency_key=idempotency_key,
        sells=lambda order: (
            order.booking is not None
            and (order.booking.offer_id, order.booking.starts_at) == (offer.pk, start)
        ),
    )
    if previous is not None:
        return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    buyer_require_phone(user=buyer)
    if offer.seller_id != buyer.pk:
        seller_payment_destination(seller=offer.seller)  # a slot nobody can pay for is not held
    if listing is not None and not has_unlocked(user=buyer, listing=listing):
        raise ApplicationError(
            "listing_not_owned",
            _("Link a listing you have bought."),
            fields={"listing": [_("You have not unlocked this listing.")]},
        )
    booking = tutoring_services.booking_hold(
        buyer=buyer, offer=offer, start=start, listing=listing, buyer_timezone=buyer_timezone
    )
    return booking_checkout_start(
        buyer=buyer,
        booking=booking,
        idempotency_key=idempotency_key,
        site_url=site_url,
        code=code,
        shown_price=shown_price,
    )


def booking_checkout_start(
    *,
    buyer: User,
    booking: Booking,
    idempotency_key: str = "",
    site_url: str = "",
    code: str = "",
    shown_price: tuple[int, str] | None = None,
) -> CheckoutResult:
    """Create the order of a held booking (one pending per booking) and open its checkout.

    A code that would make the session free is refused by the quote (see pricing.session_price).
    """
    order = Order.objects.filter(booking=booking, status=OrderStatus.PENDING).first()
    try:
        if order is None:
            priced = quote(buyer=buyer, item=booking, code=code)
            price_as_shown(amount=priced.amount, currency=priced.currency, shown_price=shown_price)
            order = order_create(buyer=buyer, item=booking, idempotency_key=idempotency_key, priced=priced)
        url = order.checkout_url or checkout_open(order, site_url=site_url)
    except ApplicationError:
        tutoring_services.booking_release(booking_id=booking.pk)  # no checkout: no hold
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
