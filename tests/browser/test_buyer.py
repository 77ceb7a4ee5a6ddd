"""A buyer finds a prompt by searching in Chinese, buys it through the sandbox, and reads it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(seller: Any) -> dict[str, Any]:
    dumpling = make_listing(
        seller,
        publish=True,
        title="纽约唐人街小孩吃烧卖",
        description="街头插画风格的烧卖小孩，适合做贴纸和T恤。",
        language="zh-hans",
        category="illustration",
        price_amount=2900,
        price_currency="CNY",
        tags=["烧卖", "插画"],
        prompt_text="BROWSER-SECRET a child eating shumai in Chinatown, [style]",
    )
    make_listing(seller, publish=True, title="Neon koi wallpaper", price_amount=499, price_currency="USD")
    buyer = UserFactory(handle="mei", email="mei@example.com", password=PASSWORD)
    return {"listing": dumpling, "buyer": buyer}


def test_search_in_chinese_buy_in_the_sandbox_and_read_the_prompt_in_the_library(
    page: Any, shop: Any
) -> None:
    page.goto("/")
    snap(page, "home")
    log_in(page, "mei@example.com", PASSWORD)
    search = page.get_by_role("combobox", name="Search prompts")
    search.press_sequentially("烧")  # suggestions arrive from titles and tags as the visitor types
    page.locator("#site-q-suggestions option").first.wait_for(state="attached")
    search.fill("人街")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url(re.compile(r"/browse/\?q="))
    snap(page, "search-chinese")
    page.get_by_role("link", name=re.compile("纽约唐人街小孩吃烧卖")).first.click()
    page.wait_for_url(re.compile(r"/listings/"))
    assert "BROWSER-SECRET" not in page.content()
    assert page.get_by_text("CN¥29.00").first.is_visible()
    snap(page, "listing")

    page.get_by_role("button", name="Buy and unlock the prompt").click()
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    snap(page, "sandbox-checkout")
    page.get_by_role("button", name=re.compile("Pay", re.I)).first.click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    page.get_by_role("heading", name="Unlocked").wait_for()
    snap(page, "order-unlocked")

    page.get_by_role("link", name="Library").first.click()
    snap(page, "library")
    page.get_by_role("link", name="纽约唐人街小孩吃烧卖").click()
    prompt = page.locator("#prompt-text")
    prompt.wait_for()
    assert "BROWSER-SECRET" in prompt.inner_text()
    assert page.get_by_text("Times are shown in New York (Eastern Time)").is_visible()  # site.js told it
    assert page.get_by_role("button", name="Copy").is_visible()  # site.js revealed the copy button
    snap(page, "listing-unlocked")


def test_the_site_speaks_chinese_to_a_chinese_browser(browser: Any, live_server: Any, shop: Any) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    page = context.new_page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_text("¥29.00").first.is_visible()
    snap(page, "home-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/listings/{shop['listing'].public_id}/")
    snap(page, "listing-zh-phone")
    context.close()
