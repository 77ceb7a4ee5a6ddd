"""A sale and its refund, walked in a real browser from both sides; reusable after any seller walk.

`walk_sale_and_refund` takes a published paid listing (made with factories, or by an earlier walk
on the website): a new buyer signs up and buys it through the sandbox checkout, its seller refunds
it in full from the dashboard's sales page (review, then confirm), and the buyer finds the order
refunded in the order history and on its printable receipt. Selectors are language-neutral (names,
hrefs); the texts checked are the ones the chosen language shows. Any console error (a CSP
violation, a script error) fails the walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.browser.conftest import snap

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

TEXTS = {
    "en": {"refunded": "Refunded", "orders": "Your orders", "receipt": "Receipt", "print": "Print"},
    "zh-hans": {"refunded": "已退款", "orders": "我的订单", "receipt": "收据", "print": "打印"},
}


@dataclass
class Visitor:
    """One browser context (one person), collecting its console errors."""

    context: Any
    page: Any
    errors: list[str] = field(default_factory=list)


def _visitor(browser: Any, base_url: str, language: str, phone: bool) -> Visitor:
    accept = "zh-CN,zh;q=0.9" if language == "zh-hans" else "en-US,en;q=0.9"
    context = browser.new_context(
        base_url=base_url,
        locale="zh-CN" if language == "zh-hans" else "en-US",
        timezone_id="America/New_York",
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        extra_http_headers={"Accept-Language": accept},
    )
    context.set_default_timeout(15_000)
    visitor = Visitor(context=context, page=context.new_page())
    visitor.page.on(
        "console", lambda message: visitor.errors.append(message.text) if message.type == "error" else None
    )
    return visitor


def _language(page: Any) -> str:
    """The language the site answered in, from <html lang>: the walk checks texts in it."""
    return "zh-hans" if page.locator("html").get_attribute("lang") == "zh-Hans" else "en"


def _submit(page: Any, form: str) -> None:
    page.locator(f"{form} button[type=submit]").last.click()


def _fits_the_screen(page: Any, phone: bool) -> None:
    if phone:  # wide tables scroll inside their box; the page itself never scrolls sideways
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def _buy(buyer: Visitor, listing: Any, handle: str, password: str, shot: str) -> str:
    page = buyer.page
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", f"{handle}@example.com")
    page.fill("input[name=handle]", handle)
    page.fill("input[name=password]", password)
    _submit(page, "main form")
    page.wait_for_url(lambda url: "/accounts/signup/" not in url)
    page.goto(f"/listings/{listing.public_id}/")
    _submit(page, "form[action$='/buy/']")
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    page.locator("button[name=action][value=pay]").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    snap(page, f"{shot}-1-bought")
    found = re.search(r"/payments/return/([^/]+)/", page.url)
    assert found is not None
    return found.group(1)


def _refund(seller: Visitor, email: str, password: str, order_id: str, phone: bool, shot: str) -> None:
    page = seller.page
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    _submit(page, "main form")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/dashboard/")
    page.locator("a[href='/dashboard/sales/']").first.click()
    row = page.locator(f"#sale-{order_id}")
    row.wait_for()
    snap(page, f"{shot}-2-sales")
    row.locator("a[href$='/refund/']").click()
    _submit(page, "main form")  # the amount left, as the form offers it
    page.locator("button[name=confirm]").wait_for()
    snap(page, f"{shot}-3-confirm-refund")
    page.locator("button[name=confirm]").click()
    page.wait_for_url(re.compile(r"/dashboard/sales/"))
    texts = TEXTS[_language(page)]
    assert page.locator(f"#sale-{order_id} .status.refunded").inner_text() == texts["refunded"]
    _fits_the_screen(page, phone)
    snap(page, f"{shot}-4-refunded")


def _history_and_receipt(buyer: Visitor, order_id: str, phone: bool, shot: str) -> None:
    page = buyer.page
    page.goto("/")
    texts = TEXTS[_language(page)]
    menu = page.locator("header a[href='/orders/']")
    assert menu.count() == 1, "the account menu links to the order history"
    page.goto(menu.get_attribute("href") or "/orders/")
    page.get_by_role("heading", name=texts["orders"]).wait_for()
    assert page.locator(f"#order-{order_id} .status.refunded").inner_text() == texts["refunded"]
    _fits_the_screen(page, phone)
    snap(page, f"{shot}-5-order-history")
    page.locator(f"#order-{order_id} a[href$='/receipt/']").click()
    page.get_by_role("heading", name=texts["receipt"]).wait_for()
    assert page.get_by_role("button", name=texts["print"]).is_visible()  # receipt.js showed it
    assert texts["refunded"] in page.locator(".receipt").inner_text()
    _fits_the_screen(page, phone)
    snap(page, f"{shot}-6-receipt")


def walk_sale_and_refund(
    browser: Any,
    base_url: str,
    listing: Any,
    *,
    seller_email: str,
    seller_password: str,
    buyer_handle: str,
    language: str = "en",
    phone: bool = False,
) -> str:
    """Walk one sale of `listing` through to its refund and receipt; returns the order's public id."""
    shot = f"sales-{language}-{'phone' if phone else 'desktop'}"
    buyer = _visitor(browser, base_url, language, phone)
    seller = _visitor(browser, base_url, language, phone)
    try:
        order_id = _buy(buyer, listing, buyer_handle, seller_password + "-buyer", shot)
        _refund(seller, seller_email, seller_password, order_id, phone, shot)
        _history_and_receipt(buyer, order_id, phone, shot)
        assert _language(buyer.page) == language, "the site answered in the browser's language"
    finally:
        buyer.context.close()
        seller.context.close()
    assert buyer.errors + seller.errors == [], f"browser console errors: {buyer.errors + seller.errors}"
    return order_id
