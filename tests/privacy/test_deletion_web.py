"""The account page's delete step works without JavaScript, in both languages."""

from __future__ import annotations

import pytest
from django.test import Client

from payments.models import Order, Payout
from tests.factories import PASSWORD, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(buyer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(buyer)
    return client


def test_the_account_page_links_to_deletion_and_the_page_explains_it(web) -> None:  # type: ignore[no-untyped-def]
    assert "/account/delete/" in web.get("/account/").content.decode()
    page = web.get("/account/delete/").content.decode()
    assert "cannot be undone" in page and 'name="password"' in page


def test_a_wrong_password_is_a_form_error(web, buyer) -> None:  # type: ignore[no-untyped-def]
    response = web.post("/account/delete/", {"password": "wrong-password"})
    assert response.status_code == 400
    assert "The password is not right." in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.is_active


def test_deleting_signs_out_and_anonymises(web, buyer) -> None:  # type: ignore[no-untyped-def]
    email = buyer.email
    response = web.post("/account/delete/", {"password": PASSWORD})
    assert response.status_code == 303
    buyer.refresh_from_db()
    assert not buyer.is_active and buyer.email != email
    assert web.get("/account/").status_code == 302  # signed out: sent to the login page


def test_money_in_flight_is_shown_before_and_refused(seller, buyer) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(seller, publish=True, price_amount=0)
    order = Order.objects.create(
        buyer=buyer,
        listing=listing,
        seller=seller,
        amount=1000,
        currency="CNY",
        platform_fee=200,
        seller_amount=800,
        status="paid",
        provider="sandbox",
    )
    Payout.objects.create(order=order, amount=800, currency="CNY", destination_account="acct_1")
    web = Client()
    web.force_login(seller)
    assert "A payout to you has not arrived yet." in web.get("/account/delete/").content.decode()
    response = web.post("/account/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    seller.refresh_from_db()
    assert seller.is_active


def test_the_page_is_in_chinese(web) -> None:  # type: ignore[no-untyped-def]
    page = web.get("/account/delete/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "删除账户" in page
