"""The site opened on another host or port than SITE_URL: every redirect stays on the visitor's host.

Before, checkout and booking redirects were built from SITE_URL (http://127.0.0.1:8000): a visitor
on localhost:8100 was sent to another origin, which the CSP's form-action refuses, and the booking
stayed held with no checkout to finish it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client, TestCase

from marketplace.tutoring.models import Booking, BookingStatus
from payments.models import Order, Unlock
from tests.factories import PASSWORD, make_listing
from tests.tutoring.helpers import make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
HOST = "localhost:8100"
ORIGIN = f"http://{HOST}"
WED_9 = "2026-05-06T09:00:00+08:00"


@pytest.fixture(autouse=True)
def _other_host(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]


def _site(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


def _stays_here(location: str) -> None:
    """A relative URL, or an absolute one on the visitor's own host: never SITE_URL's."""
    parts = urlsplit(location)
    assert not parts.netloc or f"{parts.scheme}://{parts.netloc}" == ORIGIN, location


def _post(client: Client, url: str, data: dict[str, str]) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 303, response.content[:300]
    _stays_here(response["Location"])
    return response["Location"]


def test_booking_on_another_port_pays_on_it_and_leaves_no_hold(seller, buyer):
    offer = make_offer(seller)
    site = _site(buyer)
    checkout = _post(site, f"/tutoring/{offer.public_id}/book/", {"start": WED_9, "from": "2026-05-06"})
    assert checkout.startswith(f"{ORIGIN}/payments/sandbox/checkout/")
    assert site.get(checkout).status_code == 200

    back = _post(site, checkout, {"action": "pay"})
    page = site.get(back)
    assert page.status_code == 200 and "Booked" in page.content.decode()
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    assert not Booking.objects.filter(status=BookingStatus.HELD).exists()


def test_cancelling_the_checkout_on_another_port_frees_the_slot(seller, buyer):
    offer = make_offer(seller)
    site = _site(buyer)
    checkout = _post(site, f"/tutoring/{offer.public_id}/book/", {"start": WED_9, "from": "2026-05-06"})
    back = _post(site, checkout, {"action": "cancel"})
    assert "Checkout canceled" in site.get(back).content.decode()
    assert not Booking.objects.filter(status=BookingStatus.HELD).exists()


def test_buying_on_another_port_stays_on_it(seller, buyer):
    listing = make_listing(seller, publish=True, price_amount=499, price_currency="USD")
    site = _site(buyer)
    checkout = _post(site, f"/listings/{listing.public_id}/buy/", {})
    assert urlsplit(checkout).path.startswith("/payments/sandbox/checkout/")
    order = Order.objects.get(buyer=buyer)
    assert order.checkout_url.startswith(f"{ORIGIN}/")  # where Stripe would send the buyer back
    back = _post(site, checkout, {"action": "pay"})
    assert site.get(back).status_code == 200
    assert Unlock.objects.filter(buyer=buyer, listing=listing).exists()


def test_login_next_stays_on_the_visitors_host(buyer):
    client = Client(HTTP_HOST=HOST)
    response = client.post(
        "/accounts/login/?next=/library/", {"email": buyer.email, "password": PASSWORD, "next": "/library/"}
    )
    assert response.status_code in (302, 303)
    _stays_here(response["Location"])
    assert urlsplit(response["Location"]).path == "/library/"


def test_a_host_outside_allowed_hosts_is_refused(buyer):
    client = Client(HTTP_HOST="evil.example:8100")
    client.force_login(buyer)
    assert client.get("/").status_code == 400
