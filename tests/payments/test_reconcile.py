"""The reconciliation job: what the webhook missed is applied once, stuck orders and refunds are finished."""

from __future__ import annotations

from datetime import timedelta

import pytest
import stripe
import time_machine
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
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(stripe_fake, seller):
    return make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")


@pytest.fixture
def buyer_api(buyer, client_for):
    return client_for(buyer)


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
