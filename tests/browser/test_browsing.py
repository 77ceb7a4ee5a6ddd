"""Browsing on a phone and a desktop: the image viewer, the filters button, the prompt's Copy button,
the listing page's order on a phone, the header's menu, results that found nothing, tables as cards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import TestCase

from payments.services.fulfilment import unlock_grant
from prompts import services
from tests.browser.conftest import snap
from tests.factories import PASSWORD, UserFactory, make_listing, onboard, png_upload

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop() -> dict[str, Any]:
    seller: Any = onboard(UserFactory(handle="lin", email="lin@example.com", password=PASSWORD))  # type: ignore[arg-type]
    koi = make_listing(seller, publish=True, title="Neon koi wallpaper", prompt_text="koi " * 120 + "THE-END")
    for colour in ((30, 120, 200), (40, 180, 90)):
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.listing_image_add(
                listing=koi, by=seller, upload=png_upload(width=900, height=600, colour=colour)
            )
    letter = make_listing(
        seller,
        publish=True,
        title="Cover letter helper",
        target_model="chatgpt",
        category="writing",
        example_outputs=["Dear hiring manager, " * 20],
    )
    for n in range(3):
        make_listing(seller, publish=True, title=f"Koi poster {n}", price_amount=100 + n)
    return {"koi": koi, "letter": letter}


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def _caption(page: Any) -> str:
    return str(page.locator("dialog.lightbox figcaption").inner_text())


def test_the_viewer_opens_full_size_images_and_moves_with_keys(page: Any, shop: Any) -> None:
    page.goto(f"/listings/{shop['koi'].public_id}/")
    links = page.locator("a[data-lightbox]")
    assert links.count() == 3
    links.first.click()
    dialog = page.locator("dialog.lightbox")
    dialog.wait_for(state="visible")
    assert page.url.endswith(f"/listings/{shop['koi'].public_id}/")  # opened in place, not followed
    assert _caption(page) == "1 / 3"
    page.keyboard.press("ArrowRight")
    assert _caption(page) == "2 / 3"
    # The second image is 900 px wide: the viewer shows its largest preview, not the gallery's.
    page.wait_for_function("document.querySelector('dialog.lightbox img').naturalWidth === 900")
    snap(page, "lightbox-desktop", full_page=False)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert _caption(page) == "3 / 3"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")


def test_the_viewer_swipes_on_a_phone(phone: Any, shop: Any) -> None:
    phone.goto(f"/listings/{shop['koi'].public_id}/")
    phone.locator("a[data-lightbox]").first.tap()
    phone.locator("dialog.lightbox").wait_for(state="visible")
    swipe = """dx => {
        const dialog = document.querySelector('dialog.lightbox');
        const touch = x => new Touch({identifier: 1, target: dialog, clientX: x, clientY: 400});
        dialog.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(300)], bubbles: true}));
        dialog.dispatchEvent(new TouchEvent('touchend', {changedTouches: [touch(300 + dx)], bubbles: true}));
    }"""
    phone.evaluate(swipe, -150)
    assert _caption(phone) == "2 / 3"
    phone.evaluate(swipe, 150)
    phone.evaluate(swipe, 150)
    assert _caption(phone) == "3 / 3"
    snap(phone, "lightbox-phone", full_page=False)
    phone.locator("dialog.lightbox .lightbox-close").tap()
    phone.locator("dialog.lightbox").wait_for(state="hidden")


def test_filters_hide_behind_a_button_on_a_phone_and_show_on_a_desktop(
    phone: Any, page: Any, shop: Any
) -> None:
    phone.goto("/browse/?page_size=2&sort=price")
    form = phone.locator("form.filters")
    assert not form.is_visible()
    assert phone.locator(".result-count").inner_text().startswith("5 results")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    snap(phone, "browse-phone")
    phone.get_by_text("Filters", exact=True).tap()
    form.wait_for(state="visible")
    snap(phone, "browse-phone-filters")
    phone.get_by_role("link", name="Next").tap()
    phone.wait_for_url(re.compile(r"page=2"))
    assert phone.locator('[aria-current="page"]').inner_text() == "2"

    page.goto("/browse/")
    assert page.locator("form.filters").is_visible()
    assert not page.locator(".filter-panel > summary").is_visible()
    snap(page, "browse-desktop")


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return dict(box)


def test_copy_button_and_examples_do_not_cover_the_text(phone: Any, shop: Any) -> None:
    phone.goto("/")
    phone.goto("/accounts/login/")
    phone.get_by_label("Email").fill("lin@example.com")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name=re.compile("Log in", re.I)).click()
    phone.wait_for_url(re.compile(r"/(dashboard/)?$"))
    phone.goto(f"/listings/{shop['koi'].public_id}/")
    copy, text = phone.get_by_role("button", name="Copy"), phone.locator("#prompt-text")
    copy.wait_for(state="visible")
    button, prompt = _box(copy), _box(text)
    assert button["y"] + button["height"] <= prompt["y"]  # its own row, above the text
    snap(phone, "prompt-copy-phone")

    phone.goto(f"/listings/{shop['letter'].public_id}/")
    heading = _box(phone.get_by_role("heading", name="Example outputs"))
    example = _box(phone.locator(".gallery blockquote").first)
    assert heading["y"] + heading["height"] <= example["y"]  # above the text, not beside it
    snap(phone, "text-examples-phone")


def test_the_api_docs_render_under_the_site_csp(page: Any) -> None:
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for(state="visible")
    assert "Dimsum API" in page.locator(".swagger-ui .info .title").inner_text()
    snap(page, "api-docs", full_page=False)  # the fixture fails on any CSP violation in the console


def _phone(browser: Any, live_server: Any, language: str) -> Any:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.mark.parametrize("language", ["en-US", "zh-CN"])
def test_a_phone_shows_the_price_and_buy_button_before_the_examples(
    browser: Any, live_server: Any, shop: Any, language: str
) -> None:
    phone = _phone(browser, live_server, language)
    phone.goto(f"/listings/{shop['koi'].public_id}/")
    header, title = _box(phone.locator("header.top")), _box(phone.locator("h1"))
    price, buy = _box(phone.locator(".buy .price")), _box(phone.locator(".buy a.button"))
    gallery = _box(phone.locator(".gallery figure").first)
    assert header["height"] <= 120  # brand and menu button on one row, the search box under them
    assert title["y"] < price["y"] < buy["y"] < gallery["y"]
    assert buy["y"] + buy["height"] <= 844  # on the first screen, no scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    snap(phone, f"listing-phone-{language}", full_page=False)

    links = phone.locator("header .links")
    assert not links.is_visible()
    phone.locator("header .menu > summary").tap()
    links.wait_for(state="visible")
    assert phone.locator("header .links a").first.is_visible()
    snap(phone, f"menu-phone-{language}", full_page=False)
    phone.context.close()


def test_the_header_shows_its_links_on_a_desktop(page: Any, shop: Any) -> None:
    page.goto("/")
    assert page.get_by_role("link", name="Browse", exact=True).is_visible()
    assert not page.locator("header .menu > summary").is_visible()


def test_a_search_that_finds_nothing_says_so_across_the_results_column(
    page: Any, phone: Any, shop: Any
) -> None:
    for visitor, name in ((page, "desktop"), (phone, "phone")):
        visitor.goto("/browse/?q=hot+pot")
        message = _box(visitor.locator(".no-results"))
        column = _box(visitor.locator(".browse > section"))
        assert message["width"] >= column["width"] - 1  # not squeezed into one card's column
        assert visitor.locator(".no-results a[href='?q=koi']").is_visible()  # a search that finds something
        snap(visitor, f"no-results-{name}")


def test_apply_leaves_empty_filters_out_of_the_url(page: Any, shop: Any) -> None:
    page.goto("/browse/?q=koi")
    page.locator("#f-category").select_option("wallpaper")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"category=wallpaper"))
    query = page.url.split("?", 1)[1]
    assert sorted(query.split("&")) == [
        "category=wallpaper",
        "display_currency=USD",
        "q=koi",
        "sort=relevance",
    ]
    assert page.locator(".grid .card").count() == 4


def test_the_library_is_one_card_per_prompt_on_a_phone(phone: Any, shop: Any) -> None:
    buyer = UserFactory(handle="mei", email="mei@example.com", password=PASSWORD)
    unlock_grant(buyer=buyer, listing=shop["koi"], order=None)
    phone.goto("/accounts/login/")
    phone.get_by_label("Email").fill("mei@example.com")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name=re.compile("Log in", re.I)).click()
    phone.wait_for_url(re.compile(r"/(dashboard/)?$"))
    phone.goto("/library/")
    title = phone.get_by_role("link", name="Neon koi wallpaper")
    assert _box(title)["height"] < 40  # one line, not a character per line
    assert not phone.locator("table.data thead").is_visible()
    assert phone.get_by_text("Licence:").is_visible()  # each figure keeps its label
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    snap(phone, "library-phone")
