"""Unlock counts, kept off the payment path: each listing's counter and its per-day buckets.

Counting an unlock where it is granted would update the listing's row (whose unlock_count is
indexed for the popular sort) and a shared activity bucket inside every payment: index writes and
row locks that listings selling fast contend on. Instead the payments.count_unlocks task recounts,
every minute, the listings that sold since yesterday began (UTC) from their Unlock rows and sets
the totals through prompts.discovery.unlocks_set. Recounting, not adding, makes a repeated or
overlapping run harmless and picks up a payment that committed late; two days of buckets cover an
unlock granted before midnight and committed after it. Every grant counts, as sales: a refunded
buyer's unlock too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from payments.models import Unlock
from prompts.discovery import unlocks_set
from prompts.discovery.trending import day_of

CHUNK = 500  # listing ids per IN list


def unlocks_recount(*, now: datetime | None = None) -> int:
    """Recount the unlocks of listings sold since yesterday; returns how many listings that is."""
    now = now or timezone.now()
    since = datetime.combine(day_of(now) - timedelta(days=1), time.min, tzinfo=UTC)
    per_day = (
        Unlock.objects.filter(granted_at__gte=since)
        .annotate(day=TruncDate("granted_at", tzinfo=UTC))
        .order_by()
        .values_list("listing_id", "day")
        .annotate(n=Count("*"))
    )
    buckets: dict[tuple[int, date], int] = {(listing_id, day): n for listing_id, day, n in per_day}
    listing_ids = sorted({listing_id for listing_id, _ in buckets})
    totals: dict[int, int] = {}
    for start in range(0, len(listing_ids), CHUNK):
        chunk = listing_ids[start : start + CHUNK]
        counted = (
            Unlock.objects.filter(listing_id__in=chunk)
            .order_by()
            .values_list("listing_id")
            .annotate(n=Count("*"))  # COUNT(*): answered from the listing_id index alone
        )
        totals.update(dict(counted))
    unlocks_set(totals=totals, buckets=buckets)
    return len(listing_ids)
