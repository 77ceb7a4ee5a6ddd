"""A seller logs in and sees the dashboard; a buyer books a tutoring slot in their own time zone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory, make_listing
from tests.tutoring.helpers import make_offer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_seller_logs_in_and_sees_listings_previews_and_payouts(page: Any, seller: Any) -> None:
    make_listing(seller, publish=True, title="Neon koi wallpaper", price_amount=499, price_currency="USD")
    make_listing(seller, title="Draft emoji pack")
    page.goto("/")
    log_in(page, seller.email, PASSWORD)
    page.get_by_role("link", name="Sell", exact=True).click()
    page.get_by_role("heading", name="Seller dashboard").wait_for()
    listings = page.locator("#listings-h").locator("xpath=..")
    assert listings.get_by_text("Neon koi wallpaper").is_visible()
    assert listings.get_by_text("Draft emoji pack").is_visible()
    assert page.get_by_text("Ready").first.is_visible()  # the example image's preview status
    snap(page, "seller-dashboard")

    page.get_by_role("link", name=re.compile("@" + seller.handle)).click()
    page.get_by_role("button", name=re.compile("Create", re.I)).first.wait_for()
    snap(page, "account")


def test_a_buyer_books_a_tutoring_slot_and_finds_it_in_their_bookings(page: Any, seller: Any) -> None:
    offer = make_offer(seller, tz="Asia/Shanghai", title="Midjourney portraits, one to one")
    UserFactory(handle="ana", email="ana@example.com")
    page.goto("/tutoring/")
    log_in(page, "ana@example.com", PASSWORD)
    page.goto("/tutoring/")
    page.get_by_role("link", name=offer.title).click()
    page.get_by_text("New York (Eastern Time)").first.wait_for()  # the browser's zone, sent by site.js
    snap(page, "tutoring-offer")
    first_slot = page.locator("#slots button[name=start]").first
    chosen = first_slot.get_attribute("value")
    assert chosen and chosen.endswith(("-05:00", "-04:00"))  # a New York local time with its offset
    first_slot.click()
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    page.get_by_role("button", name=re.compile("Pay", re.I)).first.click()
    page.get_by_role("heading", name="Booked").wait_for()
    snap(page, "tutoring-booked")

    page.get_by_role("link", name="Bookings").first.click()
    page.get_by_text(offer.title).first.wait_for()
    assert page.get_by_role("link", name=re.compile(r"\.ics|calendar", re.I)).first.is_visible()
    snap(page, "my-bookings")


def test_a_first_visit_straight_to_an_offer_shows_times_in_the_visitors_zone(page: Any, seller: Any) -> None:
    offer = make_offer(seller, tz="Asia/Shanghai")
    page.goto(f"/tutoring/{offer.public_id}/")  # no earlier page has told the server the zone
    page.get_by_text("New York (Eastern Time)").first.wait_for()  # site.js set the cookie and reloaded once
    first_slot = page.locator("#slots .times a, #slots .times button").first
    assert first_slot.inner_text().endswith("PM")  # 09:00 in Shanghai is the evening before in New York
