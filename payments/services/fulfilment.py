"""The one fulfilment function: bring an order in line with its checkout session."""

from __future__ import annotations

import logging
from functools import cache

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.tutoring import services as tutoring_services
from payments.gateway import ChargeState, SessionState
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderStatus,
    Unlock,
    WebhookEvent,
)
from payments.services.ledger import ledger_record_many
from payments.services.refunds import order_refund, refund_apply
from prompts.discovery import activity_record
from prompts.discovery.trending import day_of
from prompts.models import Listing, ListingActivity

logger = logging.getLogger(__name__)


def order_apply_session(*, session: SessionState, event_type: str = "") -> Order | None:
    """Bring an order in line with its checkout session as the provider reports it now.

    Called from webhooks, the reconciliation job and the return page, always with state
    re-retrieved from the provider, never with what a browser sent. Safe to call any number of
    times, concurrently too: the order row is locked and every effect is guarded.
    """
    with transaction.atomic(savepoint=False):
        # Lock only the order row; its listing and buyer come in the same query, unlocked.
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("listing", "buyer")
            .filter(public_id=session.order_id)
            .first()
        )
        if order is None or (order.checkout_session_id and order.checkout_session_id != session.id):
            logger.warning("payments: session %s does not match order %s", session.id, session.order_id)
            return None
        if session.payment_status in ("paid", "no_payment_required"):
            _order_paid(order, session)
        elif event_type == "checkout.session.async_payment_failed":
            _order_closed(order, OrderStatus.FAILED, "The payment did not go through.")
        elif session.status == "expired":
            _order_closed(order, OrderStatus.EXPIRED, "The checkout expired before payment.")
        return order


# The webhook's hot path: a signed "paid" checkout session for a listing, recorded and applied in
# one statement. Each step reads the previous one's RETURNING rows, which fixes the order in which
# rows are locked (event, order, unlock, listing, activity: the order order_apply_session locks
# them in too) and makes every step conditional: a duplicate event pays nothing, an order paid
# before grants nothing, an unlock held already counts nothing. Unique keys (event id, ledger key,
# one active unlock) are the guards, as in the general path. The ledger rows and the
# listing_activity upsert are what _order_paid + ledger_record_many and
# prompts.discovery.activity_record write; tests/payments compare the two paths row for row.
_PAID_EVENT_SQL = """
WITH event AS (
    INSERT INTO {event} (event_id, type, object_id, source, received_at)
    VALUES (%(event_id)s, %(event_type)s, %(object_id)s, %(source)s, %(now)s)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id
), paid AS (
    UPDATE {order}
    SET status = %(paid)s,
        payment_intent_id = COALESCE(%(payment_intent_id)s, payment_intent_id),
        charge_id = COALESCE(%(charge_id)s, charge_id),
        paid_at = %(now)s, failure_reason = '', updated_at = %(now)s
    WHERE public_id = %(order_id)s
      AND listing_id IS NOT NULL
      AND status NOT IN (%(paid)s, %(refunded)s)
      AND (checkout_session_id IS NULL OR checkout_session_id = %(session_id)s)
      AND EXISTS (SELECT 1 FROM event)
    RETURNING id, buyer_id, listing_id, currency, seller_amount, platform_fee
), ledger AS (
    INSERT INTO {ledger} (key, order_id, account, kind, amount, currency, external_id, created_at)
    SELECT movement.kind || ':' || paid.id, paid.id, movement.account, movement.kind,
           movement.amount, paid.currency, %(session_id)s, %(now)s
    FROM paid, LATERAL (VALUES (%(sale)s, %(seller)s, paid.seller_amount),
                               (%(commission)s, %(platform)s, paid.platform_fee))
                       AS movement (kind, account, amount)
    WHERE movement.amount <> 0
    ON CONFLICT (key) DO NOTHING
), unlock AS (
    INSERT INTO {unlock} (buyer_id, listing_id, order_id, granted_at, revoke_reason)
    SELECT buyer_id, listing_id, id, %(now)s, '' FROM paid
    ON CONFLICT DO NOTHING
    RETURNING listing_id
), counted AS (
    UPDATE {listing} SET unlock_count = unlock_count + 1
    WHERE id IN (SELECT listing_id FROM unlock)
    RETURNING id
), activity AS (
    INSERT INTO {activity} (listing_id, day, views, unlocks, favourites)
    SELECT id, %(day)s, 0, 1, 0 FROM counted
    ON CONFLICT (listing_id, day) DO UPDATE SET unlocks = {activity}.unlocks + 1
)
SELECT EXISTS (SELECT 1 FROM event), (SELECT id FROM paid), EXISTS (SELECT 1 FROM unlock)
"""


@cache
def _paid_event_sql() -> str:
    tables = {
        "event": WebhookEvent,
        "order": Order,
        "ledger": LedgerEntry,
        "unlock": Unlock,
        "listing": Listing,
        "activity": ListingActivity,
    }
    return _PAID_EVENT_SQL.format(
        **{name: connection.ops.quote_name(model._meta.db_table) for name, model in tables.items()}
    )


def order_apply_paid_event(
    *, session: SessionState, event_id: str, event_type: str, source: str = "webhook"
) -> bool:
    """Record a provider event whose signed session says "paid" and apply it: False if seen before.

    One statement in the common case (a pending order for a listing). Anything else it leaves to
    order_apply_session in the same transaction: a booking, an order paid or refunded already, a
    session that is not the order's, an unknown order; a buyer who owns the listing already keeps
    one unlock and this payment is refunded after commit, as in _order_paid.
    """
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _paid_event_sql(),
            {
                "event_id": event_id,
                "event_type": event_type,
                "source": source,
                "now": now,
                "day": day_of(now),
                "order_id": session.order_id,
                "session_id": session.id,
                "object_id": session.id[:255],
                "payment_intent_id": session.payment_intent_id,
                "charge_id": session.charge_id,
                "paid": OrderStatus.PAID.value,
                "refunded": OrderStatus.REFUNDED.value,
                "sale": "sale",
                "commission": "commission",
                "seller": LedgerAccount.SELLER.value,
                "platform": LedgerAccount.PLATFORM.value,
            },
        )
        recorded, paid_order_id, unlocked = cursor.fetchone()
        if not recorded:
            return False
        if paid_order_id is None:
            order_apply_session(session=session, event_type=event_type)
        elif not unlocked:
            _order_duplicate(paid_order_id)
    return True


def _order_closed(order: Order, status: str, reason: str) -> None:
    if order.status == OrderStatus.PENDING:
        order.status, order.failure_reason = status, reason
        order.save(update_fields=["status", "failure_reason", "updated_at"])
        if order.booking_id is not None:  # the checkout is over unpaid: free the held slot
            tutoring_services.booking_release(booking_id=order.booking_id)


def _order_paid(order: Order, session: SessionState) -> None:
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return
    order.status = OrderStatus.PAID
    order.payment_intent_id = session.payment_intent_id or order.payment_intent_id
    order.charge_id = session.charge_id or order.charge_id
    order.paid_at = timezone.now()
    order.failure_reason = ""
    order.save(
        update_fields=["status", "payment_intent_id", "charge_id", "paid_at", "failure_reason", "updated_at"]
    )
    ledger_record_many(
        order,
        [
            (f"sale:{order.pk}", LedgerAccount.SELLER, "sale", order.seller_amount),
            (f"commission:{order.pk}", LedgerAccount.PLATFORM, "commission", order.platform_fee),
        ],
        session.id,
    )
    if order.listing is None:  # a tutoring booking
        _booking_paid(order)
        return
    if not unlock_grant(buyer=order.buyer, listing=order.listing, order=order):
        order.duplicate = True
        _order_duplicate(order.pk)


def _order_duplicate(order_id: int) -> None:
    # Paid twice (two tabs, a late async payment): keep one unlock, give this money back.
    Order.objects.filter(pk=order_id).update(duplicate=True, updated_at=timezone.now())
    transaction.on_commit(lambda: _refund_duplicate(order_id))


def _refund_duplicate(order_id: int) -> None:
    order = Order.objects.get(pk=order_id)
    order_refund(
        order=order, amount=None, by=None, reason="Duplicate payment: you owned this listing already."
    )


def _booking_paid(order: Order) -> None:
    if tutoring_services.booking_confirm(booking_id=order.booking_id or 0):
        return
    # RELIABILITY 19: the hold lapsed and someone else took the slot (or the buyer cancelled)
    # before the money came. Nothing to deliver: give it back, after commit (a provider call).
    order.failure_reason = "Paid after the slot was no longer available; refunded automatically."
    order.save(update_fields=["failure_reason", "updated_at"])
    order_id = order.pk
    transaction.on_commit(lambda: _refund_unfulfillable_booking(order_id))


def _refund_unfulfillable_booking(order_id: int) -> None:
    order = Order.objects.get(pk=order_id)
    if order.refundable_amount:
        order_refund(order=order, amount=None, by=None, reason="The booked slot was no longer available.")


def unlock_grant(*, buyer: User, listing: Listing, order: Order | None) -> bool:
    """Give the buyer the listing; False when an active unlock exists.

    The partial unique constraint (one active unlock per buyer and listing) decides, in one
    statement: INSERT ... ON CONFLICT DO NOTHING RETURNING id, so racing grants need no savepoint.
    """
    table = connection.ops.quote_name(Unlock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (buyer_id, listing_id, order_id, granted_at, revoke_reason) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '') ON CONFLICT DO NOTHING RETURNING id",
            [buyer.pk, listing.pk, order.pk if order else None, timezone.now()],
        )
        if cursor.fetchone() is None:
            return False
    Listing.objects.filter(pk=listing.pk).update(unlock_count=F("unlock_count") + 1)
    activity_record(listing_id=listing.pk, kind="unlock")
    return True


def order_apply_charge(*, charge: ChargeState, session: SessionState | None) -> Order | None:
    """Apply refunds reported on a charge. The session first, if the order never heard it was paid."""
    if session is not None:
        order_apply_session(session=session)
    with transaction.atomic():
        order = (
            Order.objects.select_for_update().filter(charge_id=charge.id).first()
            or Order.objects.select_for_update().filter(payment_intent_id=charge.payment_intent_id).first()
        )
        if order is None or order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
            logger.warning("payments: charge %s has no paid order", charge.id)
            return None
        for refund in charge.refunds:
            if refund.status == "succeeded":
                refund_apply(order, refund)
        return order
