"""The preference page, one-click unsubscribe (RFC 8058), and what turning a kind off stops."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from marketplace.notifications.models import NotificationPreference
from payments.models import Order
from tests.notifications.helpers import html_of, sent
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db


def _buy(fake: Any, api: Any, listing: Any, capture: Any) -> Order:
    order_id = checkout(api, listing)["order_id"]
    with capture(execute=True):
        assert deliver(fake.complete(fake.session_for_order(order_id)["id"])).status_code == 200
    return Order.objects.get(public_id=order_id)


def _unsubscribe_link(message: Any) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    url = header[1:-1]
    assert url in message.body and url in html_of(message)
    path = re.sub(r"^https?://[^/]+", "", url)
    assert path.startswith("/unsubscribe/")
    return path


def test_turning_sales_off_on_the_page_stops_sale_emails_but_not_the_buyers_receipt(
    stripe_fake, listing, seller, buyer, buyer_api, django_capture_on_commit_callbacks
):
    web = Client()
    web.force_login(seller)
    page = web.get("/account/notifications/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="purchase" checked disabled' in body  # receipts: always on, shown disabled
    assert 'value="sale" checked>' in body

    keep = ["review_new", "review_reply"]
    response = web.post("/account/notifications/", {"kinds": keep})
    assert response.status_code == 303
    assert 'value="sale">' in web.get("/account/notifications/").content.decode()

    _buy(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    assert sent("sale") == []
    assert len(sent("purchase")) == 1


def test_a_buyer_cannot_turn_receipts_off(
    stripe_fake, listing, buyer, buyer_api, django_capture_on_commit_callbacks
):
    web = Client()
    web.force_login(buyer)
    web.post("/account/notifications/", {"kinds": []})  # everything unticked
    _buy(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    assert len(sent("purchase")) == 1


def test_the_one_click_link_works_signed_out_and_stops_that_kind(
    stripe_fake, listing, seller, buyer, buyer_api, django_capture_on_commit_callbacks
):
    _buy(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    [sale] = sent("sale")
    assert sale.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = _unsubscribe_link(sale)

    anonymous = Client(enforce_csrf_checks=True)
    confirm = anonymous.get(path)
    assert confirm.status_code == 200 and "<form" in confirm.content.decode()
    assert not NotificationPreference.objects.exists()  # a GET (a link scanner) changes nothing

    # The mail client's one-click POST: no cookie, no CSRF token.
    done = anonymous.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert NotificationPreference.objects.get(user=seller, kind="sale").enabled is False

    mail.outbox.clear()
    other = _buy(stripe_fake, buyer_api, _second_listing(seller), django_capture_on_commit_callbacks)
    assert other.status == "paid"
    assert sent("sale") == [] and len(sent("purchase")) == 1


def _second_listing(seller: Any) -> Any:
    from tests.factories import make_listing

    return make_listing(seller, publish=True, price_amount=990, price_currency="CNY", title="Second one")


@pytest.mark.parametrize(
    "mangle", [lambda p: p[:-3] + "xx/", lambda p: p.replace("/unsubscribe/", "/unsubscribe/a")]
)
def test_a_tampered_unsubscribe_link_is_refused_and_changes_nothing(
    mangle, stripe_fake, listing, buyer_api, django_capture_on_commit_callbacks
):
    _buy(stripe_fake, buyer_api, listing, django_capture_on_commit_callbacks)
    path = mangle(_unsubscribe_link(sent("sale")[0]))
    response = Client().post(path)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_page_speaks_chinese_to_a_chinese_user_and_needs_a_sign_in(zh_buyer):
    assert Client().get("/account/notifications/").status_code == 302
    web = Client()
    web.force_login(zh_buyer)
    web.cookies["django_language"] = "zh-hans"
    body = web.get("/account/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "邮件通知" in body and "购买收据" in body and "始终发送" in body


def test_a_link_for_an_email_that_is_always_sent_is_refused(buyer):
    from marketplace.notifications.emails import unsubscribe_token

    token = unsubscribe_token(user_id=buyer.pk, kind="purchase")  # signed, but receipts stay on
    assert Client().post(f"/unsubscribe/{token}/").status_code == 400
    assert not NotificationPreference.objects.exists()
