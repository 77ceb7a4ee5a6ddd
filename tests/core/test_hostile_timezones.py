"""A time zone name from a client (cookie, query, body, form) is an IANA zone or a 4xx, never a 500.

Names that open a file or directory beside the zones (``Europe``, ``posixrules``, ``right/UTC``,
``localtime``) are refused like any unknown name.
"""

from __future__ import annotations

import pytest
from django.test import Client

from marketplace.core.timezones import allowed_zone_names, valid_zone_name, zone
from marketplace.tutoring.models import TutoringOffer
from tests.storefront.test_tutor_admin_pages import NEW, form_errors, offer_form
from tests.storefront.test_tutoring_pages import browser
from tests.tutoring.helpers import book, error_code, make_offer, slots

pytestmark = pytest.mark.django_db

NOT_ZONES = [
    "Europe",
    "America",
    "posixrules",
    "localtime",
    "Factory",
    "right/UTC",
    "posix/Asia/Tokyo",
    "../../etc/passwd",
    "/etc/localtime",
    "Asia/Shang\x00hai",
    "",
    "x" * 300,
]
OFFER = {"title": "Lighting 1:1", "duration_minutes": 60, "price": {"amount": 19900, "currency": "CNY"}}


def test_only_real_zones_are_allowed():
    assert valid_zone_name("Asia/Shanghai") and zone("Asia/Shanghai").key == "Asia/Shanghai"
    assert "UTC" in allowed_zone_names()
    for name in [*NOT_ZONES, None, 8]:
        assert not valid_zone_name(name) and zone(name) is None


@pytest.mark.parametrize("name", ["Europe", "posixrules", "right/UTC", "..%2F..%2Fetc"])
@pytest.mark.parametrize("path", ["/readyz", "/", "/tutoring/", "/api/v1/listings/"])
def test_a_junk_tz_cookie_is_ignored_on_every_page(name, path):
    client = Client()
    client.cookies["tz"] = name
    response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("name", NOT_ZONES)
def test_a_new_offer_in_no_zone_is_a_400_and_writes_nothing(seller_api, name):
    response = seller_api.post("/api/v1/seller/tutoring/offers/", {**OFFER, "timezone": name}, format="json")
    assert response.status_code == 400
    assert error_code(response) in {"invalid_timezone", "invalid", "invalid_characters"}
    if error_code(response) == "invalid_timezone":
        assert "Asia/Shanghai" in response.json()["error"]["message"]
        assert "timezone" in response.json()["error"]["fields"]
    assert not TutoringOffer.objects.exists()


def test_changing_an_offer_to_a_directory_is_a_400_and_keeps_the_zone(seller, seller_api):
    offer = make_offer(seller)
    response = seller_api.patch(
        f"/api/v1/seller/tutoring/offers/{offer.public_id}/", {"timezone": "Europe"}, format="json"
    )
    assert (response.status_code, error_code(response)) == (400, "invalid_timezone")
    offer.refresh_from_db()
    assert offer.timezone == "Asia/Shanghai"


@pytest.mark.parametrize("name", ["Europe", "posixrules", "localtime", "right/UTC"])
def test_slots_in_no_zone_are_a_400_naming_tz(seller, anon, name):
    response = slots(anon, make_offer(seller), tz=name)
    assert (response.status_code, error_code(response)) == (400, "invalid_timezone")
    assert list(response.json()["error"]["fields"]) == ["tz"]


def test_a_booking_in_no_zone_is_a_400_naming_timezone_and_holds_nothing(seller, buyer, client_for):
    offer = make_offer(seller)
    response = book(client_for(buyer), offer, "2030-01-07T09:00:00+08:00", timezone="Europe")
    assert (response.status_code, error_code(response)) == (400, "invalid_timezone")
    assert list(response.json()["error"]["fields"]) == ["timezone"]
    assert not offer.bookings.exists()


@pytest.mark.parametrize("name", ["Europe", "posixrules", "localtime", "right/UTC"])
def test_the_offer_form_says_the_zone_is_unknown(seller, name):
    response = browser(seller).post(NEW, offer_form(timezone_other=name))
    assert response.status_code == 400
    assert f"“{name}” is not a time zone we know. Use an IANA name such as Asia/Shanghai." in form_errors(
        response
    )
    assert not TutoringOffer.objects.exists()
