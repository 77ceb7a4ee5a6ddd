"""Celery tasks for payments. They take ids; side effects are guarded by database state."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import beat_init

from payments import services
from payments.gateway import ProviderError
from payments.models import PayoutStatus, TransferReversal
from payments.services import disputes, orders, payouts, statements
from payments.services.reconcile import reconcile_run
from payments.services.unlock_counts import unlocks_recount

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


# A call to the payment provider that may fail for a while: retried with backoff, at most once in
# flight per message (acks_late), never lost with a worker.
PROVIDER_RETRIES: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (ProviderError,),  # the services raise only transient ones
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


@shared_task(
    name="payments.submit_transfer_reversal",
    **PROVIDER_RETRIES,
)
def submit_transfer_reversal(reversal_id: int) -> None:
    """Take a lost dispute's seller share back; the same key every time, so at most one reversal.
    After the last retry the row stays pending and the reconciliation job tries again."""
    try:
        disputes.transfer_reversal_submit(reversal_id=reversal_id)
    except TransferReversal.DoesNotExist:
        logger.warning("payments: transfer reversal %s does not exist; dropped", reversal_id)


@shared_task(
    name="payments.expire_checkout_session",
    **PROVIDER_RETRIES,
)
def expire_checkout_session(order_id: int) -> None:
    """Expire a superseded order's checkout session at the provider, so its old tab cannot be paid.
    Expiring twice changes nothing. After the last retry the session lapses at the provider on its
    own, and a payment made on it meanwhile is refunded as a duplicate."""
    orders.order_checkout_expire(order_id=order_id)


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


# Seconds before each retry when the provider could not be reached; then the next beat run.
RECONCILE_RETRY_DELAYS = (30, 60, 120, 240, 480)
RECONCILE_AFTER_BEAT_START = 30  # seconds: a beat that was down has missed its runs


@shared_task(
    bind=True,
    name="payments.reconcile",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
    max_retries=len(RECONCILE_RETRY_DELAYS),
)
def reconcile(self: Task) -> dict[str, int]:
    """Apply what the webhook missed (services.reconcile); soon again while Stripe is unreachable."""
    summary = reconcile_run()
    retries = self.request.retries or 0
    if summary.unreachable and not self.request.called_directly:
        if retries < len(RECONCILE_RETRY_DELAYS):
            delay = RECONCILE_RETRY_DELAYS[retries]
            logger.warning("payments.reconcile: the provider was unreachable; retrying in %s s", delay)
            # A retry inherits the run's absolute expiry (beat's: one interval), which the later
            # delays outlast; the retry carries none, and repeating a run is harmless.
            raise self.retry(countdown=delay, expires=None)
        logger.error(
            "payments.reconcile: the provider was unreachable %s times in a row; the next scheduled run "
            "tries again",
            retries + 1,
        )
    logger.info("payments.reconcile: %s", summary.as_dict())
    return summary.as_dict()


@beat_init.connect
def reconcile_soon_after_beat_starts(sender: object = None, **kwargs: object) -> None:
    """Beat's first scheduled run comes a whole interval after it starts: run once soon instead."""
    reconcile.apply_async(countdown=RECONCILE_AFTER_BEAT_START, expires=RECONCILE_AFTER_BEAT_START + 600)


@shared_task(name="payments.count_unlocks")
def count_unlocks() -> int:
    """Recount the unlocks of listings sold since yesterday (services.unlock_counts; every minute)."""
    return unlocks_recount()


@shared_task(
    name="payments.close_payout_statements", acks_late=True, reject_on_worker_lost=True, time_limit=600
)
def close_payout_statements() -> int:
    """Beat: close manual-rail sellers' statements for the last schedule period (services.statements).
    Each seller's closing locks their payout profile, and a period closes once by constraint."""
    return statements.statements_close()
