"""A buyer who owns one listing of a three-listing bundle buys the bundle, paying for the other two."""

from __future__ import annotations

import re
from typing import Any

import pytest

from payments.services.fulfilment import unlock_grant
from prompts import bundles
from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(seller: Any) -> dict[str, Any]:
    listings = [
        make_listing(
            seller,
            publish=True,
            title=title,
            price_amount=price,
            price_currency="USD",
            prompt_text=f"BUNDLE-SECRET-{n} {title.lower()}, [style]",
        )
        for n, (title, price) in enumerate(
            [("Neon koi wallpaper", 400), ("Paper crane sticker", 600), ("Jade dragon tee", 1000)]
        )
    ]
    bundle = bundles.bundle_create(
        seller=seller, title="Lucky trio", discount_percent=25, listings=[x.public_id for x in listings]
    )
    bundles.bundle_publish(bundle=bundle, by=seller)
    buyer = UserFactory(handle="mei", email="mei@example.com", password=PASSWORD)
    unlock_grant(buyer=buyer, listing=listings[0], order=None)
    return {"listings": listings, "bundle": bundle}


def test_a_buyer_owning_one_of_three_pays_for_two_and_reads_all_three(page: Any, shop: Any) -> None:
    listings, bundle = shop["listings"], shop["bundle"]
    page.goto("/")
    log_in(page, "mei@example.com", PASSWORD)
    page.goto(f"/listings/{listings[1].public_id}/")
    page.locator(".bundle-card").get_by_text("Lucky trio").click()
    page.wait_for_url(re.compile(rf"/bundles/{bundle.public_id}/"))
    assert page.locator(".grid .card").count() == 3
    assert page.locator(".bundle-owned").inner_text() == "You own 1 of 3: you pay for 2."
    rows = page.locator("table.bundle-lines tbody tr th").all_inner_texts()
    assert rows == ["Paper crane sticker", "Jade dragon tee"]
    assert page.locator(".price-summary .price-after").inner_text() == "$12.00"  # 4.50 + 7.50
    assert "BUNDLE-SECRET" not in page.content()
    snap(page, "bundle-owns-one")

    page.get_by_role("button", name=re.compile(r"Pay \$12\.00")).click()
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    assert "$12.00" in page.content()
    page.locator("button[name=action][value=pay]").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    unlocked = page.locator(".bundle-unlocked").inner_text()
    assert unlocked == "The listings of “Lucky trio” are in your library."
    snap(page, "bundle-paid")

    for n, listing in enumerate(listings):
        page.goto(f"/listings/{listing.public_id}/")
        assert f"BUNDLE-SECRET-{n}" in page.locator("#prompt-text").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/bundles/{bundle.public_id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "bundle-owned-all-phone")
