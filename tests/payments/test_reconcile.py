"""The reconciliation job: what the webhook missed is applied once, stuck orders and refunds are finished."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import pytest
import stripe
import time_machine
from celery.signals import beat_init
from django.utils import timezone

from payments import services, tasks
from payments.models import (
    LedgerEntry,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    ReversalStatus,
    TransferReversal,
    Unlock,
    WebhookEvent,
)
from payments.services.reconcile import EVENTS_OVERLAP_SECONDS
from tests.factories import UserFactory
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db


def _active_unlocks(buyer, listing) -> int:
    return Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True).count()


def test_events_the_webhook_never_received_are_applied_once(stripe_fake, listing, buyer, buyer_api):
    order_id = checkout(buyer_api, listing)["order_id"]
    missed = stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])  # never delivered
    assert buyer_api.get(f"/api/v1/orders/{order_id}/").json()["status"] == "pending"

    first = tasks.reconcile()
    second = tasks.reconcile()

    assert first["events"] == 1 and second["events"] == 0
    assert _active_unlocks(buyer, listing) == 1
    recorded = WebhookEvent.objects.get(event_id=missed["id"])
    assert (recorded.type, recorded.source) == ("checkout.session.completed", "reconcile")
    assert LedgerEntry.objects.count() == 2
    assert buyer_api.get(f"/api/v1/orders/{order_id}/").json()["status"] == "paid"
    # Stripe finally delivers it: a duplicate, answered 200 so Stripe stops retrying.
    late = deliver(missed)
    assert late.status_code == 200 and late.json()["duplicate"] is True
    assert _active_unlocks(buyer, listing) == 1
    assert LedgerEntry.objects.count() == 2


def test_a_stale_pending_order_paid_at_stripe_is_fixed_from_its_session(
    stripe_fake, listing, buyer, buyer_api, settings
):
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        order_id = checkout(buyer_api, listing)["order_id"]
        stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])
    # The event fell out of the window the job asks Stripe about: only the order's session tells.
    with time_machine.travel(started + timedelta(days=settings.PAYMENTS_RECONCILE_DAYS, minutes=11)):
        result = tasks.reconcile()
        tasks.reconcile()
    assert result["events"] == 0 and result["sessions"] == 1
    order = Order.objects.get(public_id=order_id)
    assert order.status == OrderStatus.PAID and order.payment_intent_id
    assert _active_unlocks(buyer, listing) == 1
    assert LedgerEntry.objects.count() == 2
    assert not WebhookEvent.objects.exists()


def test_a_stale_pending_order_whose_checkout_expired_is_closed(stripe_fake, listing, buyer, buyer_api):
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        order_id = checkout(buyer_api, listing)["order_id"]
    # Stripe expired the session and its event was lost: only the session itself tells.
    stripe_fake.sessions[stripe_fake.session_for_order(order_id)["id"]]["status"] = "expired"
    with time_machine.travel(started + timedelta(minutes=11)):
        tasks.reconcile()
    assert Order.objects.get(public_id=order_id).status == OrderStatus.EXPIRED
    assert _active_unlocks(buyer, listing) == 0
    assert checkout(buyer_api, listing)["order_id"] != order_id  # the buyer can start again


def test_a_pending_refund_is_retried_by_the_job_into_one_refund(
    stripe_fake, listing, buyer, buyer_api, seller, monkeypatch
):
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)
    order_id = checkout(buyer_api, listing)["order_id"]
    deliver(stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"]))
    order = Order.objects.get(public_id=order_id)
    stripe_fake.fail_next.extend([("/v1/refunds", 503)] * 3)  # Stripe is down for the whole attempt
    assert (
        services.order_refund(order=order, amount=700, by=seller, reason="Asked by the buyer.").status
        == RefundStatus.PENDING
    )  # kept for a retry
    assert Refund.objects.get().status == RefundStatus.PENDING

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        first = tasks.reconcile()
        second = tasks.reconcile()

    assert first["refunds"] == 1 and second["refunds"] == 0
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_refund_id in stripe_fake.refunds
    assert len(stripe_fake.refunds) == 1
    keys = {p["headers"]["idempotency-key"] for p in stripe_fake.posts("/v1/refunds")}
    assert keys == {f"refund:{order_id}:1"}
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 700)
    # The charge.refunded event the job also read from Stripe did not count it twice.
    assert LedgerEntry.objects.filter(order=order, kind="refund").count() == 1
    assert _active_unlocks(buyer, listing) == 1


def test_a_pending_transfer_reversal_is_retried_by_the_job_while_stripe_remembers_its_key(
    stripe_fake, listing, buyer_api, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)
    orders = []
    for api in (buyer_api, client_for(UserFactory())):
        order_id = checkout(api, listing)["order_id"]
        deliver(stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"]))
        orders.append(Order.objects.get(public_id=order_id))
    started = timezone.now()
    for order in orders:  # both lost while Stripe does not answer the reversal
        charge = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
        stripe_fake.fail_next.extend([(f"/v1/transfers/{stripe_fake.charges[charge]['transfer']}/", 503)] * 3)
        opened = stripe_fake.open_dispute(charge)
        deliver(opened)
        with django_capture_on_commit_callbacks(execute=True):
            deliver(stripe_fake.close_dispute(opened["data"]["object"]["id"], "lost"))
    assert list(TransferReversal.objects.values_list("status", flat=True)) == ["pending", "pending"]
    TransferReversal.objects.filter(order=orders[1]).update(created_at=started - timedelta(hours=23))

    with time_machine.travel(started + timedelta(minutes=11)):
        first = tasks.reconcile()
        second = tasks.reconcile()

    assert (first["reversals"], second["reversals"]) == (1, 0)
    sent, expired = (TransferReversal.objects.get(order=order) for order in orders)
    assert sent.status == ReversalStatus.SUCCEEDED and sent.provider_reversal_id in stripe_fake.reversals
    assert len(stripe_fake.reversals) == 1
    # Past the provider's memory of the key a retry could reverse twice: an operator decides.
    assert expired.status == ReversalStatus.FAILED and "idempotency window" in expired.last_error
    assert LedgerEntry.objects.filter(kind="transfer_reversal").count() == 1


@pytest.fixture
def quick_stripe_retries(monkeypatch):
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)


@pytest.fixture
def run_with_retries(monkeypatch):
    """Run the job as a worker would, its retries at once: Celery's eager mode runs each retry
    inline when exceptions are not propagated to the caller."""
    from marketplace.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    return lambda: tasks.reconcile.apply().get()


def _listed_after(fake) -> list[int]:
    """The `created[gt]` of every events listing the job asked Stripe for, in order."""
    return [int(r["params"]["created"]["gt"]) for r in fake.requests if r["path"] == "/v1/events"]


def _missed_checkouts(fake, listing, apis) -> list[dict[str, Any]]:
    """Paid checkouts whose webhooks never arrived."""
    return [fake.complete(fake.session_for_order(checkout(api, listing)["order_id"])["id"]) for api in apis]


def _assert_applied_once(events, listing) -> None:
    for event in events:
        order_id = event["data"]["object"]["client_reference_id"]
        assert Order.objects.get(public_id=order_id).status == OrderStatus.PAID
        assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
        assert Unlock.objects.filter(order__public_id=order_id, revoked_at__isnull=True).count() == 1
    assert LedgerEntry.objects.filter(order__listing=listing).count() == 2 * len(events)


def test_stripe_unreachable_for_a_while_the_job_retries_soon_and_applies_each_event_once(
    stripe_fake, listing, buyer_api, client_for, quick_stripe_retries, run_with_retries, caplog
):
    missed = _missed_checkouts(stripe_fake, listing, [buyer_api, client_for(UserFactory())])
    # Down for two attempts (each the library's request and its two retries), then back.
    stripe_fake.fail_next.extend([("/v1/events", 503)] * 6)
    caplog.set_level(logging.WARNING)

    result = run_with_retries()

    assert "retrying in 30 s" in caplog.text and "retrying in 60 s" in caplog.text
    assert "retrying in 120 s" not in caplog.text
    assert (result["events"], result["unreachable"]) == (2, 0)
    assert tasks.reconcile()["events"] == 0
    _assert_applied_once(missed, listing)


def test_stripe_unreachable_past_every_retry_a_later_run_applies_what_was_missed(
    stripe_fake, listing, buyer_api, client_for, quick_stripe_retries, run_with_retries, caplog
):
    missed = _missed_checkouts(stripe_fake, listing, [buyer_api, client_for(UserFactory())])
    stripe_fake.fail_next.extend([("/v1/events", 503)] * 3 * (len(tasks.RECONCILE_RETRY_DELAYS) + 1))
    caplog.set_level(logging.WARNING)

    given_up = run_with_retries()

    assert (given_up["events"], given_up["unreachable"]) == (0, 1)
    assert "retrying in 480 s" in caplog.text
    assert "unreachable 6 times in a row; the next scheduled run tries again" in caplog.text
    assert not WebhookEvent.objects.exists()
    later, again = tasks.reconcile(), tasks.reconcile()
    assert (later["events"], again["events"]) == (2, 0)
    _assert_applied_once(missed, listing)


def test_a_poisoned_event_is_logged_and_held_while_the_events_around_it_are_applied(
    stripe_fake, listing, buyer_api, client_for, monkeypatch, caplog
):
    now = int(time.time())
    first, last = _missed_checkouts(stripe_fake, listing, [buyer_api, client_for(UserFactory())])
    stripe_fake.accounts["acct_poisoned"] = {
        "id": "acct_poisoned",
        "object": "account",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
    }
    poisoned = stripe_fake.event("account.updated", stripe_fake.accounts["acct_poisoned"])
    first["created"], poisoned["created"], last["created"] = now - 300, now - 200, now - 100

    def broken_sync(**kwargs: Any) -> None:
        raise RuntimeError("a row this code cannot handle")

    monkeypatch.setattr(services, "seller_account_sync", broken_sync)
    caplog.set_level(logging.WARNING)
    result = tasks.reconcile()

    assert (result["events"], result["failures"]) == (2, 1)
    assert f"event {poisoned['id']} (account.updated) failed" in caplog.text
    assert "a row this code cannot handle" in caplog.text  # the traceback is in the log
    _assert_applied_once([first, last], listing)
    assert not WebhookEvent.objects.filter(event_id=poisoned["id"]).exists()

    monkeypatch.undo()  # the fix is deployed
    cured = tasks.reconcile()
    # The cursor stopped before the poisoned event, so it is read (and now applied) again.
    assert (cured["events"], cured["failures"]) == (1, 0)
    assert WebhookEvent.objects.filter(event_id=poisoned["id"]).count() == 1
    tasks.reconcile()
    listed = _listed_after(stripe_fake)
    assert listed[1:] == [
        poisoned["created"] - 1 - EVENTS_OVERLAP_SECONDS,
        last["created"] - EVENTS_OVERLAP_SECONDS,
    ]
    _assert_applied_once([first, last], listing)


def test_a_second_run_asks_stripe_only_for_events_after_the_cursor(stripe_fake, listing, buyer_api, settings):
    now = int(time.time())
    [missed] = _missed_checkouts(stripe_fake, listing, [buyer_api])
    missed["created"] = now - 3600

    first, second = tasks.reconcile(), tasks.reconcile()

    assert (first["events"], second["events"]) == (1, 0)
    first_after, second_after = _listed_after(stripe_fake)
    # The first run has no cursor: it reads the whole look-back window.
    assert now - settings.PAYMENTS_RECONCILE_DAYS * 86400 <= first_after <= now + 5 - 86400
    assert second_after == missed["created"] - EVENTS_OVERLAP_SECONDS
    _assert_applied_once([missed], listing)


def test_an_order_that_fails_to_apply_does_not_stop_the_others_or_the_refunds(
    stripe_fake, listing, buyer_api, client_for, monkeypatch, caplog
):
    from payments.services import fulfilment

    started = timezone.now()
    with time_machine.travel(started, tick=False):
        orders = [checkout(api, listing)["order_id"] for api in (buyer_api, client_for(UserFactory()))]
        for order_id in orders:
            stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])
    order_paid = fulfilment._order_paid

    def broken_for_the_first(order: Order, session: Any) -> None:
        if order.public_id == orders[0]:
            raise RuntimeError("a row this code cannot handle")
        order_paid(order, session)

    monkeypatch.setattr(fulfilment, "_order_paid", broken_for_the_first)
    # The events fell out of the window: only the orders' sessions tell.
    with time_machine.travel(started + timedelta(days=3, minutes=11)):
        result = tasks.reconcile()
    assert (result["sessions"], result["failures"]) == (1, 1)
    assert f"the session of order {orders[0]} failed" in caplog.text
    statuses = [Order.objects.get(public_id=order_id).status for order_id in orders]
    assert statuses == [OrderStatus.PENDING, OrderStatus.PAID]


def test_beat_starting_runs_the_job_without_waiting_a_whole_interval(stripe_fake, listing, buyer_api):
    [missed] = _missed_checkouts(stripe_fake, listing, [buyer_api])
    beat_init.send(sender=None)  # tasks run eagerly in tests: the countdown is not waited for
    _assert_applied_once([missed], listing)


def test_a_late_retry_is_not_dropped_by_the_scheduled_runs_expiry(
    stripe_fake, quick_stripe_retries, monkeypatch
):
    # Beat's runs expire after one interval; the fourth retry comes 450 s after the first run
    # plus its own 240 s wait. A retry that inherited that expiry would be thrown away unrun.
    from celery.canvas import Signature
    from celery.exceptions import Retry

    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(Signature, "apply_async", lambda self, *a, **kw: queued.append(dict(self.options)))
    stripe_fake.fail_next.extend([("/v1/events", 503)] * 3)
    expires = (timezone.now() + timedelta(seconds=900)).isoformat()
    tasks.reconcile.push_request(id="scheduled-run", retries=3, expires=expires, called_directly=False)
    try:
        with pytest.raises(Retry):
            tasks.reconcile.run()
    finally:
        tasks.reconcile.pop_request()
    [retry] = queued
    assert retry["countdown"] == 240
    assert retry["expires"] is None
