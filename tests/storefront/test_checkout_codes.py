"""The website's checkout page: a licence and a discount code, the price before and after, then Pay."""

from __future__ import annotations

import re

import pytest
from django.test import Client, TestCase

from payments.models import DiscountCode, ListingLicence, Order, Unlock
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


def _site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def koi(seller):
    listing = make_listing(
        seller, publish=True, title="Neon koi wallpaper", price_amount=499, price_currency="USD"
    )
    ListingLicence.objects.create(listing=listing, licence="commercial", multiple_bps=30000)
    return listing


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pay(site: Client, listing, **form) -> Order:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = site.post(f"/listings/{listing.public_id}/buy/", form)
    assert response.status_code == 303 and "/payments/sandbox/checkout/" in response["Location"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        site.post(response["Location"], {"action": "pay"})
    return Order.objects.filter(buyer_id=site.session["_auth_user_id"]).latest("created_at")


def test_a_code_on_the_checkout_page_shows_before_and_after_and_pays_the_lower_price(buyer, seller, koi):
    DiscountCode.objects.create(seller=seller, code="KOI20", kind="percent", percent=20)
    site = _site(buyer)
    listing_page = site.get(f"/listings/{koi.public_id}/").content.decode()
    assert f"/listings/{koi.public_id}/checkout/" in listing_page

    page = _text(site.get(f"/listings/{koi.public_id}/checkout/", {"code": "koi20"}).content.decode())
    assert "Price $4.99" in page and "Code KOI20 −$0.99" in page and "You pay $4.00" in page
    assert "Commercial · $14.97" in page

    order = _pay(site, koi, licence="personal", code="KOI20")
    assert (order.amount, order.discount_amount, order.status) == (400, 99, "paid")
    receipt = _text(site.get(f"/orders/{order.public_id}/receipt/").content.decode())
    assert "Licence Personal" in receipt and "Discount −$0.99 code KOI20" in receipt
    assert "Personal" in _text(site.get("/library/").content.decode())


def test_a_bad_code_is_explained_on_the_page_and_the_price_stays(buyer, koi):
    page = _text(_site(buyer).get(f"/listings/{koi.public_id}/checkout/", {"code": "NOPE"}).content.decode())
    assert "This code does not exist for this seller." in page and "You pay $4.99" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _site(buyer).post(f"/listings/{koi.public_id}/buy/", {"code": "NOPE"})
    assert response.status_code == 303 and "/checkout/?code=NOPE" in response["Location"]
    assert not Order.objects.exists()


def test_a_buyer_upgrades_on_the_website_paying_the_difference(buyer, koi):
    site = _site(buyer)
    _pay(site, koi)
    listing_page = _text(site.get(f"/listings/{koi.public_id}/").content.decode())
    assert "Your licence: Personal" in listing_page and "Upgrade" in listing_page
    page = _text(site.get(f"/listings/{koi.public_id}/checkout/").content.decode())
    assert "Upgrade your licence" in page and "Paid for your Personal licence −$4.99" in page
    assert "You pay $9.98" in page
    upgrade = _pay(site, koi, licence="commercial")
    assert (upgrade.amount, upgrade.upgrade_from) == (998, "personal")
    assert Unlock.objects.get(buyer=buyer).licence == "commercial"
    assert "You hold the highest licence" in site.get(f"/listings/{koi.public_id}/checkout/").content.decode()


def test_the_listing_page_names_the_licences_checkout_sells_and_the_one_the_buyer_holds(buyer, koi):
    page = _text(Client().get(f"/listings/{koi.public_id}/").content.decode())
    assert "Licences Personal · $4.99 Commercial · $14.97" in page
    site = _site(buyer)
    _pay(site, koi)
    page = _text(site.get(f"/listings/{koi.public_id}/").content.decode())
    assert "Personal · $4.99 (yours) Commercial · $14.97" in page


def test_a_listing_without_tiers_offers_only_the_personal_licence_whatever_its_old_licence_field_says(seller):
    # Listing.license predates the tiers and decides nothing; the page must not promise it.
    listing = make_listing(seller, publish=True, price_amount=900, price_currency="CNY", license="commercial")
    page = _text(Client().get(f"/listings/{listing.public_id}/").content.decode())
    assert "Licence Personal · CN¥9.00" in page
    assert "Commercial" not in page and "License" not in page


def test_free_after_discount_unlocks_from_the_checkout_page(buyer, seller, koi):
    DiscountCode.objects.create(seller=seller, code="FREE", kind="fixed", amount=1000, currency="USD")
    site = _site(buyer)
    page = _text(site.get(f"/listings/{koi.public_id}/checkout/", {"code": "free"}).content.decode())
    assert "You pay $0.00" in page and "Unlock now, free" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = site.post(f"/listings/{koi.public_id}/buy/", {"licence": "personal", "code": "FREE"})
    assert response.status_code == 303 and "#prompt" in response["Location"]
    assert Unlock.objects.filter(buyer=buyer, listing=koi).exists() and not Order.objects.exists()
    assert DiscountCode.objects.get().uses == 1


def test_a_seller_creates_and_switches_off_a_code_and_sets_licences_in_the_studio(seller, koi):
    site = _site(seller)
    assert site.get("/dashboard/codes/").status_code == 200
    bad = site.post(
        "/dashboard/codes/",
        {"code": "KOI", "kind": "percent", "value": "150", "currency": "USD", "scope": "all_listings"},
    )
    assert bad.status_code == 400 and "Give a percent from 1 to 100." in bad.content.decode()
    created = site.post(
        "/dashboard/codes/",
        {
            "code": "Koi-5",
            "kind": "fixed",
            "value": "0.50",
            "currency": "USD",
            "scope": "listings",
            "listings": [koi.public_id],
            "max_uses": "10",
            "min_order": "2.00",
        },
    )
    assert created.status_code == 303
    code = DiscountCode.objects.get(code="Koi-5")
    assert (code.amount, code.currency, code.min_order_amount, list(code.listings.all())) == (
        50,
        "USD",
        200,
        [koi],
    )
    assert "Koi-5" in site.get("/dashboard/codes/").content.decode()
    site.post("/dashboard/codes/", {"switch": "koi-5"})
    assert DiscountCode.objects.get(pk=code.pk).active is False

    url = f"/dashboard/listings/{koi.public_id}/licences/"
    assert "$14.97" in site.get(url).content.decode()  # commercial at 3x
    saved = site.post(
        url,
        {
            "commercial-mode": "amount",
            "commercial-amount": "12.00",
            "extended-mode": "multiple",
            "extended-multiple": "5",
        },
    )
    assert saved.status_code == 303
    tiers = {t.licence: (t.amount, t.multiple_bps) for t in ListingLicence.objects.filter(listing=koi)}
    assert tiers == {"commercial": (1200, None), "extended": (None, 50000)}
    site.post(url, {"commercial-mode": "off", "extended-mode": "multiple", "extended-multiple": "5"})
    assert list(ListingLicence.objects.filter(listing=koi).values_list("licence", flat=True)) == ["extended"]


def test_another_sellers_licence_page_is_a_404(other_seller, koi):
    assert _site(other_seller).get(f"/dashboard/listings/{koi.public_id}/licences/").status_code == 404


@pytest.mark.parametrize("value", ["²", "٣٠", "１0"])
def test_a_percent_in_other_digits_is_a_form_error_not_a_500(seller, value):
    bad = _site(seller).post(
        "/dashboard/codes/",
        {"code": "KOI", "kind": "percent", "value": value, "currency": "USD", "scope": "all_listings"},
    )
    assert bad.status_code == 400 and "Give a percent from 1 to 100." in bad.content.decode()
    assert not DiscountCode.objects.exists()


@pytest.mark.parametrize("multiple", ["inf", "-inf", "Infinity", "nan", "sNaN", "2,5"])
def test_a_multiple_that_is_not_a_number_is_a_form_error_not_a_500(seller, koi, multiple):
    url = f"/dashboard/listings/{koi.public_id}/licences/"
    bad = _site(seller).post(
        url,
        {
            "commercial-mode": "amount",
            "commercial-amount": "12.00",
            "extended-mode": "multiple",
            "extended-multiple": multiple,
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and "Give a price such as 9.90, or a multiple such as 2.5." in page
    tiers = {t.licence: (t.amount, t.multiple_bps) for t in ListingLicence.objects.filter(listing=koi)}
    assert tiers == {"commercial": (None, 30000)}  # nothing saved, the fine tier neither
