"""Selectors for how trials turn into sales: reads across prompts' trial runs and payments' unlocks."""

from __future__ import annotations

from django.db.models import Count, Min

from payments.models import Unlock
from prompts.models import TrialRun


def trial_conversion(*, listing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per listing: trial runs, buyers who tried, and buyers who then bought (an active unlock granted
    after their first trial), with that share in percent. At most two queries, whatever the number of
    listings."""
    firsts = list(
        TrialRun.objects.filter(listing_id__in=listing_ids)
        .values("listing_id", "buyer_id")
        .annotate(first=Min("created_at"), runs=Count("pk"))
        .order_by()
    )
    if not firsts:
        return {}
    unlocks = Unlock.objects.active().filter(
        listing_id__in={row["listing_id"] for row in firsts},
        buyer_id__in={row["buyer_id"] for row in firsts},
    )
    granted = {
        (row["listing_id"], row["buyer_id"]): row["granted_at"]
        for row in unlocks.values("listing_id", "buyer_id", "granted_at")
    }
    stats: dict[int, dict[str, int]] = {}
    for row in firsts:
        entry = stats.setdefault(row["listing_id"], {"runs": 0, "buyers": 0, "converted": 0})
        entry["runs"] += row["runs"]
        entry["buyers"] += 1
        bought_at = granted.get((row["listing_id"], row["buyer_id"]))
        entry["converted"] += int(bought_at is not None and bought_at >= row["first"])
    for entry in stats.values():
        entry["percent"] = round(100 * entry["converted"] / entry["buyers"])
    return stats
