"""A lost dispute's transfer reversal through a real `celery worker` on Redis, against the fake Stripe."""

from __future__ import annotations

import pytest
import stripe

from payments.models import LedgerEntry, Order, ReversalStatus, TransferReversal
from tests.conftest import requires_postgres, requires_redis
from tests.payments.helpers import checkout, deliver
from tests.support.fake_stripe import SECRET_KEY, WEBHOOK_SECRET
from tests.support.worker import celery_worker, wait_for

pytestmark = [pytest.mark.slow, requires_postgres, requires_redis, pytest.mark.django_db(transaction=True)]


def test_the_worker_retries_a_reversal_stripe_fails_into_one_reversal(
    tmp_path, stripe_fake, listing, through_the_broker, buyer, client_for, settings, monkeypatch
):
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    order_id = checkout(client_for(buyer), listing)["order_id"]
    deliver(stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"]))
    order = Order.objects.get(public_id=order_id)
    charge = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
    transfer = stripe_fake.charges[charge]["transfer"]
    reversals_path = f"/v1/transfers/{transfer}/reversals"
    # Two whole attempts fail (the call and the library's two retries each): the task's own
    # retries, with backoff, must get it through with the same key.
    stripe_fake.fail_next.extend([(reversals_path, 503)] * 6)
    opened = stripe_fake.open_dispute(charge)
    deliver(opened)
    log = tmp_path / "worker.log"
    with celery_worker(
        log,
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=settings.STRIPE_API_BASE,
    ):
        lost = stripe_fake.close_dispute(opened["data"]["object"]["id"], "lost")
        assert deliver(lost).status_code == 200  # commits, then enqueues the reversal
        wait_for(
            lambda: TransferReversal.objects.filter(status=ReversalStatus.SUCCEEDED).exists(),
            timeout=90,
            what="the reversal to go through",
            log=log,
        )
    reversal = TransferReversal.objects.get()
    assert reversal.attempts == 3
    posts = stripe_fake.posts(reversals_path)
    assert len(posts) == 7  # six refused, one made
    assert {p["headers"]["idempotency-key"] for p in posts} == {f"dispute-reversal:{order_id}"}
    (made,) = stripe_fake.reversals_of(transfer)
    assert made["id"] == reversal.provider_reversal_id and made["amount"] == 1592
    assert list(LedgerEntry.objects.filter(kind="transfer_reversal").values_list("amount", flat=True)) == [
        -1592
    ]
