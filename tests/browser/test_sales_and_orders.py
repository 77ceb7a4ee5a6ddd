"""A sale refunded from the seller's dashboard, and the buyer's order history and receipt, in a browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.sales_walk import walk_sale_and_refund
from tests.factories import PASSWORD, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "phone"), [("en", False), ("zh-hans", False), ("en", True)], ids=["en", "zh", "phone"]
)
def test_a_sale_is_refunded_from_the_dashboard_and_the_buyer_sees_it(
    browser: Any, live_server: Any, settings: Any, seller: Any, language: str, phone: bool
) -> None:
    settings.SITE_URL = live_server.url  # checkout and return URLs point at this server
    listing = make_listing(
        seller,
        publish=True,
        title="Neon koi wallpaper",
        price_amount=499,
        price_currency="USD",
        prompt_text="BROWSER-SECRET koi in neon water, [style]",
    )
    walk_sale_and_refund(
        browser,
        live_server.url,
        listing,
        seller_email=seller.email,
        seller_password=PASSWORD,
        buyer_handle=f"koi-fan-{language}-{'phone' if phone else 'desktop'}",
        language=language,
        phone=phone,
    )
