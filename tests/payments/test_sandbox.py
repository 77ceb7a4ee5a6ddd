"""The sandbox provider (no Stripe keys, the embedded default): a local checkout page, no money moves."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from payments.models import LedgerEntry, Order, OrderStatus, SandboxSession, Unlock
from tests.factories import make_listing
from tests.payments.helpers import checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_listing(seller):
    assert django_settings.PAYMENTS_PROVIDER == "sandbox"
    return make_listing(
        seller, publish=True, price_amount=2900, price_currency="CNY", prompt_text="CANARY-sandbox [x]"
    )


@pytest.fixture
def browser(buyer):
    """The buyer's browser: a logged-in session, with CSRF checks on as in a real browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    return client


def _checkout_page(buyer_api, listing) -> tuple[str, str]:
    body = checkout(buyer_api, listing)
    url = urlsplit(body["checkout_url"])
    assert f"{url.scheme}://{url.netloc}" == django_settings.SITE_URL
    assert url.path.startswith("/payments/sandbox/checkout/cs_sandbox_")
    return body["order_id"], url.path


def _press(browser, path: str, action: str):
    page = browser.get(path)
    assert page.status_code == 200
    token = browser.cookies["csrftoken"].value
    return browser.post(path, {"action": action, "csrfmiddlewaretoken": token})


def test_the_checkout_page_says_no_money_moves_and_offers_pay_and_cancel(buyer_api, sandbox_listing, browser):
    _, path = _checkout_page(buyer_api, sandbox_listing)
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "No money moves" in html
    assert 'name="action" value="pay"' in html
    assert 'name="action" value="cancel"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "CN¥29.00" in html and sandbox_listing.title in html  # as the listing page writes it
    assert "CANARY-sandbox" not in html


def test_pay_unlocks_through_the_same_fulfilment_as_a_webhook(buyer, buyer_api, sandbox_listing, browser):
    order_id, path = _checkout_page(buyer_api, sandbox_listing)
    assert buyer_api.get(f"/api/v1/listings/{sandbox_listing.public_id}/prompt/").status_code == 403
    paid = _press(browser, path, "pay")
    assert paid.status_code == 303
    assert paid["Location"] == f"/payments/return/{order_id}/"
    order = Order.objects.get(public_id=order_id)
    assert order.status == OrderStatus.PAID and order.payment_intent_id and order.charge_id
    assert sorted(LedgerEntry.objects.values_list("kind", "amount")) == [("commission", 580), ("sale", 2320)]
    assert (
        buyer_api.get(f"/api/v1/listings/{sandbox_listing.public_id}/prompt/").json()["text"]
        == "CANARY-sandbox [x]"
    )
    library = buyer_api.get("/api/v1/me/library/").json()["results"]
    assert [item["order"] for item in library] == [order_id]
    # A second click on Pay (back button, double submit) changes nothing.
    token = browser.cookies["csrftoken"].value
    assert browser.post(path, {"action": "pay", "csrfmiddlewaretoken": token}).status_code == 303
    assert Unlock.objects.filter(buyer=buyer, listing=sandbox_listing).count() == 1
    assert LedgerEntry.objects.count() == 2
    assert "This checkout is complete." in browser.get(path).content.decode()


def test_pay_without_a_csrf_token_is_refused(buyer_api, sandbox_listing, browser):
    order_id, path = _checkout_page(buyer_api, sandbox_listing)
    browser.get(path)
    assert browser.post(path, {"action": "pay"}).status_code == 403
    assert Order.objects.get(public_id=order_id).status == OrderStatus.PENDING
    assert SandboxSession.objects.get().status == "open"
    assert not Unlock.objects.exists()


def test_cancel_expires_the_order_and_unlocks_nothing(buyer_api, sandbox_listing, browser):
    order_id, path = _checkout_page(buyer_api, sandbox_listing)
    assert _press(browser, path, "cancel").status_code == 303
    order = Order.objects.get(public_id=order_id)
    assert order.status == OrderStatus.EXPIRED
    assert not Unlock.objects.exists() and not LedgerEntry.objects.exists()
    assert buyer_api.get(f"/api/v1/listings/{sandbox_listing.public_id}/prompt/").status_code == 403
    html = browser.get(path).content.decode()
    assert "This checkout is expired." in html and 'value="pay"' not in html
    returned = browser.get(f"/payments/return/{order_id}/").content.decode()
    assert "Checkout expired" in returned and "Nothing was charged." in returned
    assert checkout(buyer_api, sandbox_listing)["order_id"] != order_id  # buying again starts afresh


def test_a_seller_refund_in_the_sandbox_revokes_the_unlock(
    buyer, buyer_api, seller_api, sandbox_listing, browser
):
    order_id, path = _checkout_page(buyer_api, sandbox_listing)
    _press(browser, path, "pay")
    refund_url = f"/api/v1/seller/orders/{order_id}/refund/"
    partial = seller_api.post(refund_url, {"amount": 900}, format="json")
    assert partial.status_code == 201 and partial.json()["status"] == "paid"
    assert buyer_api.get(f"/api/v1/listings/{sandbox_listing.public_id}/prompt/").status_code == 200
    rest = seller_api.post(refund_url, {}, format="json")
    assert rest.status_code == 201
    assert rest.json()["refund"] == {"status": "succeeded", "amount": 2000}
    assert rest.json()["status"] == "refunded"
    denied = buyer_api.get(f"/api/v1/listings/{sandbox_listing.public_id}/prompt/")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "not_unlocked"
    assert Unlock.objects.get(buyer=buyer).revoked_at is not None
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0
    assert SandboxSession.objects.get().amount_refunded == 2900


def test_the_return_page_shows_unlocked_to_the_owner_only(buyer_api, sandbox_listing, browser, stranger):
    order_id, path = _checkout_page(buyer_api, sandbox_listing)
    waiting = browser.get(f"/payments/return/{order_id}/").content.decode()
    assert "Payment on its way" in waiting
    canceled = browser.get(f"/payments/return/{order_id}/?canceled=1").content.decode()
    assert "Checkout canceled" in canceled
    _press(browser, path, "pay")
    mine = browser.get(f"/payments/return/{order_id}/").content.decode()
    assert "Unlocked" in mine and "is in your library" in mine
    other = Client()
    other.force_login(stranger)
    theirs = other.get(f"/payments/return/{order_id}/")
    assert theirs.status_code == 404 and "is in your library" not in theirs.content.decode()
    assert Client().get(f"/payments/return/{order_id}/").status_code == 404  # signed out: the same


def test_the_sandbox_page_does_not_exist_when_stripe_is_configured(
    buyer_api, sandbox_listing, browser, settings
):
    _, path = _checkout_page(buyer_api, sandbox_listing)
    assert browser.get(path).status_code == 200  # the page was open in a tab ...
    token = browser.cookies["csrftoken"].value
    settings.PAYMENTS_PROVIDER = "stripe"  # ... when the operator switched to Stripe
    assert browser.get(path).status_code == 404
    assert browser.post(path, {"action": "pay", "csrfmiddlewaretoken": token}).status_code == 404
    assert not Unlock.objects.exists()
    assert SandboxSession.objects.get().status == "open"


def test_an_unknown_sandbox_session_is_404(browser):
    assert browser.get("/payments/sandbox/checkout/cs_sandbox_000000000000000000000000/").status_code == 404
