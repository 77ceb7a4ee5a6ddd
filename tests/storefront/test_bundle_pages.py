"""The website's bundle pages: what this buyer pays, buying through the sandbox, the cards on the
seller's and the member listings' pages, and the studio's bundle form."""

from __future__ import annotations

import re

import orjson
import pytest
from django.test import Client, TestCase

from payments.models import DiscountCode, Order, OrderStatus, Unlock
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


def _pay_form(html: str) -> dict[str, str]:
    """The hidden fields of the bundle's one buy form, which also holds the code box and Pay."""
    form = re.search(r'<form method="post" action="/bundles/[^"]+/buy/".*?</form>', html, re.S)
    assert form is not None and 'name="code"' in form.group(0) and 'value="pay"' in form.group(0)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))


def test_a_code_typed_on_the_bundle_and_paid_at_once_shows_the_new_price_first(buyer, seller, bundle):
    DiscountCode.objects.create(
        seller=seller, code="TRIO5", kind="fixed", amount=500, currency="USD", scope="bundles"
    )
    site = _site(buyer)
    fields = _pay_form(site.get(f"/bundles/{bundle.public_id}/").content.decode())
    assert (fields["shown_amount"], fields["shown_currency"]) == ("1500", "USD")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = site.post(f"/bundles/{bundle.public_id}/buy/", {**fields, "code": "trio5"})
    assert response.status_code == 303 and response["Location"].endswith("?code=trio5")
    assert not Order.objects.exists() and DiscountCode.objects.get().uses == 0
    page = site.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["The price is now $10.00: check it before you pay."]
    assert "Code TRIO5 −$5.00" in _text(page.content.decode())

    with TestCase.captureOnCommitCallbacks(execute=True):
        paid = site.post(
            f"/bundles/{bundle.public_id}/buy/", {**_pay_form(page.content.decode()), "code": "trio5"}
        )
    assert "/payments/sandbox/checkout/" in paid["Location"]
    order = Order.objects.get(buyer=buyer, bundle=bundle)
    assert (order.amount, order.discount_code.code) == (1000, "TRIO5")


def test_a_listings_code_on_a_bundle_says_what_it_applies_to_and_charges_nothing(buyer, seller, bundle):
    DiscountCode.objects.create(seller=seller, code="WELCOME10", kind="percent", percent=10)
    site = _site(buyer)
    fields = _pay_form(site.get(f"/bundles/{bundle.public_id}/").content.decode())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = site.post(f"/bundles/{bundle.public_id}/buy/", {**fields, "code": "WELCOME10"})
    page = _text(site.get(response["Location"]).content.decode())
    assert "WELCOME10 applies to single prompts, not bundles." in page and "Pay $15.00" in page
    assert not Order.objects.exists()
    updated = site.post(f"/bundles/{bundle.public_id}/buy/", {"code": "WELCOME10", "intent": "update"})
    assert updated["Location"].endswith("?code=WELCOME10#bundle-buy-h") and not Order.objects.exists()
