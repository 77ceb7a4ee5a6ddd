"""A buyer types a discount code and presses Pay straight away, without "Update the price": the code
is never dropped. The page comes back with the new price to check (or the code's error), and only
then does Pay charge it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from payments.models import DiscountCode, Order
from prompts import bundles
from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(seller: Any) -> dict[str, Any]:
    listings = [
        make_listing(seller, publish=True, title=title, price_amount=price, price_currency="USD")
        for title, price in [("Neon koi wallpaper", 499), ("Paper crane sticker", 600)]
    ]
    bundle = bundles.bundle_create(
        seller=seller, title="Koi and crane", discount_percent=20, listings=[x.public_id for x in listings]
    )
    bundles.bundle_publish(bundle=bundle, by=seller)
    DiscountCode.objects.create(seller=seller, code="WELCOME10", kind="percent", percent=10)
    UserFactory(handle="mei", email="mei@example.com", password=PASSWORD)
    return {"listing": listings[0], "bundle": bundle}


def test_a_code_typed_then_pay_shows_the_new_price_then_charges_it(page: Any, shop: Any) -> None:
    listing = shop["listing"]
    page.goto("/")
    log_in(page, "mei@example.com", PASSWORD)
    page.goto(f"/listings/{listing.public_id}/checkout/")
    page.get_by_label("Discount code").fill("welcome10")
    page.get_by_role("button", name="Pay $4.99").click()

    page.wait_for_url(re.compile(r"/checkout/\?licence=personal&code=welcome10"))
    assert page.get_by_text("The price is now $4.50: check it before you pay.").is_visible()
    assert page.locator(".price-summary .price-after").inner_text() == "$4.50"
    assert page.get_by_label("Discount code").input_value() == "welcome10"
    assert not Order.objects.exists()
    snap(page, "checkout-code-typed-then-pay")

    page.get_by_role("button", name="Pay $4.50").click()
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    assert "$4.50" in page.content()
    page.locator("button[name=action][value=pay]").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    order = Order.objects.get()
    assert (order.amount, order.discount_code.code) == (450, "WELCOME10")


def test_a_listings_code_typed_on_a_bundle_then_pay_says_why_it_does_not_apply(page: Any, shop: Any) -> None:
    bundle = shop["bundle"]
    page.goto("/")
    log_in(page, "mei@example.com", PASSWORD)
    page.goto(f"/bundles/{bundle.public_id}/")
    page.get_by_label("Discount code").fill("WELCOME10")
    page.get_by_role("button", name="Pay $8.80").click()  # 4.00 + 4.80

    page.wait_for_url(re.compile(r"\?code=WELCOME10"))
    assert (
        page.locator("#bundle-code-error").inner_text() == "WELCOME10 applies to single prompts, not bundles."
    )
    assert page.get_by_role("button", name="Pay $8.80").is_visible()
    assert not Order.objects.exists()
    snap(page, "bundle-code-not-applicable")

    page.get_by_label("Discount code").fill("")
    page.get_by_label("Discount code").press("Enter")  # Enter in the box updates the price, never pays
    page.wait_for_url(re.compile(rf"/bundles/{bundle.public_id}/#bundle-buy-h"))
    assert page.locator("#bundle-code-error").count() == 0 and not Order.objects.exists()
