"""The booking and reschedule bodies: what a client that sends the wrong shape is told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from marketplace.tutoring.models import Booking
from tests.tutoring.helpers import book, make_offer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9 = "2026-05-06T09:00:00+08:00"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize("body", [[WED_9], {"start": None}, {}, {"start": 20260506}])
def test_a_booking_body_without_a_usable_start_is_a_400_that_names_start(seller, buyer, client_for, body):
    offer = make_offer(seller)
    url = f"/api/v1/tutoring/offers/{offer.public_id}/bookings/"
    response = client_for(buyer).post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["message"] == "start is required."
    assert list(response.json()["error"]["fields"]) == ["start"]
    assert not Booking.objects.exists()


def test_an_unknown_listing_is_named_and_nothing_is_held(seller, buyer, client_for):
    response = book(client_for(buyer), make_offer(seller), WED_9, listing="nope", timezone=None)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "listing_not_owned"
    assert response.json()["error"]["fields"] == {"listing": ["Unknown listing."]}
    assert not Booking.objects.exists()


def test_a_reschedule_body_that_is_not_an_object_asks_for_start(seller, buyer, client_for):
    response = book(client_for(buyer), make_offer(seller), WED_9)
    url = f"/api/v1/tutoring/bookings/{response.json()['booking_id']}/reschedule/"
    moved = client_for(buyer).post(url, ["2026-05-07T09:00:00+08:00"], format="json")
    assert moved.status_code == 400 and moved.json()["error"]["message"] == "start is required."
