"""The site opened on another host and port than SITE_URL: booking and buying finish in the browser.

Before, the checkout redirect went to SITE_URL's origin; the CSP's form-action refused it, the
page stayed put and the slot stayed held. Here SITE_URL names a port nobody serves and the
visitor uses 127.0.0.1 while the live server calls itself localhost.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from marketplace.tutoring.models import Booking, BookingStatus
from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory
from tests.tutoring.helpers import make_offer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_booking_on_another_host_and_port_reaches_booked_and_leaves_no_hold(
    page: Any, live_server: Any, settings: Any, seller: Any
) -> None:
    settings.SITE_URL = "http://127.0.0.1:1"  # what the operator wrote; not where this visitor is
    other = live_server.url.replace("localhost", "127.0.0.1")
    offer = make_offer(seller, tz="Asia/Shanghai", title="Midjourney portraits, one to one")
    UserFactory(handle="ana", email="ana@example.com")
    page.goto(f"{other}/tutoring/")
    log_in(page, "ana@example.com", PASSWORD)
    page.goto(f"{other}/tutoring/{offer.public_id}/")
    page.locator("#slots button[name=start]").first.click()
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    assert urlsplit(page.url).netloc == urlsplit(other).netloc
    page.get_by_role("button", name=re.compile("Pay", re.I)).first.click()
    page.get_by_role("heading", name="Booked").wait_for()
    assert urlsplit(page.url).netloc == urlsplit(other).netloc
    snap(page, "other-host-booked")
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    assert not Booking.objects.filter(status=BookingStatus.HELD).exists()
