"""Recording money movements once, and taking access back."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from payments.models import (
    LedgerEntry,
    Order,
    Unlock,
)


def ledger_record(
    order: Order, key: str, account: str, kind: str, amount: int, external_id: str = ""
) -> bool:
    """Record one money movement once; False when it was recorded before."""
    if amount == 0 or LedgerEntry.objects.filter(key=key).exists():
        return False
    with transaction.atomic():
        LedgerEntry.objects.create(
            key=key,
            order=order,
            account=account,
            kind=kind,
            amount=amount,
            currency=order.currency,
            external_id=external_id,
        )
    return True


def unlocks_revoke(order: Order, reason: str) -> None:
    Unlock.objects.filter(order=order, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )
