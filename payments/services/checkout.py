"""Starting a purchase: instant unlocks for free listings, orders and checkout sessions."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import split_fee
from marketplace.tutoring.models import Booking
from payments.gateway import (
    CheckoutRequest,
    ProviderError,
    payment_methods_for,
)
from payments.models import (
    ConnectedAccount,
    Order,
    OrderStatus,
    Unlock,
)
from payments.services.fulfilment import unlock_grant
from payments.services.provider import gateway
from prompts.models import Listing, ListingStatus


@dataclass(frozen=True)
class CheckoutResult:
    order: Order | None
    checkout_url: str | None
    unlocked: bool


def has_active_unlock(buyer: User, listing: Listing) -> bool:
    return Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True).exists()


def _check_can_buy(buyer: User, listing: Listing) -> None:
    if listing.status != ListingStatus.PUBLISHED:
        raise ApplicationError("not_for_sale", _("This listing is not for sale."), status_code=404)
    if listing.seller_id == buyer.pk:
        raise Conflict("own_listing", _("This is your own listing; you can read its prompt already."))
    if has_active_unlock(buyer, listing):
        raise Conflict(
            "already_unlocked", _("You have unlocked this listing already; find it in your library.")
        )


def checkout_start(*, buyer: User, listing: Listing, idempotency_key: str = "") -> CheckoutResult:
    """Unlock a free listing at once, or create an order and a checkout session for a paid one."""
    if idempotency_key:
        previous = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if previous is not None:
            if previous.listing_id != listing.pk:
                raise Conflict(
                    "idempotency_key_reused", _("This Idempotency-Key was used for another purchase.")
                )
            return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    _check_can_buy(buyer, listing)
    if listing.is_free:
        unlock_grant(buyer=buyer, listing=listing, order=None)
        return CheckoutResult(order=None, checkout_url=None, unlocked=True)
    order = _order_create(buyer=buyer, listing=listing, idempotency_key=idempotency_key)
    if order.checkout_url:
        return CheckoutResult(order=order, checkout_url=order.checkout_url, unlocked=False)
    return CheckoutResult(order=order, checkout_url=checkout_open(order), unlocked=False)


def _order_create(*, buyer: User, listing: Listing, idempotency_key: str) -> Order:
    seller = listing.seller
    account = ConnectedAccount.objects.filter(user=seller, charges_enabled=True).first()
    if account is None or not seller.can_accept_payments:
        raise Conflict(
            "seller_cannot_accept_payments", _("The seller cannot take payments right now; try later.")
        )
    fee, share = split_fee(listing.price_amount, settings.PLATFORM_FEE_BPS)
    try:
        with transaction.atomic():
            return Order.objects.create(
                buyer=buyer,
                listing=listing,
                seller=seller,
                amount=listing.price_amount,
                currency=listing.price_currency,
                platform_fee=fee,
                seller_amount=share,
                provider=gateway().name,
                idempotency_key=idempotency_key,
                destination_account=account.account_id,
            )
    except IntegrityError:
        # A concurrent request created the buyer's pending order first (one per buyer and
        # listing, by constraint): answer with that one.
        existing = Order.objects.filter(buyer=buyer, listing=listing, status=OrderStatus.PENDING).first()
        if existing is None:
            raise Conflict("idempotency_key_reused", _("This Idempotency-Key was used already.")) from None
        return existing


def _order_title(order: Order) -> str:
    if order.listing is not None:
        return order.listing.title
    return f"Tutoring: {Booking.objects.select_related('offer').get(orders=order).offer.title}"


def checkout_open(order: Order) -> str:
    base = settings.SITE_URL
    request = CheckoutRequest(
        order_id=order.public_id,
        title=_order_title(order),
        amount=order.amount,
        currency=order.currency,
        platform_fee=order.platform_fee,
        destination_account=order.destination_account,
        payment_methods=payment_methods_for(order.currency),
        success_url=f"{base}/payments/return/{order.public_id}/?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base}/payments/return/{order.public_id}/?canceled=1",
        idempotency_key=f"checkout:{order.public_id}",
        transfer_group=order.transfer_group,
    )
    try:
        created = gateway().create_checkout(request)
    except ProviderError as exc:
        Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.FAILED, failure_reason=f"Checkout could not start ({exc.code})."
        )
        raise ApplicationError(
            "payment_provider_unavailable",
            _("The payment provider did not answer; please try again."),
            status_code=503 if exc.transient else 502,
        ) from None
    Order.objects.filter(pk=order.pk).update(checkout_session_id=created.session_id, checkout_url=created.url)
    return created.url
