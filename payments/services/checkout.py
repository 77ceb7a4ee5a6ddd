"""Starting a purchase: instant unlocks for free listings, orders and checkout sessions."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import format_money
from marketplace.tutoring.models import Booking
from marketplace.verification.services import buyer_require_phone
from payments.gateway import (
    CheckoutLine,
    CheckoutRequest,
    ProviderError,
    payment_methods_for,
)
from payments.models import Licence, Order, OrderStatus
from payments.selectors import has_unlocked
from payments.services.fulfilment import unlock_grant, unlock_upgrade
from payments.services.orders import order_create, order_replay
from payments.services.pricing import Quote, code_release, code_reserve, price_as_shown, quote
from payments.services.provider import gateway
from prompts.models import Listing, ListingStatus


@dataclass(frozen=True)
class CheckoutResult:
    order: Order | None
    checkout_url: str | None
    unlocked: bool


def _check_can_buy(buyer: User, listing: Listing) -> None:
    if listing.status != ListingStatus.PUBLISHED:
        raise ApplicationError("not_for_sale", _("This listing is not for sale."), status_code=404)
    if listing.seller_id == buyer.pk:
        raise Conflict("own_listing", _("This is your own listing; you can read its prompt already."))


def checkout_start(
    *,
    buyer: User,
    listing: Listing,
    idempotency_key: str = "",
    site_url: str = "",
    licence: str = "",
    code: str = "",
    shown_price: tuple[int, str] | None = None,
) -> CheckoutResult:
    """Unlock at once what costs nothing (a free listing, a code taking it all), or create an order
    and a checkout session. A buyer holding a lower licence pays the difference for a higher one.

    ``site_url`` is where the buyer comes back to (the host they use); SITE_URL when empty.
    ``shown_price``: the (amount, currency) the buyer saw beside Pay; any other price is a 409
    ``price_changed`` and nothing is charged or unlocked.
    """
    previous = order_replay(
        buyer=buyer, idempotency_key=idempotency_key, sells=lambda order: order.listing_id == listing.pk
    )
    if previous is not None:
        return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    _check_can_buy(buyer, listing)
    if not licence and has_unlocked(user=buyer, listing=listing):
        raise Conflict(
            "already_unlocked", _("You have unlocked this listing already; find it in your library.")
        )
    priced = quote(buyer=buyer, item=listing, licence=licence, code=code)
    price_as_shown(amount=priced.amount, currency=priced.currency, shown_price=shown_price)
    buyer_require_phone(user=buyer)
    if priced.amount == 0:
        _unlock_free(buyer, priced)
        return CheckoutResult(order=None, checkout_url=None, unlocked=True)
    order = order_create(buyer=buyer, item=listing, idempotency_key=idempotency_key, priced=priced)
    if order.checkout_url:
        return CheckoutResult(order=order, checkout_url=order.checkout_url, unlocked=False)
    return CheckoutResult(order=order, checkout_url=checkout_open(order, site_url=site_url), unlocked=False)


@transaction.atomic
def _unlock_free(buyer: User, priced: Quote) -> None:
    """Nothing to pay: grant (or raise) the licence now, and count the code's use if one was given."""
    listing = priced.item
    assert isinstance(listing, Listing)
    if priced.code is not None:
        code_reserve(code=priced.code, buyer=buyer)
    if priced.upgrade_from:
        granted = unlock_upgrade(buyer=buyer, listing=listing, old=priced.upgrade_from, new=priced.licence)
    else:
        granted = unlock_grant(buyer=buyer, listing=listing, order=None, licence=priced.licence)
    if not granted:  # a concurrent grant (or upgrade) won: raise, so the code's use rolls back too
        raise Conflict(
            "already_unlocked", _("You have unlocked this listing already; find it in your library.")
        )


def _order_title(order: Order) -> str:
    if order.listing is not None:
        return order.listing.title
    if order.bundle is not None:
        return order.bundle.title
    return f"Tutoring: {Booking.objects.select_related('offer').get(orders=order).offer.title}"


def _order_description(order: Order) -> str:
    """The line item's description: the licence bought (or upgraded to) and the code applied."""
    parts = []
    if order.upgrade_from:
        parts.append(f"{order.licence.capitalize()} licence, upgrade from {order.upgrade_from}")
    elif (order.licence and order.licence != Licence.PERSONAL) or order.discount_code_id:
        parts.append(f"{order.licence.capitalize()} licence" if order.licence else "Tutoring session")
    if order.discount_code is not None:
        parts.append(
            f"code {order.discount_code.code.upper()}: "
            f"{format_money(order.discount_amount, order.currency)} off "
            f"{format_money(order.list_amount - order.credit_amount, order.currency)}"
        )
    return "; ".join(parts)


def _order_lines(order: Order) -> tuple[CheckoutLine, ...]:
    """A bundle's listings as line items, free ones (a code took them whole) left out: a line
    item must charge something."""
    if order.bundle_id is None:
        return ()
    lines = order.lines.select_related("listing").order_by("position")
    return tuple(
        CheckoutLine(
            title=line.listing.title,
            amount=line.amount,
            description=f"{order.bundle.title if order.bundle else ''}: "
            f"{format_money(line.bundle_discount + line.code_discount, order.currency)} off "
            f"{format_money(line.list_amount, order.currency)}",
        )
        for line in lines
        if line.amount > 0
    )


def checkout_open(order: Order, *, site_url: str = "") -> str:
    # The website passes the visitor's own host: a return on SITE_URL's host would lose their
    # session cookie, and the CSP's form-action would stop the redirect there. SITE_URL is for
    # links made outside a request (the API's, emails).
    base = (site_url or settings.SITE_URL).rstrip("/")
    request = CheckoutRequest(
        order_id=order.public_id,
        title=_order_title(order),
        description=_order_description(order),
        amount=order.amount,
        currency=order.currency,
        platform_fee=order.platform_fee,
        destination_account=order.destination_account,
        payment_methods=payment_methods_for(order.currency),
        success_url=f"{base}/payments/return/{order.public_id}/?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base}/payments/return/{order.public_id}/?canceled=1",
        idempotency_key=f"checkout:{order.public_id}",
        transfer_group=order.transfer_group,
        lines=_order_lines(order),
    )
    try:
        created = gateway().create_checkout(request)
    except ProviderError as exc:
        with transaction.atomic():
            if Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
                status=OrderStatus.FAILED, failure_reason=f"Checkout could not start ({exc.code})."
            ):
                code_release(order=order)
        raise ApplicationError(
            "payment_provider_unavailable",
            _("The payment provider did not answer; please try again."),
            status_code=503 if exc.transient else 502,
        ) from None
    Order.objects.filter(pk=order.pk).update(checkout_session_id=created.session_id, checkout_url=created.url)
    return created.url
