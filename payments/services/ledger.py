"""Recording money movements once, and taking access back."""

from __future__ import annotations

from django.utils import timezone

from payments.models import (
    LedgerEntry,
    Order,
    Unlock,
)


def ledger_record(
    order: Order, key: str, account: str, kind: str, amount: int, external_id: str = ""
) -> None:
    """Record one money movement once: the unique key makes a repeat a no-op (ON CONFLICT DO NOTHING)."""
    ledger_record_many(order, [(key, account, kind, amount)], external_id)


def ledger_record_many(
    order: Order, movements: list[tuple[str, str, str, int]], external_id: str = ""
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


def unlocks_revoke(order: Order, reason: str) -> None:
    Unlock.objects.active().filter(order=order).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )
