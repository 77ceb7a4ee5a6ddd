"""The leak matrix: a paid listing's prompt text and usage notes reach its buyer and nobody else.

A canary is planted in both. Every surface a non-buyer can reach is read as anonymous, a stranger,
a buyer of another listing, a buyer whose order was refunded, and another seller; the canary must
appear in none of them. The seller's own view and the paying buyer's prompt show it, so the canary
is really there to find.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from payments.models import Order, OrderStatus
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db

CANARY_TEXT = "CANARY-PROMPT-7f3a1c"
CANARY_NOTES = "CANARY-NOTES-51c2e9"
PERSONAS = ["anonymous", "stranger", "buyer of another listing", "refunded buyer", "other seller"]


def _leaks(body: bytes | str) -> list[str]:
    text = (body.decode() if isinstance(body, bytes) else body).lower()
    return [canary for canary in (CANARY_TEXT, CANARY_NOTES) if canary.lower() in text]


def _secret_listing(seller, **extra: Any):
    return make_listing(
        seller,
        publish=True,
        title="Koi at night",
        price_amount=2900,
        price_currency="CNY",
        prompt_text=f"{CANARY_TEXT} koi under a full moon, [style] ink wash",
        usage_notes=f"{CANARY_NOTES} use a wide aspect ratio",
        **extra,
    )


def _sandbox_pay(api, listing) -> tuple[str, str]:
    """Checkout and press Pay on the sandbox page; returns (order id, checkout page path)."""
    body = checkout(api, listing)
    path = urlsplit(body["checkout_url"]).path
    browser = Client()
    browser.post(path, {"action": "pay"})
    return body["order_id"], path


@pytest.fixture
def world(seller, other_seller, buyer, stranger, client_for):
    """Sandbox provider: one canary listing bought by `buyer`, a refunded buyer, another listing's buyer."""
    secret = _secret_listing(seller)
    other_listing = make_listing(
        seller, publish=True, title="Paper cranes", price_amount=900, price_currency="CNY"
    )
    make_listing(other_seller, publish=True, title="Desert dunes", price_amount=500, price_currency="USD")

    owner_order, owner_page = _sandbox_pay(client_for(buyer), secret)
    refunded = UserFactory(handle="refunded-buyer")
    refunded_order, refunded_page = _sandbox_pay(client_for(refunded), secret)
    refund = client_for(seller).post(f"/api/v1/seller/orders/{refunded_order}/refund/", {}, format="json")
    assert refund.json()["status"] == "refunded"
    other_buyer = UserFactory(handle="other-buyer")
    _sandbox_pay(client_for(other_buyer), other_listing)
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 2
    return {
        "listing": secret,
        "owner_order": owner_order,
        "refunded_order": refunded_order,
        "pages": [owner_page, refunded_page],
        "users": {
            "anonymous": None,
            "stranger": stranger,
            "buyer of another listing": other_buyer,
            "refunded buyer": refunded,
            "other seller": other_seller,
        },
    }


def _clients(user, client_for) -> tuple[APIClient, Client]:
    api = client_for(user) if user is not None else APIClient()
    site = Client()
    if user is not None:
        site.force_login(user)
    return api, site


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_surface_shows_the_prompt_to_someone_who_has_not_bought_it(world, client_for, persona):
    listing = world["listing"]
    lid = listing.public_id
    api, site = _clients(world["users"][persona], client_for)
    api_reads = [
        "/api/v1/listings/",
        f"/api/v1/listings/{lid}/",
        f"/api/v1/listings/?q={CANARY_TEXT}",
        f"/api/v1/listings/?q={CANARY_NOTES}",
        "/api/v1/listings/?q=moon",  # a word of the prompt, not of the title or description
        "/api/v1/me/library/",
        f"/api/v1/orders/{world['owner_order']}/",
        f"/api/v1/orders/{world['refunded_order']}/",
        "/api/v1/seller/sales/",
        "/api/v1/seller/listings/",
        f"/api/v1/seller/listings/{lid}/",
        "/api/v1/listings/NoSuchId0000/",  # 404
        "/api/v1/orders/NoSuchId0000/",  # 404
        "/api/v1/listings/?sort=bogus",  # 400
        "/api/v1/listings/?currency=XXX",  # 400
    ]
    seen = {url: api.get(url) for url in api_reads}
    seen["POST checkout"] = api.post(f"/api/v1/listings/{lid}/checkout/")
    seen["POST refund"] = api.post(f"/api/v1/seller/orders/{world['owner_order']}/refund/", {}, format="json")
    site_reads = [
        "/",
        "/browse/",
        "/browse/?q=moon",
        f"/listings/{lid}/",
        f"/listings/{lid}/report/",
        f"/sellers/{listing.seller.handle}/",
        "/library/",
        "/library/?q=moon",
        "/favourites/",
        "/dashboard/",
        "/account/",
        "/bookings/",
        f"/orders/{world['owner_order']}/status/",
        "/listings/NoSuchId0000/",  # 404 page
        "/browse/?sort=bogus",  # 400 page
        *world["pages"],  # the sandbox checkout pages
        f"/payments/return/{world['owner_order']}/",
        f"/payments/return/{world['refunded_order']}/",
    ]
    seen |= {url: site.get(url) for url in site_reads}
    leaked = {url: _leaks(response.content) for url, response in seen.items() if _leaks(response.content)}
    assert leaked == {}

    assert seen[f"/api/v1/listings/{lid}/"].status_code == 200
    for query in (CANARY_TEXT, CANARY_NOTES, "moon"):
        assert seen[f"/api/v1/listings/?q={query}"].json()["results"] == []  # search is no oracle
    assert seen[f"/api/v1/orders/{world['owner_order']}/"].status_code in (401, 404)
    assert seen[f"/api/v1/seller/listings/{lid}/"].status_code in (401, 404)
    assert seen["POST refund"].status_code in (401, 404)
    assert seen["/listings/NoSuchId0000/"].status_code == 404
    assert seen["/browse/?sort=bogus"].status_code == 400
    assert "No listing matches" in seen["/browse/?q=moon"].content.decode()  # the website is no oracle
    assert seen[f"/listings/{lid}/"].status_code == 200
    assert seen[f"/orders/{world['owner_order']}/status/"].status_code == 404
    prompt = api.get(f"/api/v1/listings/{lid}/prompt/")
    assert prompt.status_code == 403
    assert prompt.json()["error"]["code"] == "not_unlocked"
    assert _leaks(prompt.content) == []


def test_the_canary_is_there_for_its_buyer_and_its_seller(world, buyer, seller, client_for):
    lid = world["listing"].public_id
    prompt = client_for(buyer).get(f"/api/v1/listings/{lid}/prompt/")
    assert prompt.status_code == 200
    assert _leaks(prompt.content) == [CANARY_TEXT, CANARY_NOTES]
    own = client_for(seller).get(f"/api/v1/seller/listings/{lid}/")
    assert _leaks(own.content) == [CANARY_TEXT, CANARY_NOTES]


@pytest.mark.parametrize("provider", ["sandbox", "stripe"])
def test_a_whole_purchase_flow_logs_no_prompt(request, seller, buyer, stranger, client_for, caplog, provider):
    fake = request.getfixturevalue("stripe_fake") if provider == "stripe" else None
    listing = _secret_listing(seller)
    buyer_api, seller_api = client_for(buyer), client_for(seller)
    caplog.set_level(logging.DEBUG)

    if fake is None:
        order_id, _ = _sandbox_pay(buyer_api, listing)
    else:
        order_id = checkout(buyer_api, listing)["order_id"]
        assert deliver(fake.complete(fake.session_for_order(order_id)["id"])).status_code == 200
    page = Client()
    page.force_login(buyer)
    assert "Unlocked" in page.get(f"/payments/return/{order_id}/").content.decode()
    assert buyer_api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code == 200
    buyer_api.get("/api/v1/me/library/")
    buyer_api.get(f"/api/v1/orders/{order_id}/")
    denied = client_for(stranger).get(f"/api/v1/listings/{listing.public_id}/prompt/")
    assert denied.status_code == 403
    seller_api.get("/api/v1/seller/sales/")
    refund = seller_api.post(f"/api/v1/seller/orders/{order_id}/refund/", {"amount": 1000}, format="json")
    assert refund.status_code == 201
    if fake is not None:
        for event in [e for e in fake.events if e["type"] == "charge.refunded"]:
            deliver(event)

    assert caplog.records, "nothing was logged: the capture is not working"
    assert any(record.levelno == logging.WARNING for record in caplog.records)  # the 403 above
    logged = caplog.text + "".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    assert _leaks(logged) == []
