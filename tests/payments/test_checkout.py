"""Buying a listing: checkout through the official stripe library to the fake, webhooks, unlocks."""

from __future__ import annotations

import json
import time

import pytest
import time_machine

from payments.models import LedgerEntry, Order, OrderStatus, Unlock
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def canary_listing(seller):
    return make_listing(
        seller, publish=True, price_amount=1990, price_currency="CNY", prompt_text="CANARY-pay [x]"
    )


def _prompt_status(api, listing) -> int:
    return api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code


def test_checkout_creates_a_stripe_session_with_fee_destination_and_methods(
    stripe_fake, seller, canary_listing, buyer_api
):
    body = checkout(buyer_api, canary_listing)
    order = Order.objects.get(public_id=body["order_id"])
    assert body["checkout_url"].startswith("https://checkout.stripe.test/")
    assert order.amount == 1990 and order.currency == "CNY"
    assert (order.platform_fee, order.seller_amount) == (398, 1592)  # 20% commission
    (request,) = stripe_fake.posts("/v1/checkout/sessions")
    params = request["params"]
    intent = params["payment_intent_data"]
    assert intent["application_fee_amount"] == "398"
    assert intent["transfer_data"]["destination"] == seller.payout_account.account_id
    assert intent["on_behalf_of"] == seller.payout_account.account_id
    assert params["payment_method_types"] == ["card", "wechat_pay"]  # CNY: no Alipay charge
    assert params["line_items"][0]["price_data"] == {
        "currency": "cny",
        "unit_amount": "1990",
        "product_data": {"name": canary_listing.title},
    }
    assert params["client_reference_id"] == order.public_id == params["metadata"]["order_id"]
    assert request["headers"]["stripe-version"] == "2026-10-28.endive"
    assert request["headers"]["idempotency-key"] == f"checkout:{order.public_id}"
    assert "CANARY-pay" not in json.dumps(params)  # the prompt never goes to Stripe


def test_usd_offers_alipay_and_wechat_and_jpy_is_never_multiplied(stripe_fake, seller, buyer_api):
    usd = make_listing(seller, publish=True, price_amount=499, price_currency="USD")
    jpy = make_listing(seller, publish=True, price_amount=500, price_currency="JPY")
    checkout(buyer_api, usd)
    checkout(buyer_api, jpy)
    usd_params, jpy_params = (r["params"] for r in stripe_fake.posts("/v1/checkout/sessions"))
    assert usd_params["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert jpy_params["line_items"][0]["price_data"]["unit_amount"] == "500"


def test_paid_webhook_unlocks_exactly_once(stripe_fake, canary_listing, buyer, buyer_api):
    order_id = checkout(buyer_api, canary_listing)["order_id"]
    assert _prompt_status(buyer_api, canary_listing) == 403
    event = stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])
    first, second = deliver(event), deliver(event)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert Unlock.objects.filter(buyer=buyer, listing=canary_listing, revoked_at__isnull=True).count() == 1
    assert (
        buyer_api.get(f"/api/v1/listings/{canary_listing.public_id}/prompt/").json()["text"]
        == "CANARY-pay [x]"
    )
    library = buyer_api.get("/api/v1/me/library/").json()["results"]
    assert [item["listing"]["id"] for item in library] == [canary_listing.public_id]
    assert buyer_api.get(f"/api/v1/orders/{order_id}/").json()["status"] == "paid"
    kinds = sorted(LedgerEntry.objects.values_list("kind", "amount"))
    assert kinds == [("commission", 398), ("sale", 1592)]


def test_retried_checkout_with_the_same_idempotency_key_is_one_order(stripe_fake, canary_listing, buyer_api):
    first = checkout(buyer_api, canary_listing, key="tab-1")
    again = checkout(buyer_api, canary_listing, key="tab-1")
    assert first == again
    assert Order.objects.count() == 1
    assert len(stripe_fake.posts("/v1/checkout/sessions")) == 1


def test_buying_twice_before_paying_reuses_the_open_checkout(stripe_fake, canary_listing, buyer_api):
    assert checkout(buyer_api, canary_listing) == checkout(buyer_api, canary_listing)
    assert Order.objects.count() == 1


@pytest.mark.parametrize("who", ["seller", "owner"])
def test_own_or_owned_listing_is_a_clear_409(stripe_fake, canary_listing, buyer, buyer_api, seller_api, who):
    if who == "owner":
        event = stripe_fake.complete(
            stripe_fake.session_for_order(checkout(buyer_api, canary_listing)["order_id"])["id"]
        )
        deliver(event)
    api = seller_api if who == "seller" else buyer_api
    response = api.post(f"/api/v1/listings/{canary_listing.public_id}/checkout/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == ("own_listing" if who == "seller" else "already_unlocked")


def test_free_listing_unlocks_at_once_without_stripe(stripe_fake, seller, buyer, buyer_api):
    free = make_listing(seller, publish=True, price_amount=0)
    stripe_fake.requests.clear()
    body = checkout(buyer_api, free)
    assert body == {"order_id": None, "checkout_url": None, "unlocked": True}
    assert stripe_fake.requests == []
    assert _prompt_status(buyer_api, free) == 200


def test_seller_without_charges_enabled_cannot_sell(stripe_fake, settings, buyer_api, client_for):
    stripe_fake.accounts_enabled_on_create = False
    newcomer = UserFactory()
    api = client_for(newcomer)
    onboarding = api.post("/api/v1/seller/payouts/onboarding/").json()
    assert onboarding["url"].startswith("https://connect.stripe.test/setup/acct_")
    assert onboarding["can_accept_payments"] is False
    listing = make_listing(newcomer)
    from django.test import TestCase

    from prompts import services
    from tests.factories import png_upload

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.listing_image_add(listing=listing, by=newcomer, upload=png_upload())
    response = api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "payouts_not_ready"
    # Stripe finishes KYC: account.updated turns charges on, and publishing works.
    account_id = onboarding["account"]["id"]
    assert deliver(stripe_fake.update_account(account_id, charges_enabled=True)).status_code == 200
    assert api.get("/api/v1/seller/payouts/").json()["can_accept_payments"] is True
    assert api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/").json()["status"] == "published"


@pytest.mark.parametrize(
    "tamper",
    ["forged secret", "no signature", "re-serialised body", "stale timestamp"],
)
def test_unverifiable_webhooks_are_400_and_change_nothing(stripe_fake, canary_listing, buyer_api, tamper):
    event = stripe_fake.complete(
        stripe_fake.session_for_order(checkout(buyer_api, canary_listing)["order_id"])["id"]
    )
    if tamper == "forged secret":
        response = deliver(event, secret="whsec_someone_else")
    elif tamper == "no signature":
        from django.test import Client

        response = Client().post("/webhooks/stripe/", data=json.dumps(event), content_type="application/json")
    elif tamper == "re-serialised body":
        response = deliver(event, body=json.dumps(event, indent=2))
    else:
        response = deliver(event, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert not Unlock.objects.exists()
    assert Order.objects.get().status == OrderStatus.PENDING


def test_signature_tolerance_is_stripes_300_seconds(stripe_fake, canary_listing, buyer_api):
    event = stripe_fake.complete(
        stripe_fake.session_for_order(checkout(buyer_api, canary_listing)["order_id"])["id"]
    )
    signed_at = int(time.time())
    with time_machine.travel(signed_at + 301, tick=False):
        assert deliver(event, timestamp=signed_at).status_code == 400
    with time_machine.travel(signed_at + 299, tick=False):
        assert deliver(event, timestamp=signed_at).status_code == 200
    assert Unlock.objects.count() == 1


def test_completed_then_async_succeeded_is_one_unlock(stripe_fake, canary_listing, buyer_api):
    session_id = stripe_fake.session_for_order(checkout(buyer_api, canary_listing)["order_id"])["id"]
    pending = stripe_fake.complete(session_id, paid=False)  # WeChat Pay: confirmed later
    assert deliver(pending).status_code == 200
    assert Order.objects.get().status == OrderStatus.PENDING
    assert not Unlock.objects.exists()
    succeeded = stripe_fake.async_result(session_id, succeeded=True)
    deliver(succeeded)
    deliver(succeeded)
    deliver(pending)  # a late duplicate of the first event changes nothing
    assert Unlock.objects.filter(revoked_at__isnull=True).count() == 1
    assert LedgerEntry.objects.count() == 2


def test_unpaid_then_async_failed_unlocks_nothing(stripe_fake, canary_listing, buyer_api):
    order_id = checkout(buyer_api, canary_listing)["order_id"]
    session_id = stripe_fake.session_for_order(order_id)["id"]
    deliver(stripe_fake.complete(session_id, paid=False))
    deliver(stripe_fake.async_result(session_id, succeeded=False))
    order = Order.objects.get()
    assert order.status == OrderStatus.FAILED
    assert not Unlock.objects.exists()
    assert buyer_api.get(f"/api/v1/orders/{order_id}/").json()["failure_reason"]
    # The buyer can try again with a new checkout.
    assert checkout(buyer_api, canary_listing)["order_id"] != order_id


def test_expired_checkout_frees_the_buyer_to_start_again(stripe_fake, canary_listing, buyer_api):
    order_id = checkout(buyer_api, canary_listing)["order_id"]
    deliver(stripe_fake.expire(stripe_fake.session_for_order(order_id)["id"]))
    assert Order.objects.get(public_id=order_id).status == OrderStatus.EXPIRED
    assert checkout(buyer_api, canary_listing)["order_id"] != order_id


def test_refund_arriving_before_completed_ends_refunded(stripe_fake, canary_listing, buyer, buyer_api):
    session_id = stripe_fake.session_for_order(checkout(buyer_api, canary_listing)["order_id"])["id"]
    completed = stripe_fake.complete(session_id)
    charge_id = stripe_fake.intents[stripe_fake.sessions[session_id]["payment_intent"]]["latest_charge"]
    refunded = stripe_fake.refund_in_dashboard(charge_id, 1990)
    assert deliver(refunded).status_code == 200  # out of order: the refund first
    assert deliver(completed).status_code == 200
    order = Order.objects.get()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == 1990
    assert not Unlock.objects.filter(revoked_at__isnull=True).exists()
    assert _prompt_status(buyer_api, canary_listing) == 403
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0


def test_a_crashing_handler_is_a_500_rolls_back_and_the_redelivery_works(
    stripe_fake, canary_listing, buyer_api, monkeypatch
):
    from payments.models import WebhookEvent
    from payments.services import fulfilment, paid_event_fast_path

    event = stripe_fake.complete(
        stripe_fake.session_for_order(checkout(buyer_api, canary_listing)["order_id"])["id"]
    )

    real_grant = fulfilment.unlock_grant
    real_sql = paid_event_fast_path._paid_event_sql(wait_for_flush=True)

    def grant_then_crash(**kwargs):
        real_grant(**kwargs)
        raise RuntimeError("database fell over")

    # The paid event fails after the event row, the order, the ledger and the unlock were
    # written: in the general path (SQLite) right after the unlock, in PostgreSQL's one statement
    # in its final SELECT, which divides by zero once the writes are done.
    failing_sql = real_sql.replace(
        "SELECT EXISTS (SELECT 1 FROM paid)", "SELECT EXISTS (SELECT 1 FROM paid WHERE 1 / (id - id) = 1)"
    )
    assert failing_sql != real_sql
    with monkeypatch.context() as patched:
        patched.setattr(fulfilment, "unlock_grant", grant_then_crash)
        patched.setattr(paid_event_fast_path, "_paid_event_sql", lambda **_: failing_sql)
        from django.test import Client

        crashed = Client(raise_request_exception=False)
        assert deliver(event, client=crashed).status_code == 500
    assert not WebhookEvent.objects.exists()
    assert Order.objects.get().status == OrderStatus.PENDING
    assert not LedgerEntry.objects.exists()
    assert not Unlock.objects.exists()
    assert deliver(event).status_code == 200
    assert Unlock.objects.count() == 1
    assert LedgerEntry.objects.count() == 2


def test_return_page_unlocks_only_from_the_providers_answer(
    stripe_fake, canary_listing, buyer, buyer_api, client_for
):
    order_id = checkout(buyer_api, canary_listing)["order_id"]
    session_id = stripe_fake.session_for_order(order_id)["id"]
    from django.test import Client

    # A forged success URL (someone else's, or made up) proves nothing: Stripe says unpaid.
    assert Client().get(f"/payments/return/{order_id}/?session_id={session_id}").status_code == 404
    assert not Unlock.objects.exists()
    stranger = UserFactory()
    page = Client()
    page.force_login(stranger)
    stripe_fake.complete(session_id)  # paid at Stripe, webhook not here yet
    response = page.get(f"/payments/return/{order_id}/?session_id={session_id}")
    assert response.status_code == 404  # only the buyer sees how an order went
    assert b"CANARY-pay" not in response.content
    assert not Unlock.objects.filter(buyer=stranger).exists()
    assert Unlock.objects.get().buyer == buyer  # the true owner, from Stripe's state
