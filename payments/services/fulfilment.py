"""The one fulfilment function: bring an order in line with its checkout session."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.tutoring import services as tutoring_services
from payments import notices
from payments.gateway import ChargeState, SessionState
from payments.models import (
    Licence,
    Order,
    OrderLine,
    OrderStatus,
    Unlock,
)
from payments.services.ledger import ledger_record_payment
from payments.services.pricing import code_count_late_payment, code_release
from payments.services.refunds import order_refund, refund_apply
from prompts.models import Listing

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


def _order_closed(order: Order, status: str, reason: str) -> None:
    if order.status == OrderStatus.PENDING:
        order.status, order.failure_reason = status, reason
        order.save(update_fields=["status", "failure_reason", "updated_at"])
        code_release(order=order)  # the use it held goes back to the code
        if order.booking_id is not None:  # the checkout is over unpaid: free the held slot
            tutoring_services.booking_release(booking_id=order.booking_id)


def _order_paid(order: Order, session: SessionState) -> None:
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return
    if order.status != OrderStatus.PENDING:  # failed or expired first: its code use went back
        code_count_late_payment(order=order)
    order.status = OrderStatus.PAID
    order.payment_intent_id = session.payment_intent_id or order.payment_intent_id
    order.charge_id = session.charge_id or order.charge_id
    order.paid_at = timezone.now()
    order.failure_reason = ""
    order.save(
        update_fields=["status", "payment_intent_id", "charge_id", "paid_at", "failure_reason", "updated_at"]
    )
    ledger_record_payment(order, session.id)
    if order.bundle_id is not None:
        _bundle_paid(order)
        return
    if order.listing is None:  # a tutoring booking
        _booking_paid(order)
        return
    if order.upgrade_from:
        granted = unlock_upgrade(
            buyer=order.buyer, listing=order.listing, old=order.upgrade_from, new=order.licence
        )
    else:
        granted = unlock_grant(buyer=order.buyer, listing=order.listing, order=order, licence=order.licence)
    if not granted:
        order.duplicate = True
        _order_duplicate(order.pk)
        return  # no receipt for the copy: its refund email follows
    notices.notify_order_paid(order)


def _bundle_paid(order: Order) -> None:
    """One unlock per line. A listing the buyer came to own meanwhile (bought alone while the
    bundle's checkout was open) is not unlocked twice: that line's amount goes back."""
    lines = list(order.lines.select_related("listing").order_by("position"))
    owned = [
        line.pk
        for line in lines
        if not unlock_grant(buyer=order.buyer, listing=line.listing, order=order, licence=line.licence)
    ]
    if len(owned) == len(lines):
        _order_duplicate(order.pk)
        return
    for line_id in owned:
        transaction.on_commit(lambda line_id=line_id: _refund_owned_line(line_id))  # type: ignore[misc]
    notices.notify_order_paid(order)


def _refund_owned_line(line_id: int) -> None:
    line = OrderLine.objects.select_related("order").get(pk=line_id)
    if line.amount > line.refunded_amount and line.order.refundable_amount:
        order_refund(
            order=line.order,
            amount=line.amount - line.refunded_amount,
            by=None,
            reason="Duplicate payment: you owned this listing already.",
            line=line,
        )


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
    # The hold lapsed and someone else took the slot (or the buyer cancelled)
    # before the money came. Nothing to deliver: give it back, after commit (a provider call).
    order.failure_reason = "Paid after the slot was no longer available; refunded automatically."
    order.save(update_fields=["failure_reason", "updated_at"])
    order_id = order.pk
    transaction.on_commit(lambda: _refund_unfulfillable_booking(order_id))


def _refund_unfulfillable_booking(order_id: int) -> None:
    order = Order.objects.get(pk=order_id)
    if order.refundable_amount:
        order_refund(order=order, amount=None, by=None, reason="The booked slot was no longer available.")


def unlock_upgrade(*, buyer: User, listing: Listing, old: str, new: str) -> bool:
    """Raise the buyer's active unlock from licence ``old`` to ``new``; False when they no longer
    hold ``old`` (refunded meanwhile, or upgraded twice): the upgrade is then refunded like a
    duplicate. The unlock stays the one active row, with its first order."""
    return bool(Unlock.objects.active().filter(buyer=buyer, listing=listing, licence=old).update(licence=new))


def unlock_grant(
    *, buyer: User, listing: Listing, order: Order | None, licence: str = Licence.PERSONAL
) -> bool:
    """Give the buyer the listing under ``licence``; False when an active unlock exists.

    The partial unique constraint (one active unlock per buyer and listing) decides, in one
    statement: INSERT ... ON CONFLICT DO NOTHING RETURNING id, so racing grants need no savepoint.
    """
    table = connection.ops.quote_name(Unlock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (buyer_id, listing_id, order_id, granted_at, revoke_reason, licence) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '', %s) ON CONFLICT DO NOTHING RETURNING id",
            [buyer.pk, listing.pk, order.pk if order else None, timezone.now(), licence or Licence.PERSONAL],
        )
        if cursor.fetchone() is None:
            return False
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
