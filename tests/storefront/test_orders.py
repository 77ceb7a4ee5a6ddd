"""The buyer's order history and printable receipts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from payments.models import Order, OrderStatus
from payments.services import order_refund
from tests.factories import UserFactory, make_listing
from tests.storefront.test_sales import paid_order, site

pytestmark = pytest.mark.django_db


@pytest.fixture
def koi(seller):  # type: ignore[no-untyped-def]
    return make_listing(
        seller,
        publish=True,
        title="Neon koi wallpaper",
        price_amount=499,
        price_currency="USD",
        prompt_text="SECRET-koi [style]",
    )


@pytest.fixture
def cats(seller):  # type: ignore[no-untyped-def]
    return make_listing(
        seller,
        publish=True,
        title="Ukiyo-e cats",
        price_amount=500,
        price_currency="JPY",
        prompt_text="SECRET-cats [style]",
    )


def _status_of(page: str, order: Order) -> str:
    row = re.search(rf'<tr id="order-{order.public_id}">.*?</tr>', page, re.S)
    assert row is not None, f"order {order.public_id} is listed"
    found = re.search(r'<span class="status [a-z_]+">([^<]+)</span>', row.group(0))
    assert found is not None
    return found.group(1)


def test_the_history_lists_every_order_with_its_amount_and_status(seller, buyer, koi, cats):
    paid = paid_order(buyer, koi)
    partly = paid_order(buyer, cats)
    order_refund(order=partly, amount=100, by=seller)
    other = make_listing(seller, publish=True, title="Ink dragons", price_amount=299, price_currency="USD")
    refunded = paid_order(buyer, other)
    order_refund(order=refunded, amount=None, by=seller)
    disputed = paid_order(buyer, make_listing(seller, publish=True, title="Moon gates"))
    Order.objects.filter(pk=disputed.pk).update(disputed=True)
    paid_order(UserFactory(), koi)  # someone else's order is not in this history

    page = site(buyer).get("/orders/").content.decode()
    assert page.count('<tr id="order-') == 4
    assert _status_of(page, paid) == "Paid"
    assert _status_of(page, partly) == "Partly refunded"
    assert _status_of(page, refunded) == "Refunded"
    assert _status_of(page, disputed) == "Disputed"
    assert "$4.99" in page and "¥500" in page and "¥100" in page  # JPY without decimals
    assert "SECRET-" not in page
    assert 'href="/orders/"' in page  # the account menu links here


def test_the_receipt_is_the_buyers_alone(seller, buyer, stranger, koi):
    order = paid_order(buyer, koi)
    url = f"/orders/{order.public_id}/receipt/"
    receipt = site(buyer).get(url)
    assert receipt.status_code == 200
    page = receipt.content.decode()
    assert order.public_id in page and "Neon koi wallpaper" in page and "$4.99" in page
    assert "data-print" in page and "storefront/receipt.js" in page and 'media="print"' in page
    assert "SECRET-koi" not in page
    assert site(stranger).get(url).status_code == 404
    assert site(seller).get(url).status_code == 404  # the seller has the sales page instead
    assert Client().get(url).status_code == 302  # to the login page


def test_the_receipt_shows_what_was_refunded(seller, buyer, cats):
    order = paid_order(buyer, cats)
    order_refund(order=order, amount=None, by=seller)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    page = site(buyer).get(f"/orders/{order.public_id}/receipt/").content.decode()
    assert "Refunded" in page and "¥0" in page  # paid after refunds


def test_an_unpaid_order_has_no_receipt(buyer, koi):
    client = site(buyer)
    client.post(f"/listings/{koi.public_id}/buy/")
    order = Order.objects.get(buyer=buyer)
    assert client.get(f"/orders/{order.public_id}/receipt/").status_code == 404
    assert "Neon koi wallpaper" not in client.get("/orders/").content.decode()


def test_the_history_speaks_chinese(buyer, koi):
    paid_order(buyer, koi)
    page = site(buyer).get("/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我的订单" in page and "已支付" in page and "收据" in page
