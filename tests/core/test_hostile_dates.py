"""Dates and instants at the edges of the calendar are a 400 (or a fallback on pages), never a 500.

Near year 1 and year 9999 ``date + timedelta`` and offset arithmetic overflow; every parser of a
client's date keeps to years 2000 to 2100.
"""

from __future__ import annotations

import base64

import orjson
import pytest
from django.test import Client

from marketplace.tutoring.models import Booking, DateOverride
from tests.storefront.test_tutor_admin_pages import hours_form, hours_url
from tests.storefront.test_tutoring_pages import book as book_on_the_website
from tests.storefront.test_tutoring_pages import browser, html_of, messages_on
from tests.tutoring.helpers import book, error_code, make_offer, slots

pytestmark = pytest.mark.django_db

EDGE_DATES = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"]
EDGE_INSTANTS = [
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "2101-01-01T09:00:00+08:00",
]


def assert_invalid_date(response, field: str) -> None:
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "invalid_date"
    assert field in error["fields"]


@pytest.mark.parametrize("day", EDGE_DATES)
def test_slots_for_edge_dates_are_a_400_naming_the_parameter(seller, anon, day):
    offer = make_offer(seller)
    response = slots(anon, offer, **{"from": day, "to": day})
    assert_invalid_date(response, "from")
    assert response.json()["error"]["message"] == (
        "from must be a date from 2000-01-01 to 2100-12-31, such as 2026-03-09."
    )
    assert_invalid_date(slots(anon, offer, **{"from": "2026-05-04", "to": day}), "to")


@pytest.mark.parametrize("day", ["99999-01-01", "2026-02-30", "+2026-01-01", "2026-05-04\x00"])
def test_slots_for_impossible_dates_are_a_400(seller, anon, day):
    response = slots(anon, make_offer(seller), **{"from": day})
    assert response.status_code == 400
    assert error_code(response) in {"invalid_date", "invalid_parameter"}


def test_the_last_day_of_the_range_is_a_date_with_no_slots(seller, anon):
    response = slots(anon, make_offer(seller), **{"from": "2100-12-31", "to": "2100-12-31"})
    assert response.status_code == 200
    assert response.json()["slots"] == []


@pytest.mark.parametrize("start", EDGE_INSTANTS)
def test_booking_at_an_edge_instant_is_a_400_and_holds_nothing(seller, buyer, client_for, start):
    offer = make_offer(seller)
    assert_invalid_date(book(client_for(buyer), offer, start), "start")
    assert not Booking.objects.exists()


@pytest.mark.parametrize("start", EDGE_INSTANTS)
def test_booking_at_an_edge_instant_on_the_website_comes_back_as_a_message(seller, buyer, start):
    offer = make_offer(seller)
    client = browser(buyer)
    response = book_on_the_website(client, offer, start)
    assert response.status_code == 303
    assert messages_on(client.get(response["Location"])) == ["Use a date from 2000-01-01 to 2100-12-31."]
    assert not Booking.objects.exists()


@pytest.mark.parametrize("day", EDGE_DATES)
def test_an_override_on_an_edge_date_is_a_400_and_keeps_the_hours(seller, seller_api, day):
    offer = make_offer(seller)
    body = {"weekly": [], "overrides": [{"date": day, "blackout": True}]}
    response = seller_api.put(
        f"/api/v1/seller/tutoring/offers/{offer.public_id}/availability/", body, format="json"
    )
    assert response.status_code == 400
    assert "overrides" in response.json()["error"]["fields"]
    assert offer.weekly.count() == 7 and not DateOverride.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_override_on_an_edge_date_is_a_form_error_on_the_hours_page(seller, day):
    offer = make_offer(seller)
    response = browser(seller).post(hours_url(offer), hours_form({0: [("09:00", "12:00")]}, [(day, "", "")]))
    assert response.status_code == 400
    assert "Use a date from 2000-01-01 to 2100-12-31." in html_of(response)
    assert offer.weekly.count() == 7
    assert not DateOverride.objects.exists()


@pytest.mark.parametrize("day", [*EDGE_DATES, "99999-01-01", "2026-02-30"])
def test_the_slot_picker_falls_back_to_today_for_edge_dates(seller, day):
    offer = make_offer(seller)
    response = Client().get(f"/tutoring/{offer.public_id}/?from={day}")
    assert response.status_code == 200


def cursor(value: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(["newest", value, 1])).decode().rstrip("=")


@pytest.mark.parametrize(
    "value", ["2026-13-45T00:00:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-02-30"]
)
def test_a_catalog_cursor_with_an_impossible_time_is_a_400(anon, value):
    response = anon.get(f"/api/v1/listings/?sort=newest&cursor={cursor(value)}")
    assert (response.status_code, error_code(response)) == (400, "invalid_cursor")
    page = Client().get(f"/browse/?sort=newest&cursor={cursor(value)}")
    assert page.status_code < 500
