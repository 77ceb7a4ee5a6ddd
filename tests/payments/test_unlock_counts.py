"""Unlock counts are recounted off the payment path: exact, repeatable, and late commits count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from payments.models import Unlock
from payments.services import unlock_counts
from payments.tasks import count_unlocks
from prompts.models import Listing, ListingActivity
from tests.factories import UserFactory, make_listing

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)  # half an hour after midnight


def _unlock(listing: Listing, at: datetime, *, revoked: str = "") -> Unlock:
    return Unlock.objects.create(
        buyer=UserFactory(),
        listing=listing,
        granted_at=at,
        revoked_at=at if revoked else None,
        revoke_reason=revoked,
    )


def _buckets(listing: Listing) -> dict[str, int]:
    rows = ListingActivity.objects.filter(listing=listing).order_by("day")
    return {row.day.isoformat(): row.unlocks for row in rows}


def test_counts_every_grant_of_a_listing_sold_lately_and_its_days(seller):
    listing = make_listing(seller, publish=True)
    quiet = make_listing(seller, publish=True, title="Nobody bought this lately")
    _unlock(listing, NOW - timedelta(days=40))  # long ago: in the total, its bucket left alone
    _unlock(listing, NOW - timedelta(hours=3), revoked="disputed")  # yesterday, disputed: a sale still
    _unlock(listing, NOW - timedelta(minutes=5))
    _unlock(listing, NOW - timedelta(minutes=1))
    _unlock(quiet, NOW - timedelta(days=5))

    with time_machine.travel(NOW, tick=False):
        assert count_unlocks.delay().get() == 1

    assert Listing.objects.get(pk=listing.pk).unlock_count == 4
    assert _buckets(listing) == {"2026-03-09": 1, "2026-03-10": 2}
    assert Listing.objects.get(pk=quiet.pk).unlock_count == 0  # not recounted: sold days ago


def test_a_second_run_changes_nothing_and_a_late_commit_is_counted_on_its_day(seller):
    listing = make_listing(seller, publish=True)
    _unlock(listing, NOW - timedelta(minutes=10))
    with time_machine.travel(NOW, tick=False):
        unlock_counts.unlocks_recount()
        ListingActivity.objects.filter(listing=listing).update(views=7, favourites=2)
        unlock_counts.unlocks_recount()  # sets, never adds: the same counts, other columns kept
        assert Listing.objects.get(pk=listing.pk).unlock_count == 1
        assert ListingActivity.objects.get(listing=listing).unlocks == 1
        assert ListingActivity.objects.get(listing=listing).views == 7

        # Granted before midnight by a transaction that committed only after the last run.
        _unlock(listing, NOW - timedelta(hours=1))
        unlock_counts.unlocks_recount()

    assert Listing.objects.get(pk=listing.pk).unlock_count == 2
    assert _buckets(listing) == {"2026-03-09": 1, "2026-03-10": 1}


def test_many_listings_are_counted_in_chunks(seller, monkeypatch):
    monkeypatch.setattr(unlock_counts, "CHUNK", 2)
    listings = [make_listing(seller, publish=True, title=f"Chunk {n}") for n in range(5)]
    for n, listing in enumerate(listings):
        for _ in range(n + 1):
            _unlock(listing, NOW - timedelta(minutes=n + 1))
    with time_machine.travel(NOW, tick=False):
        assert unlock_counts.unlocks_recount() == 5
    counts = Listing.objects.filter(pk__in=[x.pk for x in listings]).order_by("pk")
    assert list(counts.values_list("unlock_count", flat=True)) == [1, 2, 3, 4, 5]


def test_a_recount_that_finds_nothing_new_writes_nothing(seller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listing = make_listing(seller, publish=True)
    _unlock(listing, NOW - timedelta(minutes=10))
    with time_machine.travel(NOW, tick=False):
        unlock_counts.unlocks_recount()
        with CaptureQueriesContext(connection) as queries:
            unlock_counts.unlocks_recount()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == []  # the buckets and counters are right already: no row version, no lock


def test_a_refunded_sale_stops_counting_at_the_next_run_however_old_it_is(seller):
    listing = make_listing(seller, publish=True)
    old = _unlock(listing, NOW - timedelta(days=40))
    _unlock(listing, NOW - timedelta(days=39))
    recent = _unlock(listing, NOW - timedelta(minutes=5))
    with time_machine.travel(NOW, tick=False):
        unlock_counts.unlocks_recount()
    assert Listing.objects.get(pk=listing.pk).unlock_count == 3

    later = NOW + timedelta(days=3)  # nothing sold since: only the refunds bring it up again
    Unlock.objects.filter(pk__in=[old.pk, recent.pk]).update(
        revoked_at=later - timedelta(minutes=1), revoke_reason="refunded"
    )
    with time_machine.travel(later, tick=False):
        assert unlock_counts.unlocks_recount() == 1
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1

    Unlock.objects.filter(pk=recent.pk).update(revoked_at=NOW, revoke_reason="refunded")
    with time_machine.travel(NOW, tick=False):
        unlock_counts.unlocks_recount()
    assert _buckets(listing) == {"2026-03-10": 0}  # that day's only sale went back
