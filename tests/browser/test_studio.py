"""A new seller makes, submits, sells and refunds a listing on the website, in English and Chinese,
on a desktop and on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prompts.models import Listing, ListingStatus
from tests.browser.conftest import snap
from tests.browser.sales_walk import walk_sale_and_refund
from tests.browser.studio_walk import example_images, new_seller_lists_a_prompt
from tests.factories import PASSWORD, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """Like conftest's `page`, in a chosen language and viewport; fails on any console error."""
    settings.SITE_URL = live_server.url
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(language: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN" if language == "zh-hans" else "en-US",
            timezone_id="Asia/Shanghai" if language == "zh-hans" else "America/New_York",
            viewport=viewport,
            is_mobile=viewport == PHONE,
            has_touch=viewport == PHONE,
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.mark.parametrize(
    ("language", "viewport", "currency", "price"),
    [("en", DESKTOP, "USD", "4.99"), ("zh-hans", DESKTOP, "CNY", "29.00"), ("zh-hans", PHONE, "CNY", "9.90")],
    ids=["en-desktop", "zh-desktop", "zh-phone"],
)
def test_a_new_seller_lists_sells_and_refunds_a_prompt_on_the_website(
    open_page: Any,
    browser: Any,
    live_server: Any,
    tmp_path: Path,
    mailoutbox: list[Any],
    language: str,
    viewport: dict[str, int],
    currency: str,
    price: str,
) -> None:
    """Sign-up, payouts, a listing with three images, preview, submit; then its first sale, a
    refund from the dashboard, and the buyer's order history and receipt; with the emails."""
    page = open_page(language, viewport)
    device = "phone" if viewport == PHONE else "desktop"
    shots = f"studio-{language}-{device}"
    listed = new_seller_lists_a_prompt(page, tmp_path, price=price, currency=currency, shots=shots)

    listing = Listing.objects.get(public_id=listed.public_id)
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.images.count() == 3 and listing.variables == ["creature", "place"]
    assert (listing.price_currency, listing.price_amount) == (currency, round(float(price) * 100))
    if language == "zh-hans":
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert "已发布" in page.locator(".studio-status").inner_text()
    if device == "phone":  # nothing wider than the screen: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(listed.url)  # what buyers now see
    page.locator(".gallery figure").first.wait_for()
    snap(page, f"{shots}-6-public-page")

    walk_sale_and_refund(
        browser,
        live_server.url,
        listing,
        seller_email=listed.seller_email,
        seller_password=listed.seller_password,
        buyer_handle=f"first-buyer-{language}-{device}",
        language=language,
        phone=device == "phone",
    )
    kinds = sorted(message.extra_headers.get("X-Dimsum-Notification", "") for message in mailoutbox)
    for kind in ("purchase", "sale", "refund_buyer", "refund_seller"):
        assert kinds.count(kind) <= 1, f"{kind} sent more than once: {kinds}"
    assert {"purchase", "sale", "refund_buyer", "refund_seller"} <= set(kinds), kinds
    assert all(listed.prompt_text not in message.body for message in mailoutbox)


def test_images_dropped_on_the_upload_form_are_uploaded_and_a_text_model_opens_its_examples(
    open_page: Any, tmp_path: Path, seller: Any
) -> None:
    listing = make_listing(seller, title="Drop zone koi")
    page = open_page("en", DESKTOP)
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(seller.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/dashboard/listings/{listing.public_id}/edit/")
    assert not page.locator("details.example-outputs").evaluate("node => node.open")
    page.locator("#id_target_model").select_option("chatgpt")
    assert page.locator("details.example-outputs").evaluate("node => node.open")

    data = [list(path.read_bytes()) for path in example_images(tmp_path)[:2]]
    page.locator("[data-dropzone]").wait_for()  # shown only when studio.js runs
    page.evaluate(
        """files => {
            const transfer = new DataTransfer();
            files.forEach((bytes, i) => transfer.items.add(
                new File([new Uint8Array(bytes)], `dropped-${i}.png`, { type: "image/png" })));
            const zone = document.querySelector("[data-dropzone]");
            const drop = { dataTransfer: transfer, bubbles: true, cancelable: true };
            zone.dispatchEvent(new DragEvent("drop", drop));
        }""",
        data,
    )
    page.wait_for_url(re.compile(r"/edit/#images$"))
    page.wait_for_function("document.querySelectorAll('.image-list [data-status].ready').length === 2")
    assert listing.images.count() == 2
    snap(page, "studio-en-desktop-dropped-images")
