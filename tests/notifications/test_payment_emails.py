"""Receipts, sales, refunds, disputes and payouts: each email once, however often its event arrives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from payments.models import Order
from payments.services import fulfilment, payouts
from tests.conftest import requires_postgres
from tests.notifications.helpers import SECRET, html_of, sent, the_one
from tests.payments.helpers import checkout, deliver
from tests.tutoring.helpers import booked_and_paid, make_offer

pytestmark = pytest.mark.django_db


def _deliver_twice(event: dict[str, Any], capture: Any) -> None:
    for _ in range(2):
        with capture(execute=True):
            assert deliver(event).status_code == 200


def _paid_twice(fake: Any, api: Any, listing: Any, capture: Any) -> Order:
    order_id = checkout(api, listing)["order_id"]
    _deliver_twice(fake.complete(fake.session_for_order(order_id)["id"]), capture)
    return Order.objects.get(public_id=order_id)


def test_a_purchase_delivered_twice_sends_one_receipt_and_one_sale_email_in_chinese(
    stripe_fake, listing, zh_buyer, zh_seller, buyer_api, django_capture_on_commit_callbacks
):
    order = _paid_twice(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)

    receipt = the_one("purchase", to=zh_buyer.email)
    assert order.public_id in receipt.body and "¥19.90" in receipt.body
    assert "CN¥" not in receipt.body  # Chinese writes the yuan as ¥, as the website does
    assert f"：{order.public_id}" in receipt.body and f": {order.public_id}" not in receipt.body
    assert f"/listings/{listing.public_id}/" in html_of(receipt)
    assert "收据" in receipt.subject
    sale = the_one("sale", to=zh_seller.email)
    assert "¥15.92" in sale.body  # the seller's share after the 20% commission
    assert len(mail.outbox) == 2


def test_an_english_receipt_has_the_amount_the_order_number_and_a_link_to_the_prompt(
    stripe_fake, listing, buyer, buyer_api, django_capture_on_commit_callbacks
):
    order = _paid_twice(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    receipt = the_one("purchase", to=buyer.email, chinese=False)
    assert receipt.subject == f"Your receipt for {listing.title}"
    assert f"Order number: {order.public_id}" in receipt.body
    assert "Amount paid: CN¥19.90" in receipt.body
    assert f"{settings.SITE_URL}/listings/{listing.public_id}/" in receipt.body
    # A receipt is always sent: no unsubscribe link or header.
    assert "List-Unsubscribe" not in receipt.extra_headers


def test_task_payloads_hold_only_ids(
    stripe_fake, listing, buyer, buyer_api, django_capture_on_commit_callbacks, monkeypatch
):
    from marketplace.notifications import tasks

    payloads: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.send_notification, "delay", lambda *args: payloads.append(args))
    _paid_twice(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    assert len(payloads) == 2
    assert all(len(args) == 1 and isinstance(args[0], int) for args in payloads)
    assert SECRET not in json.dumps(payloads)
    assert mail.outbox == []  # nothing sent but by the task


def test_a_refund_reported_twice_sends_one_email_to_the_buyer_and_one_to_the_seller(
    stripe_fake, listing, zh_buyer, zh_seller, buyer_api, django_capture_on_commit_callbacks
):
    order = _paid_twice(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    charge = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
    _deliver_twice(stripe_fake.refund_in_dashboard(charge, 700), django_capture_on_commit_callbacks)

    assert "¥7.00" in the_one("refund_buyer", to=zh_buyer.email).body
    assert "¥7.00" in the_one("refund_seller", to=zh_seller.email).body


def test_a_dispute_opened_and_decided_twice_each_sends_one_email_to_the_seller(
    stripe_fake, listing, buyer_api, zh_seller, django_capture_on_commit_callbacks
):
    order = _paid_twice(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    charge = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
    opened = stripe_fake.open_dispute(charge)
    _deliver_twice(opened, django_capture_on_commit_callbacks)
    assert order.public_id in the_one("dispute_opened", to=zh_seller.email).body
    assert sent("dispute_decided") == []

    won = stripe_fake.close_dispute(opened["data"]["object"]["id"], "won")
    _deliver_twice(won, django_capture_on_commit_callbacks)
    the_one("dispute_decided", to=zh_seller.email)


def test_a_payout_paid_twice_sends_one_email_to_the_tutor(
    zh_seller, buyer, client_for, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 5, 4, tzinfo=UTC), tick=False) as clock:
        body = booked_and_paid(client_for(buyer), make_offer(zh_seller), "2026-05-06T09:00:00+08:00")
        order = Order.objects.get(booking__public_id=body["booking_id"])
        clock.move_to(order.booking.ends_at + payouts.payout_delay() + timedelta(minutes=1))
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                payouts.booking_payout(order_id=order.pk)
    message = the_one("payout_sent", to=zh_seller.email)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@requires_postgres
def test_the_webhooks_one_statement_fast_path_claims_the_receipt_and_the_sale(
    stripe_fake, listing, zh_buyer, zh_seller, buyer_api, django_capture_on_commit_callbacks, monkeypatch
):
    def general_path(*args: object, **kwargs: object) -> None:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(fulfilment, "_order_paid", general_path)
    _paid_twice(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    the_one("purchase", to=zh_buyer.email)
    the_one("sale", to=zh_seller.email)
