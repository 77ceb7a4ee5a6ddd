"""The website's bundle pages: what this buyer pays, buying through the sandbox, the cards on the
seller's and the member listings' pages, and the studio's bundle form."""

from __future__ import annotations

import re

import orjson
import pytest
from django.test import Client, TestCase

from payments.models import Order, OrderStatus, Unlock
from payments.services.fulfilment import unlock_grant
from prompts import bundles
from prompts.models import Bundle, Listing
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


def _site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def trio(seller):
    return [
        make_listing(seller, publish=True, title=f"Koi {n}", price_amount=price, price_currency="USD")
        for n, price in enumerate((400, 600, 1000))
    ]


@pytest.fixture
def bundle(seller, trio) -> Bundle:
    made = bundles.bundle_create(
        seller=seller, title="Koi trio", discount_percent=25, listings=[x.public_id for x in trio]
    )
    return bundles.bundle_publish(bundle=made, by=seller)


def test_a_buyer_owning_one_sees_they_pay_for_two_and_buys_them_in_the_sandbox(buyer, bundle, trio):
    unlock_grant(buyer=buyer, listing=trio[0], order=None)
    site = _site(buyer)
    page = _text(site.get(f"/bundles/{bundle.public_id}/").content.decode())
    assert "You own 1 of 3: you pay for 2." in page
    assert "$12.00" in page  # (600 + 1000) less 25% each
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = site.post(f"/bundles/{bundle.public_id}/buy/")
    assert response.status_code == 303 and "/payments/sandbox/checkout/" in response["Location"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        site.post(response["Location"], {"action": "pay"})
    order = Order.objects.get(buyer=buyer, bundle=bundle)
    assert (order.status, order.amount) == (OrderStatus.PAID, 1200)
    assert Unlock.objects.active().filter(buyer=buyer).count() == 3
    assert "You own every listing in this bundle already." in _text(
        site.get(f"/bundles/{bundle.public_id}/").content.decode()
    )


def test_the_bundle_shows_on_its_listings_and_its_sellers_page_and_never_a_prompt(
    client, seller, bundle, trio
):
    listing_page = client.get(f"/listings/{trio[1].public_id}/").content.decode()
    assert f"/bundles/{bundle.public_id}/" in listing_page
    assert "Koi trio 3 listings, 25% off" in _text(listing_page)
    assert f"/bundles/{bundle.public_id}/" in client.get(f"/sellers/{seller.handle}/").content.decode()
    public = client.get(f"/bundles/{bundle.public_id}/").content.decode()
    assert "Sign in to buy" in public
    for listing in trio:
        assert listing.versions.get().text not in public


def _cover_url(listing: Listing) -> str:
    listing.refresh_from_db()
    return orjson.loads(listing.card_json)["cover"]["sizes"][0]["url"]


def test_a_bundle_card_has_one_heading_and_a_strip_of_its_first_listings_covers(client, seller, trio):
    text_only = make_listing(
        seller,
        publish=True,
        title="Koi haiku",
        target_model="chatgpt",
        price_amount=300,
        price_currency="USD",
    )
    more = [
        make_listing(seller, publish=True, title=f"Koi {n}", price_amount=500, price_currency="USD")
        for n in (3, 4)
    ]
    members = [text_only, *trio, *more]
    made = bundles.bundle_create(
        seller=seller, title="Koi pond", discount_percent=20, listings=[x.public_id for x in members]
    )
    bundles.bundle_publish(bundle=made, by=seller)
    page = client.get(f"/listings/{trio[1].public_id}/").content.decode()
    section = page.split('<section class="bundles"')[1].split("</section>")[0]
    text = _text(section)
    assert text.count("Also in") == 1 and "Koi pond 6 listings, 20% off" in text  # the heading once
    covers = re.findall(r'<img src="([^"]+)" alt=""', section)
    # The first four listings that have an example image, in the bundle's order: the text one has none.
    assert covers == [_cover_url(listing) for listing in (*trio, more[0])]


def test_a_seller_creates_and_publishes_a_bundle_in_the_studio(seller, trio):
    site = _site(seller)
    refused = site.post(
        "/dashboard/bundles/",
        {"title": "One", "discount_percent": 10, "listings": [trio[0].public_id], "publish": "1"},
    )
    assert refused.status_code == 200 and "A bundle holds 2 to 20 listings." in _text(
        refused.content.decode()
    )
    created = site.post(
        "/dashboard/bundles/",
        {
            "title": "Two",
            "discount_percent": 10,
            "listings": [trio[0].public_id, trio[2].public_id],
            "publish": "1",
        },
    )
    assert created.status_code == 303
    bundle = Bundle.objects.get(title="Two")
    assert bundle.status == "published" and bundle.items.count() == 2
    assert Client().get(f"/bundles/{bundle.public_id}/").status_code == 200
