"""Sellers publish offers and set their hours over REST; bad input gets the envelope."""

from __future__ import annotations

import pytest

from marketplace.core.money import CURRENCIES
from marketplace.tutoring.models import TutoringOffer
from tests.tutoring.helpers import error_code, make_offer

pytestmark = pytest.mark.django_db

OFFER = {
    "title": "Midjourney lighting, one to one",
    "languages": ["en", "zh"],
    "duration_minutes": 45,
    "price": {"amount": 5000, "currency": "usd"},
    "timezone": "Asia/Shanghai",
    "buffer_after_minutes": 15,
}


def test_create_update_and_set_availability(seller_api, anon):
    created = seller_api.post("/api/v1/seller/tutoring/offers/", OFFER, format="json")
    assert created.status_code == 201, created.json()
    offer = created.json()
    assert (offer["price"]["currency"], offer["cancel_full_refund_hours"]) == ("USD", 24)
    url = f"/api/v1/seller/tutoring/offers/{offer['id']}/"
    patched = seller_api.patch(url, {"title": "Lighting 1:1", "min_notice_minutes": 0}, format="json")
    assert patched.status_code == 200 and patched.json()["title"] == "Lighting 1:1"
    hours = {
        "weekly": [{"weekday": 0, "start": "09:00", "end": "10:30"}],
        "overrides": [{"date": "2030-01-07", "blackout": True}],
    }
    put = seller_api.put(url + "availability/", hours, format="json")
    assert put.status_code == 200, put.json()
    assert put.json()["weekly"] == [{"weekday": 0, "start": "09:00", "end": "10:30"}]
    listed = seller_api.get("/api/v1/seller/tutoring/offers/").json()["results"]
    assert [o["id"] for o in listed] == [offer["id"]]
    assert anon.get(f"/api/v1/tutoring/offers/{offer['id']}/").json()["title"] == "Lighting 1:1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Asia/Atlantis"}, "timezone"),
        ({"duration_minutes": 10}, "duration_minutes"),
        ({"duration_minutes": 181}, "duration_minutes"),
    ],
)
def test_bad_offers_get_the_envelope(seller_api, change, field):
    response = seller_api.post("/api/v1/seller/tutoring/offers/", {**OFFER, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]


WHOLE_MINOR_UNITS = "Must be a whole number of minor units (e.g. 499 for $4.99)."
BAD_SESSION_PRICES = {
    "below the minimum": (
        {"amount": 1, "currency": "USD"},
        "price.amount",
        "The smallest non-zero price in USD is $0.50.",
    ),
    "zero": (
        {"amount": 0, "currency": "USD"},
        "price.amount",
        "A tutoring session needs a price above zero.",
    ),
    "24 digits": (
        {"amount": 10**23, "currency": "USD"},
        "price.amount",
        "The largest price in USD is $10,000.00.",
    ),
    "amount in words": ({"amount": "fifty", "currency": "USD"}, "price.amount", WHOLE_MINOR_UNITS),
    "amount with a fraction": ({"amount": 49.5, "currency": "USD"}, "price.amount", WHOLE_MINOR_UNITS),
    "unknown currency": (
        {"amount": 500, "currency": "XYZ"},
        "price.currency",
        f"Unsupported currency 'XYZ'. Use one of: {', '.join(CURRENCIES)}.",
    ),
    "not an object": (
        5000,
        "price",
        "Give the price as an object with an amount in minor units and a currency.",
    ),
}


@pytest.mark.parametrize(
    ("price", "field", "message"), BAD_SESSION_PRICES.values(), ids=BAD_SESSION_PRICES.keys()
)
def test_every_bad_session_price_is_one_invalid_price_error(seller_api, price, field, message):
    response = seller_api.post("/api/v1/seller/tutoring/offers/", {**OFFER, "price": price}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_price",
        "message": message,
        "fields": {field: [message]},
    }
    assert not TutoringOffer.objects.exists()


def test_a_patched_price_is_refused_the_same_way(seller, seller_api):
    offer = make_offer(seller, price_amount=19900, price_currency="CNY")
    url = f"/api/v1/seller/tutoring/offers/{offer.public_id}/"
    response = seller_api.patch(url, {"price": {"amount": 10**23}}, format="json")
    assert response.status_code == 400
    largest = "The largest price in CNY is CN¥70,000.00."
    assert response.json()["error"]["fields"] == {"price.amount": [largest]}
    offer.refresh_from_db()
    assert offer.price_amount == 19900


def test_bad_availability_and_other_sellers_offers(seller_api, client_for, other_seller):
    offer = seller_api.post("/api/v1/seller/tutoring/offers/", OFFER, format="json").json()
    url = f"/api/v1/seller/tutoring/offers/{offer['id']}/availability/"
    backwards = {"weekly": [{"weekday": 0, "start": "10:00", "end": "09:00"}]}
    assert error_code(seller_api.put(url, backwards, format="json")) == "invalid_availability"
    bad_day = {"weekly": [{"weekday": 7, "start": "09:00", "end": "10:00"}]}
    assert seller_api.put(url, bad_day, format="json").status_code == 400
    other = client_for(other_seller)
    assert other.get(f"/api/v1/seller/tutoring/offers/{offer['id']}/").status_code == 404
    assert other.put(url, {"weekly": []}, format="json").status_code == 404
