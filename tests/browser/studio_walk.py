"""A new seller's first listing, made entirely on the website: a walk other browser tests reuse.

`new_seller_lists_a_prompt(page, ...)` signs up, sets up payouts (sandbox), creates a paid listing
with three example images uploaded through the page, looks at the draft preview and submits it.
It works in either language (it finds things by ids and URLs, not by words) and on any viewport,
and returns what a follow-up walk needs, e.g. a purchase and a refund of that listing:

    listing = new_seller_lists_a_prompt(page, tmp_path, handle="lotus")
    page.goto(listing.url)  # ... a buyer's walk
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from tests.browser.conftest import snap

PROMPT = "an ink [creature] flying over [place], rice paper, soft light"
COLOURS = [(200, 40, 40), (30, 110, 200), (40, 160, 80)]


@dataclass(frozen=True)
class ListedPrompt:
    public_id: str
    title: str
    url: str  # the public listing page
    price: str  # as typed, in major units
    currency: str
    prompt_text: str
    seller_email: str
    seller_handle: str
    seller_password: str


def example_images(folder: Path) -> list[Path]:
    """Three different PNGs, with a gradient each, so they are not mistaken for copies."""
    paths = []
    for number, colour in enumerate(COLOURS, start=1):
        image = Image.new("RGB", (320, 240), colour)
        for x in range(0, 320, 4):
            for y in range(0, 240, 60):
                image.putpixel((x, y), (x % 255, (y * number) % 255, 128))
        path = folder / f"example-{number}.png"
        image.save(path, "PNG")
        paths.append(path)
    return paths


def _sign_up(page: Any, email: str, handle: str, password: str) -> None:
    page.goto("/accounts/signup/?next=/dashboard/")
    page.locator("#id_email").fill(email)
    page.locator("#id_handle").fill(handle)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))


def _set_up_payouts(page: Any) -> None:
    page.locator("form[action='/dashboard/payouts/'] button").first.click()
    page.wait_for_url(re.compile(r"/payments/onboarding/done/$"))  # the sandbox onboards at once
    page.locator("main a[href='/dashboard/']").click()
    page.locator("#payouts-h ~ p .status.ready").wait_for()


def _fill_listing(page: Any, title: str, price: str, currency: str) -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_description").fill("Chinese ink dragons over West Lake, on rice paper.")
    page.locator("#id_target_model").select_option("midjourney")
    page.locator("#id_category").select_option("illustration")
    page.locator("#id_tags").fill("ink, dragon, 水墨")
    page.locator("#id_price").fill(price)
    page.locator("#id_currency").select_option(currency)
    page.locator("#id_prompt_text").fill(PROMPT)
    # studio.js lists the [variables] as they are typed, before anything is saved.
    page.locator("#variables code", has_text="[place]").wait_for()
    page.locator("#id_variable_examples").fill("creature: dragon\nplace: West Lake")
    page.locator("#id_usage_notes").fill("Use --ar 3:2 --stylize 250")


def _upload_three_images(page: Any, folder: Path) -> None:
    page.locator("#id_images").set_input_files([str(path) for path in example_images(folder)])
    page.locator("form.upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/edit/#images$"))
    ready = page.locator(".image-list [data-status].ready")
    page.wait_for_function("document.querySelectorAll('.image-list [data-status].ready').length === 3")
    assert ready.count() == 3


def new_seller_lists_a_prompt(
    page: Any,
    folder: Path,
    *,
    handle: str = "ink-dragons",
    title: str = "Ink dragons over West Lake",
    price: str = "4.99",
    currency: str = "USD",
    password: str = "a-long-walk-password-42",
    shots: str = "studio",
) -> ListedPrompt:
    """The whole walk; screenshots are named ``{shots}-<step>``. Ends with the listing on sale."""
    email = f"{handle}@example.com"
    _sign_up(page, email, handle, password)
    snap(page, f"{shots}-1-dashboard-new-seller")
    _set_up_payouts(page)

    page.locator("a[href='/dashboard/listings/new/']").first.click()
    _fill_listing(page, title, price, currency)
    snap(page, f"{shots}-2-editor-new")
    page.locator("form.studio-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/listings/[\w-]+/edit/$"))
    public_id = page.url.rstrip("/").split("/")[-2]

    _upload_three_images(page, folder)
    last = page.locator(".image-list li").last
    moved = last.get_attribute("data-image-id")
    last.locator("form[action$='/move/'] button").click()  # "up", a plain form post
    page.wait_for_url(re.compile(r"/edit/#images$"))
    assert page.locator(".image-list li").nth(1).get_attribute("data-image-id") == moved
    snap(page, f"{shots}-3-editor-images")

    page.locator(f"a[href='/dashboard/listings/{public_id}/preview/']").click()
    page.locator(".preview-banner").wait_for()
    assert page.locator(".gallery figure").count() == 3
    assert PROMPT not in page.content()  # buyers do not see the prompt before they buy
    snap(page, f"{shots}-4-draft-preview")
    page.locator(".preview-banner a").click()

    page.locator(f"form[action='/dashboard/listings/{public_id}/submit/'] button").click()
    page.locator(".studio-status .status.published").wait_for()
    snap(page, f"{shots}-5-published")
    return ListedPrompt(
        public_id=public_id,
        title=title,
        url=f"/listings/{public_id}/",
        price=price,
        currency=currency,
        prompt_text=PROMPT,
        seller_email=email,
        seller_handle=handle,
        seller_password=password,
    )
