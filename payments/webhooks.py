"""Apply provider events: verified, deduplicated by event id, effect and record in one transaction.

Events may arrive twice, late or out of order. Each handler re-retrieves the current state of
the object from the provider (outside the transaction) and applies that, so order does not matter.
The exception is a checkout session the signed event itself reports as paid: that is final (a
paid session never becomes unpaid; refunds live on the charge), so it is applied as it came; the
common case of it in one statement that records the event too
(services.paid_event_fast_path), every other case below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction

from marketplace.verification import documents
from payments import services
from payments.gateway import Event, Gateway, SessionState
from payments.models import Order, OrderStatus, WebhookEvent
from payments.services.identity import identity_outcome
from payments.services.paid_event_fast_path import order_apply_paid_event

logger = logging.getLogger(__name__)

HANDLED_TYPES = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "account.updated",
    "identity.verification_session.verified",
    "identity.verification_session.requires_input",
]


def _prepare(event: Event, gateway: Gateway) -> Callable[[], object] | None:
    """Fetch what the event is about, as the provider knows it now; return how to apply it."""
    if event.type.startswith("checkout.session."):
        # A signed "paid" is final and applied as it came; anything else may be stale: ask again.
        signed = gateway.session_from_event(event.object)
        session = signed if signed.payment_status == "paid" else gateway.retrieve_session(event.object_id)
        return lambda: services.order_apply_session(session=session, event_type=event.type)
    if event.type == "charge.refunded":
        charge = gateway.retrieve_charge(event.object_id)
        known = Order.objects.filter(
            payment_intent_id=charge.payment_intent_id, status__in=[OrderStatus.PAID, OrderStatus.REFUNDED]
        ).exists()
        # The refund can arrive before checkout.session.completed: then apply the session first.
        first: SessionState | None = None
        if not known and charge.payment_intent_id:
            first = gateway.session_for_payment_intent(charge.payment_intent_id)
        return lambda: services.order_apply_charge(charge=charge, session=first)
    if event.type.startswith("charge.dispute."):
        dispute = gateway.retrieve_dispute(event.object_id)
        return lambda: services.order_apply_dispute(dispute=dispute)
    if event.type.startswith("identity.verification_session."):
        # Applied as signed: verification keeps a session's first outcome and ignores repeats.
        outcome = identity_outcome(event.object)
        return lambda: documents.document_session_apply(outcome=outcome)
    if event.type == "account.updated":
        state = gateway.retrieve_account(event.object_id)
        return lambda: services.seller_account_sync(account_id=event.object_id, state=state)
    return None


def event_process(*, event: Event, source: str = "webhook") -> bool:
    """Apply an event once. False when it was applied before. Raises on failure (caller: 5xx)."""
    gateway = services.gateway()
    if event.type.startswith("checkout.session.") and connection.vendor == "postgresql":
        signed = gateway.session_from_event(event.object)
        # The common case in one statement (a PostgreSQL one: data-modifying CTEs); when it
        # writes nothing, the event is one the general path below must judge.
        if signed.payment_status == "paid" and order_apply_paid_event(
            session=signed, event_id=event.id, event_type=event.type, source=source
        ):
            logger.info("payments: applied %s %s (%s)", event.type, event.id, source)
            return True
    if WebhookEvent.objects.filter(event_id=event.id).exists():
        return False  # before asking the provider again
    apply = _prepare(event, gateway)
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                event_id=event.id, type=event.type, object_id=event.object_id[:255], source=source
            )
            if apply is not None:
                apply()
    except IntegrityError:
        if WebhookEvent.objects.filter(event_id=event.id).exists():
            return False  # a concurrent delivery of the same event won
        raise
    logger.info("payments: applied %s %s (%s)", event.type, event.id, source)
    return True
