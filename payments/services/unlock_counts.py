"""Unlock counts, kept off the payment path: each listing's counter and its per-day buckets.

Counting an unlock where it is granted would update the listing's row (whose unlock_count is
indexed for the popular sort) and a shared activity bucket inside every payment: index writes and
row locks that listings selling fast contend on. Instead the payments.count_unlocks task recounts,
every minute, the listings that sold since yesterday began (UTC) from their Unlock rows and sets
the totals through prompts.discovery.unlocks_set. Recounting, not adding, makes a repeated or
overlapping run harmless and picks up a payment that committed late; two days of buckets cover an
unlock granted before midnight and committed after it. A sale whose money went back (refunded in
full, or a dispute lost) stops counting: listings with an unlock revoked since yesterday are
recounted too, so a refund shows in the seller's figures within the minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from payments.models import Unlock
from prompts.discovery import unlocks_set
from prompts.discovery.trending import day_of

CHUNK = 500  # listing ids per IN list
# Revoked for good because the money went back; a dispute still open may yet be won: it counts.
UNCOUNTED = ("refunded", "dispute_lost")


def _uncounted() -> QuerySet[Unlock]:
    # revoked_at IS NOT NULL lets this read the small index of revoked unlocks alone.
    return Unlock.objects.filter(revoked_at__isnull=False, revoke_reason__in=UNCOUNTED)


def unlocks_recount(*, now: datetime | None = None) -> int:
    """Recount the unlocks of listings sold or refunded since yesterday; returns how many that is."""
    now = now or timezone.now()
    since = datetime.combine(day_of(now) - timedelta(days=1), time.min, tzinfo=UTC)
    per_day = (
        Unlock.objects.filter(granted_at__gte=since)
        .annotate(day=TruncDate("granted_at", tzinfo=UTC))
        .order_by()
        .values_list("listing_id", "day")
        # Zero when every unlock of that day went back: the bucket is set to 0, not left behind.
        .annotate(n=Count("pk", filter=~Q(revoke_reason__in=UNCOUNTED)))
    )
    buckets: dict[tuple[int, date], int] = {(listing_id, day): n for listing_id, day, n in per_day}
    revoked = Unlock.objects.filter(revoked_at__gte=since).values_list("listing_id", flat=True)
    listing_ids = sorted({listing_id for listing_id, _ in buckets} | set(revoked))
    totals: dict[int, int] = {}
    for start in range(0, len(listing_ids), CHUNK):
        chunk = listing_ids[start : start + CHUNK]
        totals.update(_counts(Unlock.objects.filter(listing_id__in=chunk)))  # the listing_id index alone
        for listing_id, n in _counts(_uncounted().filter(listing_id__in=chunk)).items():
            totals[listing_id] -= n
    unlocks_set(totals=totals, buckets=buckets)
    return len(listing_ids)


def _counts(unlocks: QuerySet[Unlock]) -> dict[int, int]:
    return dict(unlocks.order_by().values_list("listing_id").annotate(n=Count("*")))
