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


# --- Pay carries the code typed: never charged at a price the buyer did not see ---------------------------


def _form_fields(html: str) -> dict[str, str]:
    """The named fields of the checkout page's one form, as the browser would post them with Pay."""
    form = re.search(r'<form method="post" action="[^"]+/buy/".*?</form>', html, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    fields["licence"] = re.search(r'name="licence" value="(\w+)"[^>]* checked', form.group(0)).group(1)
    assert 'name="code"' in form.group(0) and 'name="intent" value="pay"' in form.group(0)
    return fields


def test_a_code_typed_without_updating_the_price_brings_the_new_price_back_before_paying(buyer, seller, koi):
    DiscountCode.objects.create(seller=seller, code="KOI20", kind="percent", percent=20)
    site = _site(buyer)
    fields = _form_fields(site.get(f"/listings/{koi.public_id}/checkout/").content.decode())
    assert (fields["shown_amount"], fields["shown_currency"], fields["licence"]) == ("499", "USD", "personal")

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = site.post(f"/listings/{koi.public_id}/buy/", {**fields, "code": "koi20", "intent": "pay"})
    assert response.status_code == 303 and not Order.objects.exists()
    assert "/checkout/?licence=personal&code=koi20" in response["Location"]
    page = site.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["The price is now $4.00: check it before you pay."]
    text = _text(page.content.decode())
    assert "Code KOI20 −$0.99" in text and "Pay $4.00" in text
    assert DiscountCode.objects.get().uses == 0

    order = _pay(site, koi, **_form_fields(page.content.decode()), code="koi20")
    assert (order.amount, order.discount_amount, order.status) == (400, 99, "paid")


def test_a_bad_code_typed_and_paid_comes_back_with_its_error_and_charges_nothing(buyer, seller, koi):
    DiscountCode.objects.create(seller=seller, code="TUTOR", kind="percent", percent=20, scope="tutoring")
    site = _site(buyer)
    fields = _form_fields(site.get(f"/listings/{koi.public_id}/checkout/").content.decode())
    for typed, error in [
        ("NOPE", "This code does not exist for this seller."),
        ("tutor", "TUTOR applies to tutoring sessions, not prompts."),
    ]:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = site.post(f"/listings/{koi.public_id}/buy/", {**fields, "code": typed})
        assert response.status_code == 303 and f"code={typed}" in response["Location"]
        page = _text(site.get(response["Location"]).content.decode())
        assert error in page and "Pay $4.99" in page
    assert not Order.objects.exists() and not Unlock.objects.exists()


def test_update_the_price_only_prices_and_a_code_taking_it_all_unlocks_only_once_seen(buyer, seller, koi):
    DiscountCode.objects.create(seller=seller, code="FREE", kind="fixed", amount=1000, currency="USD")
    site = _site(buyer)
    fields = _form_fields(site.get(f"/listings/{koi.public_id}/checkout/").content.decode())
    updated = site.post(f"/listings/{koi.public_id}/buy/", {**fields, "code": "free", "intent": "update"})
    assert updated.status_code == 303 and "/checkout/?licence=personal&code=free" in updated["Location"]
    assert not Unlock.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        paid_direct = site.post(f"/listings/{koi.public_id}/buy/", {**fields, "code": "free"})
    assert "/checkout/" in paid_direct["Location"] and not Unlock.objects.exists()
    page = site.get(paid_direct["Location"]).content.decode()
    assert "Unlock now, free" in page and DiscountCode.objects.get().uses == 0

    with TestCase.captureOnCommitCallbacks(execute=True):
        unlocked = site.post(f"/listings/{koi.public_id}/buy/", {**_form_fields(page), "code": "free"})
    assert "#prompt" in unlocked["Location"] and Unlock.objects.filter(buyer=buyer, listing=koi).exists()


def test_a_code_cleared_or_another_licence_ticked_is_priced_again_before_paying(buyer, seller, koi):
    DiscountCode.objects.create(seller=seller, code="KOI20", kind="percent", percent=20)
    site = _site(buyer)
    fields = _form_fields(site.get(f"/listings/{koi.public_id}/checkout/?code=KOI20").content.decode())
    assert fields["shown_amount"] == "400"
    cleared = site.post(f"/listings/{koi.public_id}/buy/", {**fields, "code": ""})
    assert "Pay $4.99" in _text(site.get(cleared["Location"]).content.decode())
    commercial = site.post(
        f"/listings/{koi.public_id}/buy/", {**fields, "code": "KOI20", "licence": "commercial"}
    )
    assert "Pay $11.98" in _text(site.get(commercial["Location"]).content.decode())  # 14.97 less 20%
    assert not Order.objects.exists()


@pytest.mark.parametrize(("amount", "currency"), [("abc", "USD"), ("٤٩٩", "USD"), ("499", "EUR"), ("-1", "")])
def test_a_shown_price_that_is_not_the_price_charges_nothing_and_is_no_error(buyer, koi, amount, currency):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _site(buyer).post(
            f"/listings/{koi.public_id}/buy/",
            {"licence": "personal", "shown_amount": amount, "shown_currency": currency},
        )
    assert response.status_code == 303 and "/checkout/?licence=personal" in response["Location"]
    assert not Order.objects.exists()

def test_a_licence_price_past_the_largest_is_shown_on_its_own_tier(seller, koi):
    url = f"/dashboard/listings/{koi.public_id}/licences/"
    bad = _site(seller).post(
        url, {"commercial-mode": "off", "extended-mode": "amount", "extended-amount": "10000.01"}
    )
    assert bad.status_code == 400
    (_, commercial), (_, extended) = bad.context["tier_forms"]
    assert commercial.errors == {}
    assert extended.errors["amount"] == ["The largest price in USD is $10,000.00."]
    tiers = {t.licence: (t.amount, t.multiple_bps) for t in ListingLicence.objects.filter(listing=koi)}
    assert tiers == {"commercial": (None, 30000)}  # nothing saved, the withdrawn tier neither
