"""Refunds (seller, staff, Stripe dashboard) and disputes: access, payouts, ledger, seller totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from marketplace.core.money import split_fee
from payments import services, tasks
from payments.gateway import DisputeState, ProviderError
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    ReversalStatus,
    TransferReversal,
    Unlock,
)
from payments.services import disputes, payouts
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import checkout, deliver
from tests.tutoring.helpers import booked_and_paid, make_offer

pytestmark = pytest.mark.django_db

PRICE, FEE, SHARE = 1990, 398, 1592  # CNY 19.90 at the 20% commission


@pytest.fixture
def refund_listing(stripe_fake, seller):
    return make_listing(
        seller, publish=True, price_amount=PRICE, price_currency="CNY", prompt_text="CANARY-refund [x]"
    )


def _pay(fake, api, listing) -> Order:
    order_id = checkout(api, listing)["order_id"]
    assert deliver(fake.complete(fake.session_for_order(order_id)["id"])).status_code == 200
    order = Order.objects.get(public_id=order_id)
    assert order.status == OrderStatus.PAID
    return order


def _charge(fake, order) -> str:
    """The id of the order's charge at Stripe."""
    return fake.intents[order.payment_intent_id]["latest_charge"]


def _refund(api, order, **body):
    return api.post(f"/api/v1/seller/orders/{order.public_id}/refund/", body, format="json")


def _prompt(api, listing):
    return api.get(f"/api/v1/listings/{listing.public_id}/prompt/")


def _ledger(order, kind: str) -> list[int]:
    return list(LedgerEntry.objects.filter(order=order, kind=kind).values_list("amount", flat=True))


def _totals(api) -> dict:
    (row,) = api.get("/api/v1/seller/sales/").json()["totals"]
    return {key: value["amount"] if isinstance(value, dict) else value for key, value in row.items()}


# --- seller refunds -------------------------------------------------------------------------------


def test_three_partial_refunds_add_up_to_a_full_refund_that_revokes_access(
    stripe_fake, refund_listing, buyer, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    first = _refund(seller_api, order, amount=500, reason="Two variables did not work.")
    assert first.status_code == 201, first.json()
    assert first.json()["refund"] == {"status": "succeeded", "amount": 500}
    assert first.json()["status"] == "paid"
    assert _prompt(buyer_api, refund_listing).status_code == 200  # a partial refund keeps the prompt
    assert _refund(seller_api, order, amount=700).status_code == 201
    last = _refund(seller_api, order, amount=790)
    assert last.status_code == 201
    assert last.json()["status"] == "refunded"
    assert last.json()["refunded"]["amount"] == PRICE

    posts = stripe_fake.posts("/v1/refunds")
    assert [p["headers"]["idempotency-key"] for p in posts] == [
        f"refund:{order.public_id}:{n}" for n in (1, 2, 3)
    ]
    assert [p["params"]["amount"] for p in posts] == ["500", "700", "790"]
    assert all(p["params"]["payment_intent"] == order.payment_intent_id for p in posts)
    assert all(p["params"]["reverse_transfer"] == "true" for p in posts)
    assert all(p["params"]["refund_application_fee"] == "true" for p in posts)
    assert len(stripe_fake.refunds) == 3

    fee_back = _ledger(order, "commission_refund")
    assert len(fee_back) == 3 and sum(fee_back) == -FEE  # the commission comes back exactly
    assert sum(_ledger(order, "refund")) == -SHARE
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True)) == 0
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, PRICE)
    unlock = Unlock.objects.get(buyer=buyer, listing=refund_listing)
    assert unlock.revoked_at is not None and unlock.revoke_reason == "refunded"
    denied = _prompt(buyer_api, refund_listing)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "not_unlocked"
    assert buyer_api.get("/api/v1/me/library/").json()["results"] == []

    # Stripe also sends charge.refunded for each of them: all already recorded.
    ledger_before = LedgerEntry.objects.count()
    for event in [e for e in stripe_fake.events if e["type"] == "charge.refunded"]:
        assert deliver(event).status_code == 200
    assert LedgerEntry.objects.count() == ledger_before
    assert Refund.objects.filter(order=order).count() == 3


def test_a_refund_repeated_with_the_same_idempotency_key_is_made_once(
    stripe_fake, refund_listing, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    url = f"/api/v1/seller/orders/{order.public_id}/refund/"
    first = seller_api.post(url, {"amount": 500}, format="json", HTTP_IDEMPOTENCY_KEY="refund-once")
    again = seller_api.post(url, {"amount": 500}, format="json", HTTP_IDEMPOTENCY_KEY="refund-once")
    assert first.status_code == again.status_code == 201
    assert again.json()["refunded"]["amount"] == 500 and again.json()["refund"]["amount"] == 500
    assert len(stripe_fake.posts("/v1/refunds")) == 1
    other = seller_api.post(url, {"amount": 500}, format="json", HTTP_IDEMPOTENCY_KEY="refund-twice")
    assert other.json()["refunded"]["amount"] == 1000


@pytest.mark.parametrize(
    "amount",
    [PRICE + 1, 0, -100, 12.5, "12.5", "ten", True, None, "1e3"],
    ids=["over", "zero", "negative", "float", "decimal-string", "word", "boolean", "null", "exponent"],
)
def test_bad_refund_amounts_are_a_400_envelope_and_change_nothing(
    stripe_fake, refund_listing, buyer_api, seller_api, amount
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    response = _refund(seller_api, order, amount=amount)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in ("invalid", "invalid_refund_amount")
    assert error["message"] and "amount" in error["fields"]
    assert stripe_fake.posts("/v1/refunds") == []
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.PAID, 0)
    assert _prompt(buyer_api, refund_listing).status_code == 200


def test_refunding_more_than_is_left_says_what_is_left(stripe_fake, refund_listing, buyer_api, seller_api):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    assert _refund(seller_api, order, amount=1500).status_code == 201
    response = _refund(seller_api, order, amount=491)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_refund_amount"
    assert "490" in response.json()["error"]["message"]
    assert len(stripe_fake.refunds) == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == 1500


def test_without_an_amount_the_rest_is_refunded(stripe_fake, refund_listing, buyer_api, seller_api):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    _refund(seller_api, order, amount=990)
    response = _refund(seller_api, order)
    assert response.status_code == 201
    assert response.json()["refund"]["amount"] == 1000
    assert response.json()["status"] == "refunded"
    again = _refund(seller_api, order)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_refundable"


@pytest.mark.parametrize("who", ["other_seller", "buyer"])
def test_only_the_orders_seller_can_refund_it_others_get_404(
    stripe_fake, refund_listing, buyer_api, client_for, request, who
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    response = _refund(client_for(request.getfixturevalue(who)), order, amount=100)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert stripe_fake.posts("/v1/refunds") == []
    assert Order.objects.get(pk=order.pk).refunded_amount == 0


def test_a_500_from_stripe_is_retried_with_the_same_key_into_one_refund(
    stripe_fake, refund_listing, buyer_api, seller_api, fast_retries
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    stripe_fake.fail_next.append(("/v1/refunds", 500))
    response = _refund(seller_api, order, amount=600)
    assert response.status_code == 201, response.json()
    refund = Refund.objects.get(order=order)
    for _ in range(3):
        tasks.submit_refund(refund.pk)
    services.refund_submit(refund_id=refund.pk)
    posts = stripe_fake.posts("/v1/refunds")
    assert len(posts) == 2  # the failed attempt and the library's retry
    assert {p["headers"]["idempotency-key"] for p in posts} == {f"refund:{order.public_id}:1"}
    assert len(stripe_fake.refunds) == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.provider_refund_id in stripe_fake.refunds
    assert Order.objects.get(pk=order.pk).refunded_amount == 600
    assert len(_ledger(order, "refund")) == 1


def test_a_refund_task_retried_three_times_makes_one_refund(
    stripe_fake, refund_listing, buyer_api, seller, fast_retries
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    stripe_fake.fail_next.extend([("/v1/refunds", 500)] * 3)  # the call and both library retries fail
    assert (
        services.order_refund(order=order, amount=None, by=seller, reason="").status == RefundStatus.PENDING
    )  # kept for a retry
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, 1)
    assert refund.last_error
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID

    for _ in range(3):
        tasks.submit_refund(refund.pk)
    keys = {p["headers"]["idempotency-key"] for p in stripe_fake.posts("/v1/refunds")}
    assert keys == {f"refund:{order.public_id}:1"}
    assert len(stripe_fake.refunds) == 1
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, PRICE)
    assert len(_ledger(order, "refund")) == 1


def test_stripe_down_during_a_seller_refund_is_accepted_and_retried_with_the_same_key(
    stripe_fake, refund_listing, buyer_api, seller_api, fast_retries
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    stripe_fake.fail_next.extend([("/v1/refunds", 500)] * 3)
    seller_api.raise_request_exception = False
    response = _refund(seller_api, order, amount=600)
    assert response.status_code == 202
    assert response.json()["refund"] == {
        "status": "pending",
        "amount": 600,
        "message": "The payment provider did not answer; the refund will be retried.",
    }
    assert Refund.objects.get(order=order).status == RefundStatus.PENDING
    assert not stripe_fake.refunds
    tasks.submit_refund(Refund.objects.get(order=order).pk)  # the retry: Stripe is back
    keys = {p["headers"]["idempotency-key"] for p in stripe_fake.posts("/v1/refunds")}
    assert keys == {f"refund:{order.public_id}:1"}
    assert len(stripe_fake.refunds) == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == 600


def test_the_refund_webhook_arriving_before_stripes_answer_is_one_refund(
    stripe_fake, refund_listing, buyer_api, seller_api, monkeypatch
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    gateway = services.gateway()
    create_refund = gateway.create_refund

    def webhook_first(**kwargs):
        result = create_refund(**kwargs)
        assert deliver(stripe_fake.events[-1]).status_code == 200  # Stripe is faster than our bookkeeping
        return result

    monkeypatch.setattr(gateway, "create_refund", webhook_first)
    seller_api.raise_request_exception = False
    response = _refund(seller_api, order, amount=600)
    assert response.status_code == 201
    assert Refund.objects.filter(order=order).count() == 1
    assert Refund.objects.get(order=order).status == RefundStatus.SUCCEEDED
    assert Order.objects.get(pk=order.pk).refunded_amount == 600


# --- refunds made elsewhere ------------------------------------------------------------------------


def test_a_dashboard_refund_is_adopted_once_however_often_it_arrives(
    stripe_fake, refund_listing, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    first = stripe_fake.refund_in_dashboard(_charge(stripe_fake, order), 700)
    assert deliver(first).status_code == 200
    again = deliver(first)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    adopted = Refund.objects.get(order=order)
    assert (adopted.amount, adopted.status, adopted.sequence) == (700, RefundStatus.SUCCEEDED, 1)
    assert len(_ledger(order, "refund")) == 1

    # A second dashboard refund: its event lists both; the first is not counted twice.
    deliver(stripe_fake.refund_in_dashboard(_charge(stripe_fake, order), 300))
    order.refresh_from_db()
    assert order.refunded_amount == 1000
    assert Refund.objects.filter(order=order).count() == 2
    assert sum(_ledger(order, "refund")) + sum(_ledger(order, "commission_refund")) == -1000
    # The seller refunds the rest here: the next key does not collide with the adopted ones.
    response = _refund(seller_api, order)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "refunded"
    assert stripe_fake.posts("/v1/refunds")[-1]["headers"]["idempotency-key"] == f"refund:{order.public_id}:3"
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True)) == 0


# --- staff refunds in the admin ------------------------------------------------------------------

CHANGELIST = "/admin/payments/order/"


@pytest.mark.parametrize("role", ["superuser", "staff with permissions"])
def test_staff_refund_in_full_from_the_admin(stripe_fake, refund_listing, buyer, buyer_api, staff, role):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    if role == "superuser":
        staff.is_superuser = True
        staff.save()
    else:
        staff.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_order", "add_refund"], content_type__app_label="payments"
            )
        )
    admin = Client()
    admin.force_login(staff)
    assert admin.get(CHANGELIST).status_code == 200
    response = admin.post(
        CHANGELIST, {"action": "refund_in_full", "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200
    assert f"Refunded {order.public_id}." in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, PRICE)
    refund = Refund.objects.get(order=order)
    assert refund.requested_by == staff and refund.amount == PRICE
    assert stripe_fake.posts("/v1/refunds")[0]["params"]["reverse_transfer"] == "true"
    assert _prompt(buyer_api, refund_listing).status_code == 403


def test_staff_without_the_refund_permission_cannot_refund(stripe_fake, refund_listing, buyer_api, staff):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    staff.user_permissions.add(Permission.objects.get(codename="view_order"))
    admin = Client()
    admin.force_login(staff)
    response = admin.post(
        CHANGELIST, {"action": "refund_in_full", "_selected_action": [order.pk]}, follow=True
    )
    assert "You need the &#x27;add refund&#x27; permission." in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert stripe_fake.posts("/v1/refunds") == []


# --- the seller's totals ----------------------------------------------------------------------------


def test_sales_totals_after_a_sale_a_partial_refund_and_a_dispute(
    stripe_fake, refund_listing, buyer_api, seller_api, client_for
):
    first = _pay(stripe_fake, buyer_api, refund_listing)
    assert _totals(seller_api) == {
        "currency": "CNY",
        "sales": 1,
        "gross": PRICE,
        "platform_fees": FEE,
        "refunds": 0,
        "net": SHARE,
        "held": 0,
    }
    _refund(seller_api, first, amount=500)  # the fee comes back in proportion: 100 of it
    second = _pay(stripe_fake, client_for(UserFactory()), refund_listing)
    assert deliver(stripe_fake.open_dispute(_charge(stripe_fake, second))).status_code == 200
    totals = _totals(seller_api)
    assert totals == {
        "currency": "CNY",
        "sales": 2,
        "gross": 2 * PRICE,
        "platform_fees": 2 * FEE,
        "refunds": 500,
        "net": 2 * SHARE - 400,
        "held": SHARE,
    }
    assert [sale["disputed"] for sale in seller_api.get("/api/v1/seller/sales/").json()["results"]] == [
        True,
        False,
    ]


def test_held_money_of_a_partly_refunded_disputed_sale_is_what_the_seller_still_has(
    stripe_fake, refund_listing, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    _refund(seller_api, order, amount=500)
    deliver(stripe_fake.open_dispute(_charge(stripe_fake, order)))
    totals = _totals(seller_api)
    assert totals["net"] == SHARE - 400
    assert totals["held"] == SHARE - 400


# --- disputes -----------------------------------------------------------------------------------------


def test_a_dispute_suspends_access_and_holds_the_payout_and_winning_restores_both(
    stripe_fake, refund_listing, buyer, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    opened = stripe_fake.open_dispute(_charge(stripe_fake, order))
    assert deliver(opened).status_code == 200
    order.refresh_from_db()
    assert order.disputed and order.payout_held
    assert _prompt(buyer_api, refund_listing).json()["error"]["code"] == "not_unlocked"
    assert buyer_api.get(f"/api/v1/orders/{order.public_id}/").json()["disputed"] is True
    assert _totals(seller_api)["held"] == SHARE

    won = stripe_fake.close_dispute(opened["data"]["object"]["id"], "won")
    assert deliver(won).status_code == 200
    assert deliver(won).json()["duplicate"] is True
    order.refresh_from_db()
    assert not order.disputed and not order.payout_held
    assert order.status == OrderStatus.PAID
    assert _prompt(buyer_api, refund_listing).json()["text"] == "CANARY-refund [x]"
    assert Unlock.objects.filter(buyer=buyer, listing=refund_listing, revoked_at__isnull=True).count() == 1
    assert _totals(seller_api)["held"] == 0
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", flat=True)) == [
        "commission",
        "sale",
    ]


def test_a_dispute_won_after_the_buyer_bought_again_settles_without_a_500(
    stripe_fake, refund_listing, buyer, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    opened = stripe_fake.open_dispute(_charge(stripe_fake, order))
    deliver(opened)
    again = _pay(stripe_fake, buyer_api, refund_listing)  # access was suspended, so the buyer could buy again
    won = stripe_fake.close_dispute(opened["data"]["object"]["id"], "won")
    response = deliver(won, client=Client(raise_request_exception=False))
    assert response.status_code == 200
    order.refresh_from_db()
    assert not order.payout_held and not order.disputed
    assert Unlock.objects.filter(buyer=buyer, listing=refund_listing, revoked_at__isnull=True).count() == 1
    assert again.status == OrderStatus.PAID
    assert _totals(seller_api)["held"] == 0


def test_a_lost_dispute_revokes_access_and_takes_the_money_back_in_the_ledger(
    stripe_fake, refund_listing, buyer_api, seller_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    opened = stripe_fake.open_dispute(_charge(stripe_fake, order))
    deliver(opened)
    lost = stripe_fake.close_dispute(opened["data"]["object"]["id"], "lost")
    assert deliver(lost).status_code == 200
    # Stripe may send the same outcome again under another event id.
    deliver(stripe_fake.event("charge.dispute.closed", lost["data"]["object"]))
    assert _prompt(buyer_api, refund_listing).status_code == 403
    assert _ledger(order, "dispute_lost") == [-SHARE]
    assert _ledger(order, "dispute_commission") == [-FEE]
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True)) == 0
    order.refresh_from_db()
    assert order.disputed and not order.payout_held
    totals = _totals(seller_api)
    assert (totals["net"], totals["held"]) == (0, 0)


def test_events_for_a_charge_no_order_knows_are_200_and_change_nothing(
    stripe_fake, refund_listing, buyer, buyer_api
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    # A payment on the same Stripe account that Dimsum did not make (another integration, a manual charge).
    intent = {"id": "pi_not_ours_000000000001", "amount": 5000, "currency": "cny", "latest_charge": None}
    stripe_fake.intents[intent["id"]] = intent
    charge = stripe_fake._charge(intent)
    before = (
        list(LedgerEntry.objects.values_list("key", "amount")),
        list(Order.objects.values_list("status", "refunded_amount", "disputed")),
        Refund.objects.count(),
    )
    refunded = stripe_fake.refund_in_dashboard(charge["id"], 5000)
    opened = stripe_fake.open_dispute(charge["id"])
    closed = stripe_fake.close_dispute(opened["data"]["object"]["id"], "lost")
    for event in (refunded, opened, closed):
        response = deliver(event)
        assert response.status_code == 200, response.content
    after = (
        list(LedgerEntry.objects.values_list("key", "amount")),
        list(Order.objects.values_list("status", "refunded_amount", "disputed")),
        Refund.objects.count(),
    )
    assert after == before
    assert Unlock.objects.get(order=order).revoked_at is None
    assert _prompt(buyer_api, refund_listing).status_code == 200


# --- a lost dispute takes the seller's share back: one transfer reversal ------------------------------


def _transfer(fake, order) -> str:
    """The destination charge's transfer to the seller's account at Stripe."""
    return fake.charges[_charge(fake, order)]["transfer"]


def _lose_dispute(fake, order, capture) -> dict:
    opened = fake.open_dispute(_charge(fake, order))
    assert deliver(opened).status_code == 200
    lost = fake.close_dispute(opened["data"]["object"]["id"], "lost")
    with capture(execute=True):  # the reversal task is enqueued after commit (eager in tests)
        assert deliver(lost).status_code == 200
    return lost


def test_a_lost_dispute_reverses_the_sellers_transfer_once(
    stripe_fake, refund_listing, buyer_api, seller_api, django_capture_on_commit_callbacks
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    transfer = _transfer(stripe_fake, order)
    lost = _lose_dispute(stripe_fake, order, django_capture_on_commit_callbacks)
    # The same outcome again: the same event, then under another event id; and the task twice more.
    again = stripe_fake.event("charge.dispute.closed", lost["data"]["object"])
    for event in (lost, again):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(event).status_code == 200
    reversal = TransferReversal.objects.get()
    tasks.submit_transfer_reversal(reversal.pk)
    tasks.submit_transfer_reversal(reversal.pk)

    (post,) = stripe_fake.posts(f"/v1/transfers/{transfer}/reversals")
    assert post["headers"]["idempotency-key"] == f"dispute-reversal:{order.public_id}"
    assert post["params"]["amount"] == str(SHARE)
    (made,) = stripe_fake.reversals_of(transfer)
    assert made["amount"] == SHARE
    assert stripe_fake.transfers[transfer]["amount_reversed"] == SHARE
    reversal.refresh_from_db()
    assert (reversal.status, reversal.amount, reversal.transfer_id) == (
        ReversalStatus.SUCCEEDED,
        SHARE,
        transfer,
    )
    assert reversal.provider_reversal_id == made["id"]
    reversed_back = LedgerEntry.objects.get(order=order, kind="transfer_reversal")
    assert (reversed_back.account, reversed_back.amount) == (LedgerAccount.PAID_OUT, -SHARE)
    assert reversed_back.external_id == made["id"]
    assert _ledger(order, "dispute_lost") == [-SHARE]  # the seller's loss, once
    assert _prompt(buyer_api, refund_listing).status_code == 403
    # The seller's earnings show the loss; the reversal is how it is collected, not a second loss.
    totals = _totals(seller_api)
    assert (totals["sales"], totals["gross"], totals["net"], totals["held"]) == (1, PRICE, 0, 0)
    (sale,) = seller_api.get("/api/v1/seller/sales/").json()["results"]
    assert sale["disputed"] is True


def test_a_won_dispute_restores_access_and_reverses_nothing(
    stripe_fake, refund_listing, buyer_api, seller_api, django_capture_on_commit_callbacks
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    opened = stripe_fake.open_dispute(_charge(stripe_fake, order))
    with django_capture_on_commit_callbacks(execute=True):
        deliver(opened)
        deliver(stripe_fake.close_dispute(opened["data"]["object"]["id"], "won"))
    assert _prompt(buyer_api, refund_listing).status_code == 200
    assert not TransferReversal.objects.exists()
    assert not stripe_fake.reversals
    assert not LedgerEntry.objects.filter(kind__in=["dispute_lost", "transfer_reversal"]).exists()
    assert _totals(seller_api)["net"] == SHARE


def test_a_lost_dispute_after_a_partial_refund_reverses_what_the_seller_still_has(
    stripe_fake, refund_listing, buyer_api, seller_api, django_capture_on_commit_callbacks
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    _refund(seller_api, order, amount=500)  # reverse_transfer took 500 back already, 100 of our fee
    transfer = _transfer(stripe_fake, order)
    _lose_dispute(stripe_fake, order, django_capture_on_commit_callbacks)
    (made,) = stripe_fake.reversals_of(transfer)
    assert made["amount"] == SHARE - 400
    assert stripe_fake.transfers[transfer]["amount_reversed"] == 500 + SHARE - 400
    seller = LedgerEntry.objects.filter(order=order, account=LedgerAccount.SELLER)
    assert sum(seller.values_list("amount", flat=True)) == 0
    assert _ledger(order, "transfer_reversal") == [-(SHARE - 400)]


def test_stripe_down_during_the_reversal_is_retried_with_the_same_key_into_one_reversal(
    stripe_fake, refund_listing, buyer_api, fast_retries, django_capture_on_commit_callbacks, monkeypatch
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    transfer = _transfer(stripe_fake, order)
    # First the call and both of the library's retries fail: the loss is committed all the same.
    stripe_fake.fail_next.extend([(f"/v1/transfers/{transfer}/reversals", 500)] * 3)
    _lose_dispute(stripe_fake, order, django_capture_on_commit_callbacks)
    reversal = TransferReversal.objects.get()
    assert (reversal.status, reversal.attempts) == (ReversalStatus.PENDING, 1)
    assert "APIError" in reversal.last_error
    assert not LedgerEntry.objects.filter(kind="transfer_reversal").exists()
    assert _prompt(buyer_api, refund_listing).status_code == 403  # the loss itself was committed

    # Then Stripe makes the reversal but its answer is lost: the retry gets the same one back.
    gateway = services.gateway()
    create = gateway.create_transfer_reversal

    def answer_lost(**kwargs):
        create(**kwargs)
        raise ProviderError("Stripe request failed (APIConnectionError).", transient=True, code="timeout")

    monkeypatch.setattr(gateway, "create_transfer_reversal", answer_lost)
    with pytest.raises(ProviderError):
        disputes.transfer_reversal_submit(reversal_id=reversal.pk)
    monkeypatch.undo()
    tasks.submit_transfer_reversal(reversal.pk)
    tasks.submit_transfer_reversal(reversal.pk)

    keys = {p["headers"]["idempotency-key"] for p in stripe_fake.posts(f"/v1/transfers/{transfer}/reversals")}
    assert keys == {f"dispute-reversal:{order.public_id}"}
    assert len(stripe_fake.reversals_of(transfer)) == 1
    assert stripe_fake.transfers[transfer]["amount_reversed"] == SHARE
    reversal.refresh_from_db()
    assert reversal.status == ReversalStatus.SUCCEEDED
    assert _ledger(order, "transfer_reversal") == [-SHARE]


def test_a_reversal_stripe_refuses_is_failed_with_the_reason_and_not_retried(
    stripe_fake, refund_listing, buyer_api, django_capture_on_commit_callbacks
):
    order = _pay(stripe_fake, buyer_api, refund_listing)
    transfer = _transfer(stripe_fake, order)
    stripe_fake._reverse(stripe_fake.transfers[transfer], PRICE)  # reversed in the dashboard already
    _lose_dispute(stripe_fake, order, django_capture_on_commit_callbacks)  # no exception: not transient
    reversal = TransferReversal.objects.get()
    assert (reversal.status, reversal.attempts) == (ReversalStatus.FAILED, 1)
    assert "amount_too_large" in reversal.last_error
    tasks.submit_transfer_reversal(reversal.pk)
    assert len(stripe_fake.posts(f"/v1/transfers/{transfer}/reversals")) == 1
    assert not LedgerEntry.objects.filter(kind="transfer_reversal").exists()


def test_a_lost_dispute_on_a_paid_out_booking_reverses_the_payout_once(
    seller, buyer, client_for, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 5, 4, tzinfo=UTC), tick=False) as clock:
        body = booked_and_paid(client_for(buyer), make_offer(seller), "2026-05-06T09:00:00+08:00")
        order = Order.objects.get(booking__public_id=body["booking_id"])
        clock.move_to(order.booking.ends_at + payouts.payout_delay() + timedelta(minutes=1))
        payout = payouts.booking_payout(order_id=order.pk)
        assert payout is not None and payout.status == "paid"
        lost = DisputeState(
            id="dp_booking_lost",
            charge_id=order.charge_id or "",
            payment_intent_id=None,
            status="lost",
            amount=19900,
        )
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                services.order_apply_dispute(dispute=lost)

    _, share = split_fee(19900, 2000)
    reversal = TransferReversal.objects.get()
    assert (reversal.status, reversal.amount, reversal.transfer_id) == (
        ReversalStatus.SUCCEEDED,
        share,
        payout.transfer_id,
    )
    assert reversal.key == f"dispute-reversal:{order.public_id}"
    paid_out = LedgerEntry.objects.filter(order=order, account=LedgerAccount.PAID_OUT)
    assert sorted(paid_out.values_list("kind", "amount")) == [
        ("payout", share),
        ("transfer_reversal", -share),
    ]
    seller_ledger = LedgerEntry.objects.filter(order=order, account=LedgerAccount.SELLER)
    assert sum(seller_ledger.values_list("amount", flat=True)) == 0
