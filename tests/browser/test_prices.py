"""A visitor on a phone filters by price in their own currency and sees approximate prices."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import snap
from tests.factories import make_mixed_currency_listings

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(seller: Any) -> None:
    make_mixed_currency_listings(seller)


def open_filters(page: Any) -> None:
    """On a phone the filters sit closed behind a button (a <details>)."""
    if not page.locator("details.filter-panel").evaluate("node => node.open"):
        page.locator("details.filter-panel > summary").click()


def test_a_chinese_visitor_on_a_phone_filters_in_yuan_then_switches_to_dollars(page: Any, shop: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/browse/?sort=price")
    page.locator("#language").select_option("zh-hans")  # submits itself with JavaScript
    page.wait_for_selector('html[lang="zh-Hans"]')
    open_filters(page)
    assert page.locator("#f-display-currency").input_value() == "CNY"
    page.locator("#f-max").fill("50")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"price_max=50"))
    cards = page.locator(".grid .card .title").all_inner_texts()
    assert cards == ["Euro prompt", "Yuan prompt"]
    assert page.get_by_text("≈ ¥39").first.is_visible()  # €5.00 in yuan, beside the euro price
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    snap(page, "price-filter-phone-zh")

    open_filters(page)
    page.locator("#f-display-currency").select_option("USD")
    page.locator("#f-max").fill("")
    page.locator("#f-min").fill("9.90")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"price_min=9\.90"))
    assert page.locator(".grid .card .title").all_inner_texts() == ["Dollar prompt", "Yen prompt"]
    snap(page, "price-filter-phone-usd")
