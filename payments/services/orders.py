"""The one way an order is created, for a listing (an unlock) or a tutoring booking alike.

Both checkouts share every rule here: an Idempotency-Key answers with the order it created
first, the seller must be able to take the payment, the amount is split by the one fee rule,
and one pending order per item (by constraint) is what a concurrent second request gets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict
from marketplace.tutoring.models import Booking
from payments.models import Order, OrderStatus, PayoutRail
from payments.services.accounts import seller_payment_destination
from payments.services.pricing import Quote, code_release, code_reserve, quote
from payments.services.provider import gateway
from prompts.models import Listing


def booking_transfer_group(booking: Booking) -> str:
    return f"booking:{booking.public_id}"


def order_replay(*, buyer: User, idempotency_key: str, sells: Callable[[Order], bool]) -> Order | None:
    """The order a retried request with this Idempotency-Key created already, if any.

    A key the buyer used for something other than what `sells` accepts is a 409: answering with
    the other purchase would charge for the wrong thing.
    """
    if not idempotency_key:
        return None
    previous = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
    if previous is not None and not sells(previous):
        raise Conflict("idempotency_key_reused", _("This Idempotency-Key was used for another purchase."))
    return previous


def order_supersede(*, order: Order) -> bool:
    """Close a pending order the buyer replaced with a new checkout on other terms (another
    licence, code or price), and give its code's use back. False when it was no longer pending
    (paid or closed meanwhile). Its checkout session stays open at the provider until it expires:
    paid anyway, fulfilment counts the late payment, and the second of two unlocks is refunded as a
    duplicate, as for any concurrent double purchase. A held booking stays held for the new order.
    """
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.EXPIRED, failure_reason="Replaced by a new checkout on other terms."
        ):
            return False
        code_release(order=order)
        return True


def _same_terms(order: Order, priced: Quote) -> bool:
    return (
        order.licence == priced.licence
        and order.upgrade_from == priced.upgrade_from
        and order.discount_code_id == (priced.code.pk if priced.code is not None else None)
        and order.amount == priced.amount
        and order.currency == priced.currency
    )


def order_create(
    *,
    buyer: User,
    item: Listing | Booking,
    idempotency_key: str,
    priced: Quote | None = None,
) -> Order:
    """A pending order for a paid listing or a held booking; the item's open one after a race.

    ``priced`` is services.pricing's quote (licence, upgrade, code); the personal licence at the
    list price when None. A code's use is reserved in the order's own transaction. A pending
    order on the same terms is answered again; one on other terms (the buyer changed the licence
    or the code, or the price changed) is superseded and a new order made, so the buyer pays what
    they were quoted now.
    """
    rail, destination = seller_payment_destination(seller=item.seller)
    priced = priced or quote(buyer=buyer, item=item)
    line = priced.line
    sold: dict[str, Any] = {"listing": item} if isinstance(item, Listing) else {"booking": item}
    if isinstance(item, Booking) and rail == PayoutRail.CONNECT:
        # A separate charge, transferred after the session; a manual-rail tutor's share accrues instead.
        sold["transfer_group"] = booking_transfer_group(item)

    def create() -> Order:
        order = Order.objects.create(
            buyer=buyer,
            seller_id=item.seller_id,
            amount=line.amount,
            currency=line.currency,
            platform_fee=line.fee,
            seller_amount=line.seller_share,
            list_amount=line.list_amount,
            credit_amount=line.credit,
            discount_amount=line.discount,
            discount_code=priced.code,
            licence=priced.licence,
            upgrade_from=priced.upgrade_from,
            provider=gateway().name,
            idempotency_key=idempotency_key,
            destination_account=destination,
            payout_rail=rail,
            **sold,
        )
        if priced.code is not None:
            code_reserve(code=priced.code, buyer=buyer)
        return order

    return order_create_or_supersede(
        create=create,
        pending=lambda: Order.objects.filter(
            buyer=buyer, status=OrderStatus.PENDING, **_item_filter(item)
        ).first(),
        same_terms=lambda existing: _same_terms(existing, priced),
    )


def order_create_or_supersede(
    *, create: Callable[[], Order], pending: Callable[[], Order | None], same_terms: Callable[[Order], bool]
) -> Order:
    """Create a pending order; after a collision, the item's open order when it is on the same
    terms, else supersede it and create once more.

    A concurrent request may have created the item's pending order first (one per buyer and item,
    by constraint): on the same terms it is the answer. On other terms (another licence, code or
    price) it is closed, conditionally, so of two racing changes one closes it, and creation is
    tried once more outside the failed savepoint. A request that lost that race gets the order
    that is there now; a collision with no pending order is a reused Idempotency-Key, a 409.
    """
    for replace in (True, False):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            existing = pending()
            if existing is None and not replace:
                raise Conflict(
                    "idempotency_key_reused", _("This Idempotency-Key was used already.")
                ) from None
            if existing is not None and (not replace or same_terms(existing)):
                return existing
        if existing is not None:
            order_supersede(order=existing)
    raise AssertionError("unreachable: the second try returns or raises")


def _item_filter(item: Listing | Booking) -> dict[str, Any]:
    return {"listing": item} if isinstance(item, Listing) else {"booking": item}
