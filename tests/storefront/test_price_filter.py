"""The website's price filter: major units in the visitor's currency, compared across currencies
at current exchange rates, with approximate prices in that currency on cards and listing pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from prompts.models import Listing
from tests.factories import make_mixed_currency_listings

pytestmark = pytest.mark.django_db

TITLES = re.compile(r"(Euro|Yuan|Dollar|Yen) prompt")


@pytest.fixture
def mixed(seller) -> dict[str, Listing]:
    return make_mixed_currency_listings(seller)


def shown(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [match.group(0) for match in TITLES.finditer(response.content.decode())]


def test_the_filter_takes_dollars_and_cents_without_choosing_a_currency(mixed):
    page = Client().get("/browse/", {"price_min": "9.90", "sort": "price"})
    assert shown(page) == ["Dollar prompt", "Yen prompt"]
    assert 'name="price_min" value="9.90"' in page.content.decode()


def test_a_chinese_visitor_filters_in_yuan(mixed):
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = chinese.get("/browse/", {"price_max": "50", "sort": "price"})
    assert shown(page) == ["Euro prompt", "Yuan prompt"]  # ¥50.00 itself is included
    assert "<option selected>CNY</option>" in page.content.decode()
    assert "以 CNY 计，例如 9.90" in page.content.decode()
    bad = chinese.get("/browse/", {"price_min": "abc"})
    assert bad.status_code == 400 and "请输入金额，例如 9.90。" in bad.content.decode()


def test_the_currency_selector_converts_the_bounds_and_is_remembered(mixed):
    client = Client()
    page = client.get("/browse/", {"display_currency": "JPY", "price_min": "1500", "sort": "price"})
    assert shown(page) == ["Dollar prompt", "Yen prompt"]  # JP¥1,500 = $10.00
    assert "≈ JP¥1,500" in page.content.decode()  # the dollar listing, in yen
    later = client.get("/browse/", {"price_max": "1100", "sort": "price"})  # still yen, from the cookie
    assert shown(later) == ["Euro prompt", "Yuan prompt"]


def test_the_price_sort_orders_mixed_currencies_by_real_value(mixed):
    assert shown(Client().get("/browse/", {"sort": "price"})) == [
        "Euro prompt",
        "Yuan prompt",
        "Dollar prompt",
        "Yen prompt",
    ]
    assert shown(Client().get("/browse/", {"sort": "-price"}))[0] == "Yen prompt"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_min": "abc"}, "Enter an amount such as 9.90."),
        ({"price_max": "-3"}, "Enter an amount such as 9.90."),
        ({"price_min": "9.5", "display_currency": "JPY"}, "JPY amounts are whole yen, such as 500."),
        ({"price_min": "1.999"}, "USD amounts have at most 2 digits after the point."),
    ],
)
def test_bad_amounts_get_a_message_a_person_can_act_on(mixed, params, message):
    response = Client().get("/browse/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_cards_and_the_listing_page_show_an_approximate_price_in_the_visitor_currency(mixed):
    english = Client().get("/browse/").content.decode()
    assert "≈ $6.96" in english and "≈ $13" in english  # yuan and yen listings, in dollars
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    listing_page = chinese.get(f"/listings/{mixed['usd'].public_id}/").content.decode()
    assert "US$10.00" in listing_page and "≈ ¥72" in listing_page
    same_currency = Client().get(f"/listings/{mixed['usd'].public_id}/").content.decode()
    buy_box = same_currency.split('class="aside-box buy"')[1].split("</p>")[0]
    assert "$10.00" in buy_box and "≈" not in buy_box  # nothing to approximate
