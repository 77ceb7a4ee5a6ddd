"""Trial limits under concurrency: real threads, one PostgreSQL connection each; the budget row's lock
decides, so of twenty requests for the last run exactly one is admitted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from marketplace.core.errors import ApplicationError
from prompts.models import Listing, TrialBudget, TrialRun
from prompts.trials.services import trial_request
from tests.conftest import requires_postgres
from tests.factories import UserFactory, make_listing

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]


def _at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[index] = work(index)
        except ApplicationError as exc:
            results[index] = exc.code
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture(autouse=True)
def _trials(settings):
    settings.TRIAL_GENERATOR = "local"
    settings.TRIAL_PER_BUYER_DAILY = 50
    settings.TRIAL_DAILY_BUDGET = 500


def _request(buyer: Any, listing_id: int) -> str:
    listing = Listing.objects.get(pk=listing_id)
    run = trial_request(buyer=buyer, listing=listing, values={"animal": "koi"}, can_read_prompt=False)
    return f"admitted {run.public_id}"


def test_twenty_requests_for_a_buyers_last_run_admit_one(seller):
    listing = make_listing(seller, publish=True, price_amount=0, trial_runs=3)
    buyer = UserFactory(handle="eager-buyer")
    _request(buyer, listing.pk)
    _request(buyer, listing.pk)

    results = _at_once(20, lambda _: _request(buyer, listing.pk))

    admitted = [result for result in results if str(result).startswith("admitted")]
    assert len(admitted) == 1, results
    assert set(results) - set(admitted) == {"trial_runs_used"}
    assert TrialRun.objects.filter(buyer=buyer, listing=listing).count() == 3


def test_twenty_buyers_racing_for_the_last_run_of_the_day_admit_one(seller, settings):
    listing = make_listing(seller, publish=True, price_amount=0, trial_runs=5)
    _request(UserFactory(handle="early-bird"), listing.pk)
    settings.TRIAL_DAILY_BUDGET = 2
    buyers = [UserFactory(handle=f"racer-{n}") for n in range(20)]

    results = _at_once(20, lambda n: _request(buyers[n], listing.pk))

    admitted = [result for result in results if str(result).startswith("admitted")]
    assert len(admitted) == 1, results
    assert set(results) - set(admitted) == {"trial_budget_spent"}
    assert TrialBudget.objects.get().used == 2
    assert TrialRun.objects.count() == 2


def test_a_run_failed_by_many_at_once_gives_its_budget_back_once(seller):
    from datetime import UTC

    from django.utils import timezone

    from prompts.models import TrialStatus
    from prompts.trials.execution import UNFINISHED, trial_run_fail

    listing = make_listing(seller, publish=True, price_amount=0, trial_runs=3)
    now = timezone.now()
    TrialBudget.objects.create(day=now.astimezone(UTC).date(), used=5)
    run = TrialRun.objects.create(
        buyer=UserFactory(handle="lost-run"),
        listing=listing,
        kind="image",
        values={"animal": "koi"},
        created_at=now,
    )

    # A sweep, a late worker and an account deletion, all at once.
    results = _at_once(12, lambda _: trial_run_fail(run_id=run.pk, reason="lost", statuses=UNFINISHED))

    assert results.count(True) == 1 and results.count(False) == 11, results
    assert TrialRun.objects.get(pk=run.pk).status == TrialStatus.FAILED
    assert TrialBudget.objects.get().used == 4
