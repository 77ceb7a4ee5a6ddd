"""Celery tasks for payments. They take ids; side effects are guarded by database state."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from payments import services
from payments.gateway import ProviderError
from payments.models import Order, OrderStatus, PayoutStatus, Refund, RefundStatus, TransferReversal
from payments.services import disputes, payouts
from payments.services.unlock_counts import unlocks_recount
from payments.webhooks import HANDLED_TYPES, event_process

logger = logging.getLogger(__name__)


@shared_task(
    name="payments.submit_refund",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ProviderError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def submit_refund(refund_id: int) -> None:
    """Retry a refund the provider did not take; the same key every time, so at most one refund."""
    services.refund_submit(refund_id=refund_id)


@shared_task(
    name="payments.submit_transfer_reversal",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ProviderError,),  # the service raises only transient ones
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def submit_transfer_reversal(reversal_id: int) -> None:
    """Take a lost dispute's seller share back; the same key every time, so at most one reversal.
    After the last retry the row stays pending and the reconciliation job tries again."""
    try:
        disputes.transfer_reversal_submit(reversal_id=reversal_id)
    except TransferReversal.DoesNotExist:
        logger.warning("payments: transfer reversal %s does not exist; dropped", reversal_id)


@shared_task(name="payments.pay_out_bookings", acks_late=True, reject_on_worker_lost=True, time_limit=600)
def pay_out_bookings() -> dict[str, int]:
    """Beat: pay tutors whose session ended (plus the payout delay). Each payout is claimed with a
    conditional UPDATE and sent with the key payout:booking:<id>, so a re-run pays nothing twice."""
    expired = payouts.payouts_expire()
    paid = failed = 0
    for order_id in payouts.payouts_due():
        payout = payouts.booking_payout(order_id=order_id)
        if payout is not None:
            paid += payout.status == PayoutStatus.PAID
            failed += payout.status == PayoutStatus.FAILED
    return {"paid": paid, "failed": failed, "expired": expired}


@shared_task(name="payments.reconcile", acks_late=True, reject_on_worker_lost=True, time_limit=600)
def reconcile() -> dict[str, int]:
    """Apply what the webhook missed: recent events, stuck pending orders, pending refunds and
    transfer reversals."""
    days = min(settings.PAYMENTS_RECONCILE_DAYS, 30)  # Stripe keeps events for 30 days
    since = int(time.time()) - days * 86400
    gateway = services.gateway()
    applied = sum(
        event_process(event=event, source="reconcile")
        for event in gateway.recent_events(since, HANDLED_TYPES)
    )
    stale = timezone.now() - timedelta(minutes=10)
    sessions = 0
    pending = Order.objects.filter(
        status=OrderStatus.PENDING, created_at__lt=stale, checkout_session_id__isnull=False
    )
    for order in pending.iterator():
        try:
            services.order_apply_session(session=gateway.retrieve_session(order.checkout_session_id or ""))
            sessions += 1
        except ProviderError as exc:
            logger.warning("reconcile: session of order %s: %s", order.public_id, exc.code)
    refunds = 0
    for refund_id in Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=stale).values_list(
        "pk", flat=True
    ):
        try:
            services.refund_submit(refund_id=refund_id)
            refunds += 1
        except ProviderError as exc:
            logger.warning("reconcile: refund %s: %s", refund_id, exc.code)
    reversals = disputes.transfer_reversals_retry(stale=stale)
    return {"events": applied, "sessions": sessions, "refunds": refunds, "reversals": reversals}


@shared_task(name="payments.count_unlocks")
def count_unlocks() -> int:
    """Recount the unlocks of listings sold since yesterday (services.unlock_counts; every minute)."""
    return unlocks_recount()
