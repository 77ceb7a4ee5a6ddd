"""A tutor's discount code on a booking: the same order_create, the same rules as a listing's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketplace.tutoring.models import Booking, BookingStatus
from payments.models import DiscountCode, Order
from tests.tutoring.helpers import book, error_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9 = "2026-05-06T09:00:00+08:00"


def test_a_tutoring_code_lowers_the_booking_charge(stripe_fake, seller, offer, buyer, client_for):
    DiscountCode.objects.create(seller=seller, code="TUTOR10", kind="percent", percent=10, scope="tutoring")
    response = book(client_for(buyer), offer, WED_9, code="tutor10")
    assert response.status_code == 201, response.json()
    order = Order.objects.get(public_id=response.json()["order_id"])
    assert (order.list_amount, order.discount_amount, order.amount) == (19900, 1990, 17910)
    assert order.platform_fee + order.seller_amount == 17910
    (request,) = stripe_fake.posts("/v1/checkout/sessions")
    price = request["params"]["line_items"][0]["price_data"]
    assert price["unit_amount"] == "17910"
    assert price["product_data"]["description"] == "Tutoring session; code TUTOR10: CN¥19.90 off CN¥199.00"
    assert DiscountCode.objects.get().uses == 1


def test_a_listing_code_or_a_free_session_is_refused_and_the_slot_is_not_held(
    stripe_fake, seller, offer, buyer, client_for
):
    DiscountCode.objects.create(seller=seller, code="PROMPTS", kind="percent", percent=10)
    DiscountCode.objects.create(seller=seller, code="ALL", kind="percent", percent=100, scope="tutoring")
    api = client_for(buyer)
    assert error_code(book(api, offer, WED_9, code="prompts")) == "code_not_applicable"
    assert error_code(book(api, offer, WED_9, code="all")) == "code_not_applicable"
    assert not Order.objects.exists()
    assert not Booking.objects.filter(status=BookingStatus.HELD).exists()
    assert book(api, offer, WED_9).status_code == 201  # the slot is free to book
