"""Disputes suspend access and hold the payout; their outcome settles both."""

from __future__ import annotations

import logging

from django.db import transaction

from marketplace.core.money import prorate
from payments.gateway import (
    DisputeState,
)
from payments.models import (
    LedgerAccount,
    Order,
    OrderStatus,
    Unlock,
)
from payments.services.ledger import ledger_record, unlocks_revoke

logger = logging.getLogger(__name__)


DISPUTE_OPEN = {"warning_needs_response", "warning_under_review", "needs_response", "under_review"}


def order_apply_dispute(*, dispute: DisputeState) -> Order | None:
    """A dispute suspends the buyer's access and holds the seller's payout; its outcome settles both."""
    with transaction.atomic():
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
        elif dispute.status in ("won", "warning_closed"):
            order.disputed, order.payout_held = False, False
            owns_again = Unlock.objects.filter(
                buyer_id=order.buyer_id, listing=order.listing, revoked_at__isnull=True
            ).exists()  # bought again while access was suspended: keep the newer unlock
            if order.status == OrderStatus.PAID and order.refunded_amount < order.amount and not owns_again:
                Unlock.objects.filter(order=order, revoke_reason="disputed").update(
                    revoked_at=None, revoke_reason=""
                )
        elif dispute.status == "lost":
            order.disputed, order.payout_held = True, False
            remaining = order.amount - order.refunded_amount
            fee_back = order.platform_fee - prorate(order.refunded_amount, order.amount, order.platform_fee)
            ledger_record(
                order,
                f"dispute:{dispute.id}:seller",
                LedgerAccount.SELLER,
                "dispute_lost",
                -(remaining - fee_back),
                dispute.id,
            )
            ledger_record(
                order,
                f"dispute:{dispute.id}:platform",
                LedgerAccount.PLATFORM,
                "dispute_commission",
                -fee_back,
                dispute.id,
            )
            unlocks_revoke(order, "dispute_lost")
        order.save()
        return order
