"""Trending: per-day activity buckets, views counted off the database, and the decayed score.

Events land in per-day ListingActivity buckets: unlocks as payments counts them (unlocks_set,
from the payments.count_unlocks task), favourites from favourite_add. Views are counted in Redis
and folded into the buckets by the prompts.fold_trending task, which then recomputes every active
listing's trending_score as a sum of bucket counts halved every TRENDING_HALF_LIFE_DAYS.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar, cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Value, When
from django.utils import timezone
from redis.exceptions import RedisError, ResponseError

from marketplace.core.cache import ResilientRedisCache
from prompts.models import Listing, ListingActivity, ViewBatch

logger = logging.getLogger(__name__)

TRENDING_HALF_LIFE_DAYS = 3.0
# Activity older than this weighs under 0.1% of today's (2^-10): it no longer moves the score.
TRENDING_WINDOW_DAYS = 30
TRENDING_WEIGHTS = {"unlocks": 10.0, "favourites": 3.0, "views": 0.1}
ACTIVITY_FIELDS = {"view": "views", "unlock": "unlocks", "favourite": "favourites"}
CHUNK = 300  # rows per UPDATE ... CASE: about 3 parameters each, well under SQLite's limit
_BATCH_FIELD = "__batch__"  # never a public id: those are 11 characters
_T = TypeVar("_T")


def day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


def _chunks(items: Sequence[_T], size: int | None = None) -> Iterator[Sequence[_T]]:
    size = size or CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def activity_record(*, listing_id: int, kind: str, amount: int = 1, at: datetime | None = None) -> None:
    """Add to today's bucket of the listing: kind is "unlock", "favourite" or "view"."""
    field = ACTIVITY_FIELDS[kind]
    day = day_of(at or timezone.now())
    # Insert-if-missing then increment in one UPDATE: concurrent callers never lose a count.
    ListingActivity.objects.bulk_create(
        [ListingActivity(listing_id=listing_id, day=day)], ignore_conflicts=True
    )
    ListingActivity.objects.filter(listing_id=listing_id, day=day).update(**{field: F(field) + amount})


def unlocks_set(*, totals: dict[int, int], buckets: dict[tuple[int, date], int]) -> int:
    """Set listings' unlock counts and per-day unlock buckets to what payments counted.

    Payments counts unlocks off the payment path (payments.count_unlocks) and sets, never adds,
    so a run repeated or overtaken changes nothing. Only values that differ are written, buckets
    before listings as the views fold does, each statement on its own: no row lock is held
    across statements, so this never deadlocks with the fold or a favourite. Returns how many
    listings' counts changed.
    """
    days = sorted({day for _, day in buckets})
    for chunk in _chunks(sorted(buckets)):  # (listing, day) keys, in the fold's order
        current = dict(
            ((pk, day), n)
            for pk, day, n in ListingActivity.objects.filter(
                listing_id__in={pk for pk, _ in chunk}, day__in=days
            ).values_list("listing_id", "day", "unlocks")
        )
        stale_buckets = [
            ListingActivity(listing_id=pk, day=day, unlocks=buckets[pk, day])
            for pk, day in chunk
            if current.get((pk, day)) != buckets[pk, day]
        ]
        if stale_buckets:
            ListingActivity.objects.bulk_create(
                stale_buckets,
                update_conflicts=True,
                unique_fields=["listing", "day"],
                update_fields=["unlocks"],
            )
    changed = 0
    for ids in _chunks(sorted(totals)):
        current_counts = dict(Listing.objects.filter(pk__in=ids).values_list("pk", "unlock_count"))
        stale = [(pk, totals[pk]) for pk in ids if pk in current_counts and current_counts[pk] != totals[pk]]
        if stale:
            counts = Case(
                *[When(pk=pk, then=Value(n)) for pk, n in stale],
                default=F("unlock_count"),
                output_field=IntegerField(),
            )
            Listing.objects.filter(pk__in=[pk for pk, _ in stale]).update(unlock_count=counts)
            changed += len(stale)
    return changed


def _redis_client() -> Any | None:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return cast(Any, backend)._cache.get_client(write=True)
    return None


def _views_key(suffix: str = "") -> str:
    return caches["default"].make_key(f"discovery:views{suffix}")


# Without Redis (the embedded default) views are counted in this process, as locmem would keep
# them, but in O(1) per view: a locmem dict would be re-pickled whole on every view, and a locmem
# key per listing would be culled past 300 entries, evicting the API throttles' entries with it.
_LOCAL_LOCK = threading.Lock()
_local_views: Counter[str] = Counter()


def views_record(*, public_id: str) -> None:
    """Count one view of a published listing, without touching the database.

    An unavailable Redis loses the view (the cache logs the outage once): the page itself must not
    fail, or wait, for a counter.
    """
    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        key = _views_key()
        backend.guarded(lambda: backend.raw_client().hincrby(key, public_id, 1), None)
        return
    client = _redis_client()
    if client is None:
        with _LOCAL_LOCK:
            _local_views[public_id] += 1
        return
    try:
        client.hincrby(_views_key(), public_id, 1)
    except RedisError as exc:
        logger.warning("views_record: view of %s not counted: %s", public_id, exc)


# Delete the pending batch only if it is still the one this run folded.
_RELEASE_SCRIPT = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _views_take_redis(client: Any) -> tuple[str, dict[str, int]]:
    """Move the live counts aside (RENAME is atomic: a view lands before or after, never lost)."""
    live, pending = _views_key(), _views_key(":pending")
    # A pending batch left by a run that died is folded first, under the token it already has.
    if not client.exists(pending):
        if not client.exists(live):
            return "", {}
        # ResponseError: a concurrent run took the live counts first; fold its batch with it.
        with contextlib.suppress(ResponseError):
            client.renamenx(live, pending)
    client.hsetnx(pending, _BATCH_FIELD, uuid.uuid4().hex)
    raw = client.hgetall(pending)
    token = raw.pop(_BATCH_FIELD.encode(), b"").decode()
    return token, {key.decode(): int(value) for key, value in raw.items()}


def _views_release_redis(client: Any, token: str) -> None:
    client.eval(_RELEASE_SCRIPT, 1, _views_key(":pending"), _BATCH_FIELD, token)


def _views_take_local() -> dict[str, int]:
    with _LOCAL_LOCK:
        counts = dict(_local_views)
        _local_views.clear()
    return counts


def _add_views(by_listing: dict[int, int], day: date) -> None:
    items = sorted(by_listing.items())
    for chunk in _chunks(items):
        ids = [listing_id for listing_id, _ in chunk]
        views = Case(
            *[When(listing_id=listing_id, then=Value(n)) for listing_id, n in chunk],
            default=Value(0),
            output_field=IntegerField(),
        )
        ListingActivity.objects.bulk_create(
            [ListingActivity(listing_id=listing_id, day=day) for listing_id in ids], ignore_conflicts=True
        )
        ListingActivity.objects.filter(day=day, listing_id__in=ids).update(views=F("views") + views)
        totals = Case(
            *[When(pk=listing_id, then=Value(n)) for listing_id, n in chunk],
            default=Value(0),
            output_field=IntegerField(),
        )
        Listing.objects.filter(pk__in=ids).update(view_count=F("view_count") + totals)


def _views_apply(*, token: str, counts: dict[str, int], now: datetime) -> int:
    """Fold counts keyed by public id into view_count and today's buckets, once per token."""
    public_ids = [public_id for public_id, n in counts.items() if n > 0]
    by_listing: dict[int, int] = {}
    for chunk in _chunks(public_ids):
        for public_id, pk in Listing.objects.filter(public_id__in=chunk).values_list("public_id", "pk"):
            by_listing[pk] = counts[public_id]
    total = sum(by_listing.values())
    with transaction.atomic():
        _, created = ViewBatch.objects.get_or_create(token=token, defaults={"views": total, "folded_at": now})
        if not created:
            return 0  # folded by an earlier run that died before clearing Redis
        _add_views(by_listing, day_of(now))
    return total


def views_fold(*, now: datetime | None = None) -> int:
    """Take the views counted since the last fold and add them to the database; returns how many."""
    now = now or timezone.now()
    ViewBatch.objects.filter(folded_at__lt=now - timedelta(days=TRENDING_WINDOW_DAYS)).delete()
    client = _redis_client()
    if client is None:
        counts = _views_take_local()
        return _views_apply(token=uuid.uuid4().hex, counts=counts, now=now) if counts else 0
    token, counts = _views_take_redis(client)
    if not token:
        return 0
    folded = _views_apply(token=token, counts=counts, now=now) if counts else 0
    _views_release_redis(client, token)
    return folded


def trending_recompute(*, now: datetime | None = None) -> int:
    """Set every listing's trending_score from its recent buckets; a pure function of the buckets
    and the clock, so running it twice changes nothing. Returns how many listings have a score."""
    now = now or timezone.now()
    since = day_of(now - timedelta(days=TRENDING_WINDOW_DAYS))
    scores: dict[int, float] = defaultdict(float)
    buckets = ListingActivity.objects.filter(day__gte=since).values_list(
        "listing_id", "day", "views", "unlocks", "favourites"
    )
    for listing_id, day, views, unlocks, favourites in buckets.iterator(chunk_size=2000):
        # A bucket counts as noon of its day; today's is not decayed until noon has passed.
        age_days = max(0.0, (now - datetime.combine(day, time(12), tzinfo=UTC)).total_seconds() / 86400)
        activity = (
            TRENDING_WEIGHTS["views"] * views
            + TRENDING_WEIGHTS["unlocks"] * unlocks
            + TRENDING_WEIGHTS["favourites"] * favourites
        )
        scores[listing_id] += activity * 0.5 ** (age_days / TRENDING_HALF_LIFE_DAYS)
    recent = ListingActivity.objects.filter(listing_id=OuterRef("pk"), day__gte=since)
    # Batch by batch, not in one transaction: row locks on every active listing would hold up
    # checkouts. A run that stops half-way leaves scores the next run recomputes from scratch.
    Listing.objects.filter(trending_score__gt=0).exclude(Exists(recent)).update(trending_score=0)
    rows = [Listing(pk=pk, trending_score=round(score, 6)) for pk, score in scores.items()]
    Listing.objects.bulk_update(rows, ["trending_score"], batch_size=CHUNK)
    return len(rows)


def trending_fold(*, now: datetime | None = None) -> dict[str, int]:
    """What the prompts.fold_trending task does: fold the views, then rescore."""
    now = now or timezone.now()
    views = views_fold(now=now)
    return {"views": views, "scored": trending_recompute(now=now)}
