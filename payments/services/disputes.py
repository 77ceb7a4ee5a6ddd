"""Disputes suspend access and hold the payout; their outcome settles both.

A lost dispute takes the money back from us; the seller's share of it is then taken back from the
seller's connected account with a transfer reversal, sent by a task after the commit that
recorded the loss, with the idempotency key dispute-reversal:<order>, so it happens once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from marketplace.core.money import prorate
from payments import notices
from payments.gateway import (
    DisputeState,
    ProviderError,
    TransferReversalState,
)
from payments.models import (
    LedgerAccount,
    Order,
    OrderStatus,
    Payout,
    PayoutStatus,
    ReversalStatus,
    TransferReversal,
    Unlock,
)
from payments.services.ledger import LedgerKind, ledger_record, unlocks_revoke
from payments.services.provider import call_later, gateway

logger = logging.getLogger(__name__)


DISPUTE_OPEN = {"warning_needs_response", "warning_under_review", "needs_response", "under_review"}
# Stripe remembers an idempotency key for at least 24 hours; past that a retry could reverse twice.
REVERSAL_KEY_WINDOW = timedelta(hours=23)


def order_apply_dispute(*, dispute: DisputeState) -> Order | None:
    """A dispute suspends the buyer's access and holds the seller's payout; its outcome settles both."""
    with transaction.atomic():
        reversal: TransferReversal | None = None
        order = (
            Order.objects.select_for_update().filter(charge_id=dispute.charge_id).first()
            or Order.objects.select_for_update().filter(payment_intent_id=dispute.payment_intent_id).first()
        )
        if order is None:
            logger.warning("payments: dispute %s has no order", dispute.id)
            return None
        if dispute.status in DISPUTE_OPEN:
            order.disputed, order.payout_held = True, True
            unlocks_revoke(order, "disputed")
            notices.notify_dispute(order, dispute_id=dispute.id, status=dispute.status, opened=True)
        elif dispute.status in ("won", "warning_closed"):
            order.disputed, order.payout_held = False, False
            kept = order.status == OrderStatus.PAID and order.refunded_amount < order.amount
            # Bought again while access was suspended: keep the newer unlock (for each of a
            # bundle's listings too).
            owned_again = Unlock.objects.active().filter(buyer_id=order.buyer_id).values("listing_id")
            if kept:
                Unlock.objects.filter(order=order, revoke_reason="disputed").exclude(
                    listing_id__in=owned_again
                ).update(revoked_at=None, revoke_reason="")
        elif dispute.status == "lost":
            order.disputed, order.payout_held = True, False
            order.charge_id = order.charge_id or dispute.charge_id or None  # the reversal needs it
            remaining = order.amount - order.refunded_amount
            fee_back = order.platform_fee - prorate(order.refunded_amount, order.amount, order.platform_fee)
            ledger_record(
                order,
                f"dispute:{dispute.id}:seller",
                LedgerAccount.SELLER,
                LedgerKind.DISPUTE_LOST,
                -(remaining - fee_back),
                dispute.id,
            )
            reversal = _reversal_for(order, dispute, seller_share=remaining - fee_back)
            ledger_record(
                order,
                f"dispute:{dispute.id}:platform",
                LedgerAccount.PLATFORM,
                LedgerKind.DISPUTE_COMMISSION,
                -fee_back,
                dispute.id,
            )
            unlocks_revoke(order, "dispute_lost")
        order.save()
        if dispute.status in ("won", "warning_closed", "lost"):
            notices.notify_dispute(order, dispute_id=dispute.id, status=dispute.status, opened=False)
        if reversal is not None and reversal.status == ReversalStatus.PENDING:
            reversal_id = reversal.pk
            # A network call: after commit. A failure is on the row (attempts, last_error) and in the
            # log; the reconciliation job retries what is still pending.
            submit = partial(transfer_reversal_submit, reversal_id=reversal_id)
            transaction.on_commit(lambda: call_later("submit_transfer_reversal", reversal_id, submit))
        return order


def _reversal_for(order: Order, dispute: DisputeState, *, seller_share: int) -> TransferReversal | None:
    """The reversal a lost dispute needs, once per order: the seller's share of what the dispute
    took (their dispute_lost ledger entry), or nothing when nothing was transferred to them."""
    amount = seller_share
    if order.payout_rail == "manual":  # nothing was transferred: the loss stays in the ledger
        return None
    if order.transfer_group:  # a separate charge (tutoring): only a payout sent or being sent
        payout = Payout.objects.filter(
            order=order, status__in=[PayoutStatus.SENDING, PayoutStatus.PAID]
        ).first()
        amount = min(amount, payout.amount) if payout is not None else 0
    if amount <= 0:
        return None
    reversal, _ = TransferReversal.objects.get_or_create(
        key=f"dispute-reversal:{order.public_id}",
        defaults={"order": order, "amount": amount, "currency": order.currency, "dispute_id": dispute.id},
    )
    return reversal


def transfer_reversal_submit(*, reversal_id: int) -> TransferReversal:
    """Send a pending reversal to the provider. Retried with the same key, it reverses once.

    Raises ProviderError only when retrying may help (the caller retries); a permanent refusal
    marks the reversal failed with the reason, for an operator.
    """
    reversal = TransferReversal.objects.select_related("order").get(pk=reversal_id)
    if reversal.status != ReversalStatus.PENDING:
        return reversal
    try:
        transfer_id = reversal.transfer_id or _transfer_of(reversal.order)
        if not transfer_id:
            raise ProviderError("No transfer to the seller to reverse.", transient=False, code="no_transfer")
        result = gateway().create_transfer_reversal(
            transfer_id=transfer_id, amount=reversal.amount, idempotency_key=reversal.key
        )
    except ProviderError as exc:
        TransferReversal.objects.filter(pk=reversal.pk, status=ReversalStatus.PENDING).update(
            attempts=F("attempts") + 1,
            last_error=str(exc)[:300],
            status=ReversalStatus.PENDING if exc.transient else ReversalStatus.FAILED,
        )
        logger.warning(
            "payments: reversal %s of order %s: %s", reversal.pk, reversal.order.public_id, exc.code
        )
        if exc.transient:
            raise
    else:
        _reversal_succeeded(reversal, result)
    reversal.refresh_from_db()
    return reversal


def _transfer_of(order: Order) -> str | None:
    """The transfer that paid the seller: a destination charge's own, or a booking's payout."""
    if order.transfer_group:
        payout = Payout.objects.filter(order=order).first()
        if payout is not None and payout.status == PayoutStatus.SENDING:
            raise ProviderError("The payout is still being sent.", transient=True, code="payout_in_flight")
        return payout.transfer_id if payout is not None else None
    if not order.charge_id:
        return None
    return gateway().retrieve_charge(order.charge_id).transfer_id


@transaction.atomic
def _reversal_succeeded(reversal: TransferReversal, result: TransferReversalState) -> None:
    # Conditional: a concurrent run with the same key got the same reversal back and may be first.
    TransferReversal.objects.filter(pk=reversal.pk, status=ReversalStatus.PENDING).update(
        status=ReversalStatus.SUCCEEDED,
        provider_reversal_id=result.id,
        transfer_id=result.transfer_id,
        attempts=F("attempts") + 1,
        last_error="",
        reversed_at=timezone.now(),
    )
    # Money back from the seller's connected account: the paid-out account, which records what
    # transfers moved to (and from) it; their earnings already show the loss (dispute_lost).
    ledger_record(
        reversal.order,
        reversal.key,
        LedgerAccount.PAID_OUT,
        LedgerKind.TRANSFER_REVERSAL,
        -result.amount,
        result.id,
    )


def transfer_reversals_expire(*, now: datetime | None = None) -> int:
    """Reconciliation: mark failed the reversals pending past the provider's memory of their key,
    for an operator to check the transfer in the dashboard before reversing by hand (a retry
    could reverse twice). Returns how many."""
    now = now or timezone.now()
    expired = TransferReversal.objects.filter(
        status=ReversalStatus.PENDING, created_at__lte=now - REVERSAL_KEY_WINDOW
    ).update(
        status=ReversalStatus.FAILED,
        last_error="Not confirmed within the provider's idempotency window; check the transfer "
        "in the dashboard before reversing by hand.",
    )
    if expired:
        logger.error("payments: %s transfer reversals expired unconfirmed", expired)
    return expired
