"""A visitor on a phone filters by price in their own currency and sees approximate prices."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import snap
from tests.factories import make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(seller: Any) -> None:
    for title, amount, currency in (
        ("Euro prompt", 500, "EUR"),
        ("Yuan prompt", 5000, "CNY"),
        ("Dollar prompt", 1000, "USD"),
        ("Yen prompt", 2000, "JPY"),
    ):
        make_listing(
            seller,
            publish=True,
            title=title,
            target_model="chatgpt",
            category="product",
            example_outputs=["An example."],
            price_amount=amount,
            price_currency=currency,
        )


def test_a_chinese_visitor_on_a_phone_filters_in_yuan_then_switches_to_dollars(page: Any, shop: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/browse/?sort=price")
    page.locator("#language").select_option("zh-hans")  # submits itself with JavaScript
    page.wait_for_selector('html[lang="zh-Hans"]')
    assert page.locator("#f-display-currency").input_value() == "CNY"
    page.locator("#f-max").fill("50")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"price_max=50"))
    cards = page.locator(".grid .card .title").all_inner_texts()
    assert cards == ["Euro prompt", "Yuan prompt"]
    assert page.get_by_text("≈ ¥39").first.is_visible()  # €5.00 in yuan, beside the euro price
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    snap(page, "price-filter-phone-zh")

    page.locator("#f-display-currency").select_option("USD")
    page.locator("#f-max").fill("")
    page.locator("#f-min").fill("9.90")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"price_min=9\.90"))
    assert page.locator(".grid .card .title").all_inner_texts() == ["Dollar prompt", "Yen prompt"]
    snap(page, "price-filter-phone-usd")
