"""Recording money movements once, and taking access back.

The ledger's entry kinds and the keys of a payment's movements live here alone: the general
fulfilment path and the webhook's one-statement fast path (services.paid_event_fast_path,
whose SQL is built from these constants) record the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from marketplace.core.money import prorate
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderLine,
    Refund,
    Unlock,
)


class LedgerKind:
    """LedgerEntry.kind: what a money movement was."""

    SALE = "sale"  # the seller's share of a payment
    COMMISSION = "commission"  # the platform's fee on a payment
    REFUND = "refund"
    COMMISSION_REFUND = "commission_refund"
    DISPUTE_LOST = "dispute_lost"
    DISPUTE_COMMISSION = "dispute_commission"
    PAYOUT = "payout"
    TRANSFER_REVERSAL = "transfer_reversal"


# A payment splits into these movements: (kind, ledger account, the Order field with the amount).
PAYMENT_MOVEMENTS = (
    (LedgerKind.SALE, LedgerAccount.SELLER, "seller_amount"),
    (LedgerKind.COMMISSION, LedgerAccount.PLATFORM, "platform_fee"),
)
# A payment movement's key is "<kind><separator><order id>": recorded once per order.
PAYMENT_KEY_SEPARATOR = ":"


def payment_key(kind: str, order_id: int) -> str:
    return f"{kind}{PAYMENT_KEY_SEPARATOR}{order_id}"


def line_payment_key(kind: str, order_id: int, line_id: int) -> str:
    return f"{payment_key(kind, order_id)}{PAYMENT_KEY_SEPARATOR}{line_id}"


def ledger_record_payment(order: Order, external_id: str) -> None:
    """The seller's share and the platform's fee of a paid order, per line for a bundle (they add
    up to the order's); a repeat records nothing."""
    if order.bundle_id is not None:
        ledger_record_many(
            order,
            [
                (line_payment_key(kind, order.pk, line.pk), account, kind, getattr(line, field))
                for line in order.lines.order_by("position")
                for kind, account, field in PAYMENT_MOVEMENTS
            ],
            external_id,
        )
        return
    movements = [
        (payment_key(kind, order.pk), account, kind, getattr(order, field))
        for kind, account, field in PAYMENT_MOVEMENTS
    ]
    ledger_record_many(order, movements, external_id)


def ledger_record(
    order: Order, key: str, account: str, kind: str, amount: int, external_id: str = ""
) -> None:
    """Record one money movement once: the unique key makes a repeat a no-op (ON CONFLICT DO NOTHING)."""
    ledger_record_many(order, [(key, account, kind, amount)], external_id)


def ledger_record_many(
    order: Order, movements: Sequence[tuple[str, str, str, int]], external_id: str = ""
) -> None:
    """Several (key, account, kind, amount) movements in one statement; repeats are skipped."""
    entries = [
        LedgerEntry(
            key=key,
            order=order,
            account=account,
            kind=kind,
            amount=amount,
            currency=order.currency,
            external_id=external_id,
        )
        for key, account, kind, amount in movements
        if amount != 0
    ]
    if entries:
        LedgerEntry.objects.bulk_create(entries, ignore_conflicts=True)


def ledger_record_bundle_refund(order: Order, refund: Refund, amount: int, external_id: str) -> None:
    """A bundle order's refund as negative movements per line: to its line when the refund is
    for one, otherwise spread over the lines in the bundle's order, each taking what is left of
    it before the next (a whole refund thus takes each line's remainder exactly). Each line's
    fee comes back in proportion to the line refunded, the last part taking the remainder."""
    lines = list(OrderLine.objects.select_for_update().filter(order=order).order_by("position"))
    if refund.line_id is not None:
        lines = [line for line in lines if line.pk == refund.line_id]
    left = amount
    movements = []
    for line in lines:
        take = min(left, line.amount - line.refunded_amount)
        if take <= 0:
            continue
        left -= take
        before, after = line.refunded_amount, line.refunded_amount + take
        fee_after = (
            line.platform_fee if after == line.amount else prorate(after, line.amount, line.platform_fee)
        )
        fee_back = fee_after - prorate(before, line.amount, line.platform_fee)
        key = f"refund:{external_id}:{line.pk}"
        movements += [
            (f"{key}:seller", LedgerAccount.SELLER, LedgerKind.REFUND, -(take - fee_back)),
            (f"{key}:platform", LedgerAccount.PLATFORM, LedgerKind.COMMISSION_REFUND, -fee_back),
        ]
        OrderLine.objects.filter(pk=line.pk).update(refunded_amount=after)
    ledger_record_many(order, movements, external_id)


def unlocks_revoke(order: Order, reason: str) -> None:
    """Take back what the order granted: its unlock, or for a licence upgrade the higher licence
    (the buyer keeps the licence they held before, which another order paid for)."""
    if order.upgrade_from:
        # A duplicate upgrade (paid after the buyer held that licence already) raised nothing:
        # its refund must not lower the licence another order paid for.
        if not order.duplicate:
            held = Unlock.objects.active().filter(buyer=order.buyer_id, listing=order.listing_id)
            held.filter(licence=order.licence).update(licence=order.upgrade_from)
        return
    Unlock.objects.active().filter(order=order).update(revoked_at=timezone.now(), revoke_reason=reason)
