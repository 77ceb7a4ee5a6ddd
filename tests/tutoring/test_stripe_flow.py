"""The whole pay flow through the official stripe library and the fake: signed webhooks decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import TestCase

from marketplace.tutoring.models import Booking
from payments.models import Order, OrderStatus
from tests.factories import UserFactory
from tests.payments.helpers import deliver
from tests.tutoring.helpers import book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9 = "2026-05-06T09:00:00+08:00"


def _hold(api, offer) -> dict:
    response = book(api, offer, WED_9)
    assert response.status_code == 201, response.json()
    return response.json()


def test_booking_checkout_webhook_confirms(stripe_fake, seller, offer, buyer, client_for):
    body = _hold(client_for(buyer), offer)
    assert body["checkout_url"].startswith("https://checkout.stripe.test/")
    (request,) = stripe_fake.posts("/v1/checkout/sessions")
    params = request["params"]
    assert params["client_reference_id"] == body["order_id"]
    assert params["line_items"][0]["price_data"]["unit_amount"] == "19900"
    assert params["line_items"][0]["price_data"]["product_data"]["name"] == "Tutoring: Prompt craft 1:1"
    # A separate charge: on the platform, in the booking's transfer group; the tutor is paid later.
    assert params["payment_intent_data"]["transfer_group"] == f"booking:{body['booking_id']}"
    assert not {"transfer_data", "application_fee_amount", "on_behalf_of"} & set(
        params["payment_intent_data"]
    )
    event = stripe_fake.complete(stripe_fake.session_for_order(body["order_id"])["id"])
    assert deliver(event).status_code == 200
    assert deliver(event).json()["duplicate"] is True
    assert Booking.objects.get(public_id=body["booking_id"]).status == "confirmed"
    assert Order.objects.get(public_id=body["order_id"]).status == OrderStatus.PAID


def test_an_expired_checkout_frees_the_slot(stripe_fake, offer, buyer, client_for):
    body = _hold(client_for(buyer), offer)
    event = stripe_fake.expire(stripe_fake.session_for_order(body["order_id"])["id"])
    assert deliver(event).status_code == 200
    assert Booking.objects.get(public_id=body["booking_id"]).status == "expired"
    assert book(client_for(UserFactory()), offer, WED_9).status_code == 201


def test_a_late_payment_for_a_taken_slot_is_refunded_at_stripe(stripe_fake, offer, buyer, client_for, clock):
    late = _hold(client_for(buyer), offer)
    clock.shift(timedelta(minutes=16))
    winner = _hold(client_for(UserFactory()), offer)
    event = stripe_fake.complete(stripe_fake.session_for_order(late["order_id"])["id"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert deliver(event).status_code == 200
    (refund,) = stripe_fake.posts("/v1/refunds")
    assert refund["params"]["amount"] == "19900"
    assert "reverse_transfer" not in refund["params"]  # nothing was transferred from this charge
    order = Order.objects.get(public_id=late["order_id"])
    assert refund["headers"]["idempotency-key"] == f"refund:{order.public_id}:1"
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, 19900)
    assert Booking.objects.get(public_id=late["booking_id"]).status == "expired"
    assert Booking.objects.get(public_id=winner["booking_id"]).status == "held"
