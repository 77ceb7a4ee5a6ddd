"""The one way an order is created, for a listing (an unlock) or a tutoring booking alike.

Both checkouts share every rule here: an Idempotency-Key answers with the order it created
first, the seller must be able to take the payment, the amount is split by the one fee rule,
and one pending order per item (by constraint) is what a concurrent second request gets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict
from marketplace.tutoring.models import Booking
from payments.gateway import ProviderError, SessionState
from payments.models import Order, OrderStatus, PayoutRail
from payments.services.accounts import seller_payment_destination
from payments.services.pricing import Quote, code_release, code_reserve, quote
from payments.services.provider import call_later, gateway
from prompts.models import Listing

logger = logging.getLogger(__name__)


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
    (paid or closed meanwhile). A held booking stays held for the new order.

    Once this commits, its checkout session is expired at the provider (order_checkout_expire, a
    task retried while the provider is unreachable), so the old tab can no longer be paid; the
    provider's expired event that follows finds the order closed already and changes nothing. A
    payment that beat the expiry is still fulfilled: fulfilment counts the late payment, and the
    second of two unlocks is refunded as a duplicate, as for any concurrent double purchase.
    """
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.EXPIRED, failure_reason="Replaced by a new checkout on other terms."
        ):
            return False
        code_release(order=order)
        order_id = order.pk
        # robust: a broker that is down must not fail the buyer's new checkout; the old session
        # then lapses at the provider on its own, and a payment on it is refunded as above.
        expire = partial(order_checkout_expire, order_id=order_id)
        transaction.on_commit(lambda: call_later("expire_checkout_session", order_id, expire), robust=True)
        return True


def order_checkout_expire(*, order_id: int) -> SessionState | None:
    """Expire the provider's checkout session of an order closed here (superseded), so that it
    can no longer be paid. None when there is nothing to expire: the order is gone, was paid
    meanwhile, or never opened a session.

    Safe to repeat: a session already expired or complete is answered as it is, and one paid
    before the expiry stays fulfilment's (its event refunds the duplicate). Raises ProviderError
    only when retrying may help; a permanent refusal is logged and dropped.
    """
    order = Order.objects.filter(pk=order_id).only("public_id", "status", "checkout_session_id").first()
    if order is None:
        logger.warning("payments: order %s does not exist; its checkout session is not expired", order_id)
        return None
    if order.status != OrderStatus.EXPIRED or not order.checkout_session_id:
        return None
    try:
        session = gateway().expire_session(order.checkout_session_id)
    except ProviderError as exc:
        if exc.transient:
            raise
        logger.error(
            "payments: the provider refused to expire the checkout session of order %s (%s)",
            order.public_id,
            exc.code,
        )
        return None
    if session.payment_status != "unpaid":
        logger.info("payments: order %s was paid before its session could be expired", order.public_id)
    return session


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


SUPERSEDE_ATTEMPTS = 4  # creations tried when racing changes keep replacing the item's open order


def order_create_or_supersede(
    *, create: Callable[[], Order], pending: Callable[[], Order | None], same_terms: Callable[[Order], bool]
) -> Order:
    """Create a pending order; after a collision, the item's open order when it is on the same
    terms, else supersede it and create once more.

    A concurrent request may have created the item's pending order first (one per buyer and item,
    by constraint): on the same terms it is the answer. On other terms (another licence, code or
    price) it is closed, conditionally, so of two racing changes one closes it, and creation is
    tried again outside the failed savepoint. A collision with no pending order left is a racing
    change that closed it meanwhile (create again) or a reused Idempotency-Key (it collides every
    time: a 409 once the attempts are spent). The last attempt takes the order that is there now.
    """
    for attempt in range(1, SUPERSEDE_ATTEMPTS + 1):
        last = attempt == SUPERSEDE_ATTEMPTS
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            existing = pending()
        if existing is None:
            if last:
                raise Conflict("idempotency_key_reused", _("This Idempotency-Key was used already."))
            continue
        if last or same_terms(existing):
            return existing
        order_supersede(order=existing)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _item_filter(item: Listing | Booking) -> dict[str, Any]:
    return {"listing": item} if isinstance(item, Listing) else {"booking": item}
