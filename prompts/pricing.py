"""Listings' reference prices (US cents at current exchange rates), the key the catalog sorts by.

A listing's own services set it when its price changes; when rates change, every listing in the
changed currencies is re-priced here, a batch per transaction, so no long lock is held.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from marketplace.rates.selectors import rate_table, reference_amount
from prompts.models import Listing

BATCH_SIZE = 1000


def reference_prices_recompute(*, currencies: list[str] | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Bring every listing's price_reference in line with the current rates; returns rows changed.

    Only rows whose value differs are written, so a re-run (or a run after an unchanged feed) writes
    nothing."""
    rates = rate_table(fresh=True)
    rows = Listing.objects.order_by("pk")
    if currencies is not None:
        rows = rows.filter(price_currency__in=currencies)
    changed, after = 0, 0
    while True:
        batch = list(rows.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size])
        if not batch:
            return changed
        changed += _recompute_batch(batch, rates)
        after = batch[-1]


def _recompute_batch(pks: list[int], rates: dict[str, Decimal]) -> int:
    # The price is read under the row lock: a seller changing it meanwhile waits, or has committed.
    with transaction.atomic():
        rows = (
            Listing.objects.select_for_update()
            .filter(pk__in=pks)
            .values_list("pk", "price_amount", "price_currency", "price_reference")
        )
        stale = [
            Listing(pk=pk, price_reference=new)
            for pk, amount, currency, old in rows
            if (new := reference_amount(amount, currency, rates=rates)) != old
        ]
        Listing.objects.bulk_update(stale, ["price_reference"])
    return len(stale)
