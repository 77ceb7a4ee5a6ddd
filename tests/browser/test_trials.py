"""A buyer tries a listing twice before buying: both results show, then the form has no runs left;
then they buy it with the seller's discount code, paying the price after the code, and read the prompt."""

from __future__ import annotations

from typing import Any

import pytest

from payments.models import DiscountCode, Order
from payments.services.codes import code_create
from tests.browser.conftest import log_in, snap
from tests.browser.trial_walk import trials_left, try_listing
from tests.factories import PASSWORD, UserFactory, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRET = "TRIAL-BROWSER-SECRET a glowing [animal] in a neon pond at midnight"


@pytest.fixture
def shop(seller: Any, settings: Any) -> dict[str, Any]:
    settings.TRIAL_GENERATOR = "local"
    settings.TRIAL_PER_BUYER_DAILY = 10
    settings.TRIAL_DAILY_BUDGET = 100
    listing = make_listing(
        seller, publish=True, title="Neon pond", prompt_text=SECRET, price_amount=499, trial_runs=2
    )
    UserFactory(handle="lin", email="lin@example.com", password=PASSWORD)
    code_create(seller=seller, code="POND20", kind="percent", percent=20, max_uses=10)
    return {"listing": listing}


def test_a_buyer_tries_a_listing_twice_then_buys_it_with_a_code(page: Any, shop: Any) -> None:
    page.goto(f"/listings/{shop['listing'].public_id}/")
    log_in(page, "lin@example.com", PASSWORD)
    page.wait_for_url(f"**/listings/{shop['listing'].public_id}/**")
    assert trials_left(page) == 2

    first = try_listing(page, {"animal": "koi"})
    assert first.get_by_role("img").evaluate("image => image.complete && image.naturalWidth") == 512
    assert trials_left(page) == 1
    second = try_listing(page, {"animal": "heron"})
    assert "heron" in second.inner_text()
    snap(page, "trial-two-runs")

    results = page.locator("[data-trial] img")
    assert results.count() == 2
    assert all(results.nth(n).evaluate("image => image.naturalWidth") == 512 for n in range(2))
    assert trials_left(page) == 0
    assert page.get_by_role("button", name="Buy and unlock the prompt").is_visible()
    assert "TRIAL-BROWSER-SECRET" not in page.content()

    # Convinced, the buyer buys with the seller's code: 20% of $4.99 is $0.998, rounded down to $0.99 off.
    page.get_by_role("link", name="Other licences, or a discount code").click()
    page.locator("#checkout-code").fill("pond20")  # codes are not case-sensitive
    page.get_by_role("button", name="Update the price").click()
    assert page.locator(".price-before").inner_text() == "$4.99"
    assert page.locator(".price-after").inner_text() == "$4.00"
    snap(page, "trial-then-code-price")
    page.get_by_role("button", name="Pay $4.00").click()
    page.wait_for_url("**/payments/sandbox/checkout/**")
    page.locator("button[name=action][value=pay]").click()
    page.wait_for_url("**/payments/return/**")
    page.goto(f"/listings/{shop['listing'].public_id}/")
    assert page.locator("#prompt-text").inner_text() == SECRET
    order = Order.objects.get(listing=shop["listing"])
    assert (order.status, order.list_amount, order.amount) == ("paid", 499, 400)
    assert DiscountCode.objects.get(code="POND20").uses == 1  # counted once, for the paid order
