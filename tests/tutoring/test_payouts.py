"""Tutors are paid by a transfer after the session (plus the delay), once; never for a refunded,
cancelled or disputed booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from marketplace.core.money import split_fee
from marketplace.tutoring.models import Booking
from payments import services
from payments.gateway import DisputeState
from payments.models import LedgerAccount, LedgerEntry, Order, Payout, PayoutStatus, Refund
from payments.services import payouts
from payments.tasks import pay_out_bookings
from tests.payments.helpers import deliver
from tests.tutoring.helpers import book, booked_and_paid, make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9 = "2026-05-06T09:00:00+08:00"
ENDS = datetime.fromisoformat("2026-05-06T10:00:00+08:00")
PRICE = 19900
FEE, SHARE = split_fee(PRICE, 2000)  # 3980, 15920


def _order(booking_id: str) -> Order:
    return Order.objects.get(booking__public_id=booking_id)


def _payout_shown(seller_api) -> dict:
    (row,) = seller_api.get("/api/v1/seller/bookings/").json()["results"]
    return row["payout"]


def _paid_out() -> list[int]:
    return list(LedgerEntry.objects.filter(account=LedgerAccount.PAID_OUT).values_list("amount", flat=True))


def test_the_tutor_is_paid_once_after_the_session_and_the_delay(seller, buyer_api, seller_api, clock):
    offer = make_offer(seller)
    body = booked_and_paid(buyer_api, offer, WED_9)
    order = _order(body["booking_id"])
    assert (order.transfer_group, order.seller_amount) == (f"booking:{body['booking_id']}", SHARE)
    shown = _payout_shown(seller_api)
    assert shown["status"] == "scheduled"
    assert shown["amount"] == {"amount": SHARE, "currency": "CNY", "display": "CN¥159.20"}
    assert datetime.fromisoformat(shown["due_at"].replace("Z", "+00:00")) == ENDS + timedelta(hours=24)

    clock.move_to(ENDS + timedelta(hours=23, minutes=59))
    assert pay_out_bookings()["paid"] == 0
    assert not Payout.objects.exists()
    clock.move_to(ENDS + timedelta(hours=24))
    assert pay_out_bookings()["paid"] == 1
    assert pay_out_bookings()["paid"] == 0  # a second beat run pays nothing
    payout = Payout.objects.get()
    assert (payout.order, payout.status, payout.amount, payout.attempts) == (order, "paid", SHARE, 1)
    assert payout.transfer_id.startswith("tr_sandbox_")
    assert _paid_out() == [SHARE]
    # What the seller earned is unchanged; the payout is recorded beside it.
    seller_ledger = LedgerEntry.objects.filter(order=order, account=LedgerAccount.SELLER)
    assert list(seller_ledger.values_list("amount", flat=True)) == [SHARE]
    assert _payout_shown(seller_api)["status"] == "paid"


def test_the_payout_delay_is_a_setting(seller, buyer_api, clock, settings):
    settings.TUTORING_PAYOUT_DELAY_HOURS = 0
    booked_and_paid(buyer_api, make_offer(seller), WED_9)
    clock.move_to(ENDS - timedelta(minutes=1))
    assert pay_out_bookings()["paid"] == 0
    clock.move_to(ENDS)
    assert pay_out_bookings()["paid"] == 1


def _seller_cancels(ctx) -> None:
    assert ctx["seller_api"].post(f"/api/v1/tutoring/bookings/{ctx['id']}/cancel/").status_code == 200


def _buyer_cancels_late(ctx) -> None:  # no refund by the policy, but the session did not take place
    ctx["clock"].move_to(datetime.fromisoformat(WED_9) - timedelta(hours=2))
    assert ctx["buyer_api"].post(f"/api/v1/tutoring/bookings/{ctx['id']}/cancel/").status_code == 200
    assert _order(ctx["id"]).refunded_amount == 0


def _partly_refunded(ctx) -> None:
    url = f"/api/v1/seller/orders/{_order(ctx['id']).public_id}/refund/"
    assert ctx["seller_api"].post(url, {"amount": 100}, format="json").status_code == 201


def _refund_in_flight(ctx) -> None:
    Refund.objects.create(order=_order(ctx["id"]), sequence=1, amount=PRICE)  # the provider has not answered


def _disputed(ctx) -> None:
    order = _order(ctx["id"])
    services.order_apply_dispute(
        dispute=DisputeState(
            id="dp_1",
            charge_id=order.charge_id or "",
            payment_intent_id=order.payment_intent_id,
            status="needs_response",
            amount=PRICE,
        )
    )


@pytest.mark.parametrize(
    ("happening", "shown"),
    [
        (_seller_cancels, "withheld"),
        (_partly_refunded, "withheld"),
        (_refund_in_flight, "scheduled"),
        (_disputed, "on_hold"),
    ],
)
def test_refunded_cancelled_or_disputed_bookings_are_never_paid_out(
    seller, buyer_api, seller_api, clock, happening, shown
):
    body = booked_and_paid(buyer_api, make_offer(seller), WED_9)
    happening({"id": body["booking_id"], "buyer_api": buyer_api, "seller_api": seller_api, "clock": clock})
    clock.move_to(ENDS + timedelta(days=3))
    assert pay_out_bookings() == {"paid": 0, "failed": 0, "expired": 0}
    assert payouts.booking_payout(order_id=_order(body["booking_id"]).pk) is None
    assert not Payout.objects.exists() and _paid_out() == []
    assert _payout_shown(seller_api)["status"] == shown


def test_a_late_buyer_cancellation_kept_by_the_policy_pays_the_tutor_for_the_reserved_hour(
    seller, buyer_api, seller_api, clock
):
    body = booked_and_paid(buyer_api, make_offer(seller), WED_9)
    _buyer_cancels_late({"id": body["booking_id"], "buyer_api": buyer_api, "clock": clock})
    assert _payout_shown(seller_api)["status"] == "scheduled"
    clock.move_to(ENDS + timedelta(days=3))
    assert pay_out_bookings()["paid"] == 1
    assert pay_out_bookings()["paid"] == 0
    assert _paid_out() == [SHARE]


def test_the_tutor_sees_the_share_still_to_send_and_when_the_next_is_due(
    seller, buyer_api, seller_api, clock
):
    offer = make_offer(seller)
    booked_and_paid(buyer_api, offer, WED_9)
    cancelled = booked_and_paid(buyer_api, offer, "2026-05-06T10:00:00+08:00")
    _seller_cancels({"id": cancelled["booking_id"], "seller_api": seller_api})  # refunded: never sent
    booked_and_paid(buyer_api, offer, "2026-05-07T09:00:00+08:00")
    assert payouts.booking_payouts_upcoming(seller=seller) == [
        {"currency": "CNY", "amount": 2 * SHARE, "count": 2, "next_due_at": ENDS + timedelta(hours=24)}
    ]
    clock.move_to(ENDS + timedelta(hours=24))
    assert pay_out_bookings()["paid"] == 1
    (row,) = payouts.booking_payouts_upcoming(seller=seller)
    assert (row["amount"], row["count"]) == (SHARE, 1)
    assert row["next_due_at"] == datetime.fromisoformat("2026-05-08T10:00:00+08:00")


def test_an_unpaid_or_expired_booking_has_no_payout(seller, buyer_api, seller_api, clock):
    book(buyer_api, make_offer(seller), WED_9)
    assert _payout_shown(seller_api) is None
    clock.move_to(ENDS + timedelta(days=3))
    pay_out_bookings()
    assert not Payout.objects.exists()


def test_a_payout_the_provider_may_have_forgotten_is_failed_for_an_operator(seller, buyer_api, clock):
    body = booked_and_paid(buyer_api, make_offer(seller), WED_9)
    clock.move_to(ENDS + timedelta(hours=24))
    order = _order(body["booking_id"])
    Payout.objects.create(order=order, amount=SHARE, currency="CNY", destination_account="acct_x")
    clock.shift(timedelta(hours=23))
    assert pay_out_bookings() == {"paid": 0, "failed": 0, "expired": 1}
    payout = Payout.objects.get()
    assert payout.status == PayoutStatus.FAILED and "dashboard" in payout.last_error
    assert pay_out_bookings()["paid"] == 0


# --- through the official stripe library and the fake --------------------------------------------------


def _stripe_booking(stripe_fake, seller, buyer_api) -> tuple[dict, Order]:
    offer = make_offer(seller)
    response = book(buyer_api, offer, WED_9)
    assert response.status_code == 201, response.json()
    body = response.json()
    event = stripe_fake.complete(stripe_fake.session_for_order(body["order_id"])["id"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert deliver(event).status_code == 200
    return body, _order(body["booking_id"])


def test_the_transfer_at_stripe_has_the_share_the_account_the_charge_and_the_group(
    stripe_fake, seller, buyer_api, clock
):
    body, order = _stripe_booking(stripe_fake, seller, buyer_api)
    charge_id = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
    assert stripe_fake.charges[charge_id]["transfer_group"] == f"booking:{body['booking_id']}"
    clock.move_to(ENDS + timedelta(hours=24, minutes=1))
    pay_out_bookings()
    pay_out_bookings()
    (request,) = stripe_fake.posts("/v1/transfers")
    assert request["headers"]["idempotency-key"] == f"payout:booking:{body['booking_id']}"
    params = request["params"]
    assert params["amount"] == str(SHARE) and params["currency"] == "cny"
    assert params["destination"] == seller.payout_account.account_id
    assert params["source_transaction"] == charge_id
    assert params["transfer_group"] == f"booking:{body['booking_id']}"
    (transfer,) = stripe_fake.transfers.values()
    payout = Payout.objects.get()
    assert (payout.status, payout.transfer_id) == (PayoutStatus.PAID, transfer["id"])
    assert LedgerEntry.objects.get(account=LedgerAccount.PAID_OUT).external_id == transfer["id"]


def test_stripe_down_is_retried_next_run_with_the_same_key_into_one_transfer(
    stripe_fake, seller, buyer_api, clock, fast_retries
):
    body, _ = _stripe_booking(stripe_fake, seller, buyer_api)
    clock.move_to(ENDS + timedelta(hours=25))
    stripe_fake.fail_next += [("/v1/transfers", 500)] * 3  # the library's own 2 retries fail too
    assert pay_out_bookings()["paid"] == 0
    payout = Payout.objects.get()
    assert (payout.status, payout.attempts) == (PayoutStatus.PENDING, 1)
    assert "api_error" in payout.last_error or "Stripe" in payout.last_error
    clock.shift(timedelta(minutes=15))
    assert pay_out_bookings()["paid"] == 1
    keys = {r["headers"]["idempotency-key"] for r in stripe_fake.posts("/v1/transfers")}
    assert keys == {f"payout:booking:{body['booking_id']}"}
    assert len(stripe_fake.transfers) == 1
    assert Payout.objects.get().attempts == 2


def test_a_claim_whose_worker_died_is_taken_over_after_the_lease(stripe_fake, seller, buyer_api, clock):
    _, order = _stripe_booking(stripe_fake, seller, buyer_api)
    clock.move_to(ENDS + timedelta(hours=25))
    assert payouts._charge_known(order.pk)
    assert payouts._claim(order_id=order.pk, now=timezone.now()) is not None  # ... and then it died
    assert pay_out_bookings()["paid"] == 0  # still within its lease: nobody else sends
    assert stripe_fake.posts("/v1/transfers") == []
    clock.shift(payouts.PAYOUT_LEASE + timedelta(seconds=1))
    assert pay_out_bookings()["paid"] == 1
    assert len(stripe_fake.transfers) == 1


def test_a_refunded_stripe_booking_is_refunded_without_reversal_and_never_transferred(
    stripe_fake, seller, buyer_api, seller_api, clock
):
    body, _ = _stripe_booking(stripe_fake, seller, buyer_api)
    with TestCase.captureOnCommitCallbacks(execute=True):
        cancelled = seller_api.post(f"/api/v1/tutoring/bookings/{body['booking_id']}/cancel/")
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["refund"] == {"status": "succeeded", "amount": PRICE}
    (refund,) = stripe_fake.posts("/v1/refunds")
    assert "reverse_transfer" not in refund["params"] and "refund_application_fee" not in refund["params"]
    clock.move_to(ENDS + timedelta(days=2))
    pay_out_bookings()
    assert stripe_fake.posts("/v1/transfers") == []
    assert Booking.objects.get(public_id=body["booking_id"]).status == "cancelled"
