"""A buyer tries a listing twice before buying: both results show, then the form has no runs left."""

from __future__ import annotations

from typing import Any

import pytest

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
    return {"listing": listing}


def test_a_buyer_tries_a_listing_twice_and_then_has_no_runs_left(page: Any, shop: Any) -> None:
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
