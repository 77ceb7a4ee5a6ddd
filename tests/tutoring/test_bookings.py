"""Booking: holds, the envelope for bad input, paying through payments, expiry, cancel and reschedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import TestCase

from marketplace.tutoring.models import Booking
from marketplace.tutoring.tasks import expire_holds
from payments import services
from payments.models import LedgerEntry, Order, OrderStatus, RefundStatus
from payments.sandbox import SandboxGateway
from tests.factories import UserFactory
from tests.tutoring.helpers import book, error_code, make_offer, slots

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
WED_9 = "2026-05-06T09:00:00+08:00"
WED_10 = "2026-05-06T10:00:00+08:00"


def _pay_in_sandbox(order_id: str) -> None:
    """The sandbox checkout's Pay button, then the one fulfilment function, as the page does."""
    order = Order.objects.get(public_id=order_id)
    state = SandboxGateway().pay(order.checkout_session_id or "")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.order_apply_session(session=state)


def _booked(api, offer, start=WED_9) -> dict:
    response = book(api, offer, start)
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_hold_returns_a_checkout_and_takes_the_slot(offer, buyer, buyer_api, anon):
    body = _booked(buyer_api, offer)
    assert body["checkout_url"].startswith("http://127.0.0.1:8000/payments/sandbox/checkout/")
    assert datetime.fromisoformat(body["hold_expires_at"].replace("Z", "+00:00")) == NOW + timedelta(
        minutes=15
    )
    booking = Booking.objects.get(public_id=body["booking_id"])
    assert (booking.status, booking.buyer, booking.starts_at) == (
        "held",
        buyer,
        datetime.fromisoformat(WED_9),
    )
    order = Order.objects.get(public_id=body["order_id"])
    assert (order.booking, order.listing, order.amount, order.currency) == (booking, None, 19900, "CNY")
    shown = [
        s["start"] for s in slots(anon, offer, **{"from": "2026-05-06", "to": "2026-05-06"}).json()["slots"]
    ]
    assert shown == [WED_10, "2026-05-06T11:00:00+08:00"]


def test_the_same_idempotency_key_is_one_booking(offer, buyer_api):
    first = book(buyer_api, offer, WED_9, key="k1").json()
    again = book(buyer_api, offer, WED_9, key="k1").json()
    assert first == again
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "status", "code"),
    [
        ("2026-05-06T09:30:00+08:00", 400, "not_a_slot"),
        ("2026-05-06T13:00:00+08:00", 400, "not_a_slot"),
        ("2026-05-03T09:00:00+08:00", 400, "start_in_past"),
        ("2026-08-01T09:00:00+08:00", 400, "beyond_booking_window"),
        ("2026-05-06T09:00:00", 400, "naive_datetime"),
        ("next wednesday", 400, "invalid_start"),
        ("", 400, "invalid"),
    ],
)
def test_bad_starts_get_the_envelope(offer, buyer_api, start, status, code):
    response = book(buyer_api, offer, start)
    assert response.status_code == status, response.json()
    assert error_code(response) == code
    assert response.json()["error"]["message"]
    assert not Booking.objects.exists()


def test_a_one_day_booking_window_is_named_in_the_singular(seller, buyer_api):
    response = book(buyer_api, make_offer(seller, max_days_ahead=1), WED_9)
    assert error_code(response) == "beyond_booking_window"
    assert response.json()["error"]["message"] == "Sessions can be booked at most 1 day ahead."


def test_inside_the_notice_window_is_refused(seller, buyer_api):
    offer = make_offer(seller, min_notice_minutes=24 * 60)
    response = book(buyer_api, offer, "2026-05-04T11:00:00+08:00")
    assert response.status_code == 400 and error_code(response) == "inside_notice"


def test_unknown_offer_own_offer_and_a_taken_slot(offer, seller, buyer_api, client_for):
    unknown = buyer_api.post("/api/v1/tutoring/offers/nope12345/bookings/", {"start": WED_9}, format="json")
    assert unknown.status_code == 404 and error_code(unknown) == "not_found"
    own = book(client_for(seller), offer, WED_9)
    assert own.status_code == 409 and error_code(own) == "own_offer"
    _booked(buyer_api, offer)
    taken = book(client_for(UserFactory()), offer, WED_9)
    assert taken.status_code == 409 and error_code(taken) == "slot_taken"


def test_adjacent_slots_and_cancelled_bookings_do_not_conflict(offer, buyer_api, client_for):
    first = _booked(buyer_api, offer, WED_9)
    _booked(client_for(UserFactory()), offer, WED_10)  # touching ends: [09,10) and [10,11)
    assert buyer_api.post(f"/api/v1/tutoring/bookings/{first['booking_id']}/cancel/").status_code == 200
    _booked(client_for(UserFactory()), offer, WED_9)
    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert statuses == ["cancelled", "held", "held"]


def test_expire_holds_frees_the_slot_once(offer, buyer_api, client_for, clock):
    held = _booked(buyer_api, offer)
    clock.shift(timedelta(minutes=14))
    assert expire_holds() == 0
    clock.shift(timedelta(minutes=2))
    assert expire_holds() == 1
    assert expire_holds() == 0  # a re-run changes nothing
    assert Booking.objects.get(public_id=held["booking_id"]).status == "expired"
    _booked(client_for(UserFactory()), offer)


def test_a_cancelled_sandbox_checkout_frees_the_hold(offer, buyer_api):
    body = _booked(buyer_api, offer)
    order = Order.objects.get(public_id=body["order_id"])
    services.order_apply_session(session=SandboxGateway().cancel(order.checkout_session_id or ""))
    assert Booking.objects.get(public_id=body["booking_id"]).status == "expired"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED


def test_paying_confirms_and_both_sides_see_it(offer, seller, buyer_api, client_for):
    body = _booked(buyer_api, offer)
    _pay_in_sandbox(body["order_id"])
    mine = buyer_api.get("/api/v1/me/bookings/").json()["results"]
    assert [(b["id"], b["status"], b["role"]) for b in mine] == [(body["booking_id"], "confirmed", "buyer")]
    assert mine[0]["meeting_link"] == "https://meet.example.com/tutor"
    assert mine[0]["starts_at_seller_local"] == WED_9
    theirs = client_for(seller).get("/api/v1/seller/bookings/").json()["results"]
    assert [(b["id"], b["role"]) for b in theirs] == [(body["booking_id"], "seller")]
    assert client_for(UserFactory()).get("/api/v1/me/bookings/").json()["results"] == []
    sales = client_for(seller).get("/api/v1/seller/sales/").json()["results"]
    assert [(s["booking"], s["listing"], s["title"]) for s in sales] == [
        (body["booking_id"], None, "Prompt craft 1:1")
    ]


def test_a_late_payment_revives_a_lapsed_hold_when_the_slot_is_still_free(offer, buyer_api, clock):
    body = _booked(buyer_api, offer)
    clock.shift(timedelta(minutes=20))
    expire_holds()
    _pay_in_sandbox(body["order_id"])
    assert Booking.objects.get(public_id=body["booking_id"]).status == "confirmed"
    assert Order.objects.get(public_id=body["order_id"]).refunded_amount == 0


def test_a_late_payment_for_a_slot_taken_meanwhile_is_refunded(offer, buyer_api, client_for, clock):
    late = _booked(buyer_api, offer)
    clock.shift(timedelta(minutes=20))
    other = _booked(client_for(UserFactory()), offer)  # the lapsed hold no longer blocks
    _pay_in_sandbox(late["order_id"])
    order = Order.objects.get(public_id=late["order_id"])
    assert (order.status, order.refunded_amount) == (OrderStatus.REFUNDED, 19900)
    assert order.refunds.get().status == RefundStatus.SUCCEEDED
    assert Booking.objects.get(public_id=late["booking_id"]).status == "expired"
    assert Booking.objects.get(public_id=other["booking_id"]).status == "held"
    assert sum(LedgerEntry.objects.filter(order=order).values_list("amount", flat=True)) == 0


@pytest.mark.parametrize(
    ("who", "hours_before", "refunded"),
    [("buyer", 25, 19900), ("buyer", 23, 0), ("seller", 2, 19900)],
)
def test_cancel_refunds_by_policy(offer, seller, buyer_api, client_for, clock, who, hours_before, refunded):
    body = _booked(buyer_api, offer)
    _pay_in_sandbox(body["order_id"])
    clock.move_to(datetime.fromisoformat(WED_9) - timedelta(hours=hours_before))
    api = buyer_api if who == "buyer" else client_for(seller)
    response = api.post(f"/api/v1/tutoring/bookings/{body['booking_id']}/cancel/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert response.json()["refund"] == (
        None if refunded == 0 else {"status": "succeeded", "amount": refunded}
    )
    order = Order.objects.get(public_id=body["order_id"])
    assert order.refunded_amount == refunded
    assert order.status == (OrderStatus.REFUNDED if refunded else OrderStatus.PAID)
    again = api.post(f"/api/v1/tutoring/bookings/{body['booking_id']}/cancel/")
    assert again.status_code == 409 and error_code(again) == "not_cancellable"


def test_strangers_cannot_see_or_cancel_a_booking(offer, buyer_api, client_for):
    body = _booked(buyer_api, offer)
    response = client_for(UserFactory()).post(f"/api/v1/tutoring/bookings/{body['booking_id']}/cancel/")
    assert response.status_code == 404


def test_reschedule_once_within_policy(offer, buyer_api, client_for):
    body = _booked(buyer_api, offer)
    url = f"/api/v1/tutoring/bookings/{body['booking_id']}/reschedule/"
    assert error_code(buyer_api.post(url, {"start": WED_10}, format="json")) == "not_reschedulable"  # unpaid
    _pay_in_sandbox(body["order_id"])
    _booked(client_for(UserFactory()), offer, "2026-05-07T09:00:00+08:00")
    taken = buyer_api.post(url, {"start": "2026-05-07T09:00:00+08:00"}, format="json")
    assert taken.status_code == 409 and error_code(taken) == "slot_taken"
    off_grid = buyer_api.post(url, {"start": "2026-05-07T09:10:00+08:00"}, format="json")
    assert off_grid.status_code == 400 and error_code(off_grid) == "not_a_slot"
    moved = buyer_api.post(url, {"start": WED_10}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["starts_at_seller_local"], moved.json()["reschedules_left"]) == (WED_10, 0)
    twice = buyer_api.post(url, {"start": "2026-05-06T11:00:00+08:00"}, format="json")
    assert twice.status_code == 409 and error_code(twice) == "not_reschedulable"
    _booked(client_for(UserFactory()), offer, WED_9)  # the old slot is free again


@pytest.mark.parametrize(("mover", "refunded"), [("seller", 19900), ("buyer", 0)])
def test_after_the_tutor_moves_a_session_the_buyer_may_cancel_it_for_a_full_refund_until_it_starts(
    offer, seller, buyer_api, client_for, clock, mover, refunded
):
    body = _booked(buyer_api, offer)
    _pay_in_sandbox(body["order_id"])
    url = f"/api/v1/tutoring/bookings/{body['booking_id']}/"
    moved = (client_for(seller) if mover == "seller" else buyer_api).post(
        url + "reschedule/", {"start": WED_10}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["rescheduled_by"] == mover

    # Two hours before the new time: inside the 24 h in which a buyer's cancellation refunds nothing.
    clock.move_to(datetime.fromisoformat(WED_10) - timedelta(hours=2))
    cancelled = buyer_api.post(url + "cancel/")
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["refund"] == ({"status": "succeeded", "amount": refunded} if refunded else None)
    assert Order.objects.get(public_id=body["order_id"]).refunded_amount == refunded


def test_reschedule_closes_with_the_full_refund_window(offer, buyer_api, clock):
    body = _booked(buyer_api, offer)
    _pay_in_sandbox(body["order_id"])
    clock.move_to(datetime.fromisoformat(WED_9) - timedelta(hours=20))
    url = f"/api/v1/tutoring/bookings/{body['booking_id']}/reschedule/"
    response = buyer_api.post(url, {"start": "2026-05-07T09:00:00+08:00"}, format="json")
    assert response.status_code == 409 and error_code(response) == "not_reschedulable"


def test_the_refund_follows_a_tutors_move_that_lands_while_the_buyer_cancels(
    offer, seller, buyer, buyer_api, clock
):
    from marketplace.tutoring import services as tutoring_services
    from payments.services.bookings import booking_cancel

    body = _booked(buyer_api, offer)
    _pay_in_sandbox(body["order_id"])
    seen_by_buyer = Booking.objects.get(public_id=body["booking_id"])  # loaded before the move
    tutoring_services.booking_reschedule(
        booking=Booking.objects.get(pk=seen_by_buyer.pk), by=seller, start=datetime.fromisoformat(WED_10)
    )
    clock.move_to(datetime.fromisoformat(WED_10) - timedelta(hours=2))
    refund = booking_cancel(booking=seen_by_buyer, by=buyer)
    assert refund is not None and refund.amount == 19900
