"""Twenty buyers, one slot, at once: the exclusion constraint lets exactly one hold through."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from marketplace.accounts.services import token_create
from marketplace.tutoring import calendar_guard
from marketplace.tutoring.models import Booking, BookingStatus
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.tutoring.helpers import book, make_offer

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]

WED_9 = "2026-05-06T09:00:00+08:00"


def test_twenty_concurrent_bookings_of_one_slot_make_one_hold(seller):
    with time_machine.travel(datetime(2026, 5, 4, tzinfo=UTC), tick=False):
        offer = make_offer(seller)
        tokens = [token_create(user=UserFactory())[1] for _ in range(20)]
        barrier = threading.Barrier(20)
        statuses: list[tuple[int, str]] = []
        errors: list[BaseException] = []

        def run(raw: str) -> None:
            try:
                client = APIClient(raise_request_exception=False)
                client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
                barrier.wait(timeout=20)
                response = book(client, offer, WED_9)
                code = response.json().get("error", {}).get("code", "") if response.status_code != 201 else ""
                statuses.append((response.status_code, code))
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(raw,)) for raw in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        assert not errors, errors
        assert sorted(statuses) == [(201, "")] + [(409, "slot_taken")] * 19
        assert Booking.objects.filter(status=BookingStatus.HELD).count() == 1


def test_the_database_refuses_overlap_even_past_the_application_check(seller, buyer):
    """Raw inserts, no service: the exclusion constraint itself, '[)' and cancelled rows excluded."""
    from django.db import IntegrityError, transaction

    offer = make_offer(seller)
    start = datetime(2026, 5, 6, 1, tzinfo=UTC)

    def insert(hour_from: int, hour_to: int, status: str = BookingStatus.HELD) -> Booking:
        begin, end = start.replace(hour=hour_from), start.replace(hour=hour_to)
        return Booking.objects.create(
            offer=offer,
            buyer=buyer,
            seller=seller,
            starts_at=begin,
            ends_at=end,
            blocked_from=begin,
            blocked_until=end,
            timezone=offer.timezone,
            price_amount=1,
            price_currency="CNY",
            status=status,
        )

    insert(1, 2)
    insert(2, 3)  # adjacent: fine
    insert(1, 2, BookingStatus.CANCELLED)  # cancelled: not blocking
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        insert(1, 3, BookingStatus.CONFIRMED)


def test_eight_workers_paying_out_one_booking_at_once_make_one_transfer(seller, buyer, monkeypatch):
    """The claim (row lock + conditional UPDATE) lets one worker call the provider."""
    from datetime import timedelta

    from payments.models import Order, Payout, PayoutStatus
    from payments.sandbox import SandboxGateway
    from payments.services import payouts
    from tests.tutoring.helpers import booked_and_paid

    calls: list[str] = []
    real = SandboxGateway.create_transfer

    def counted(self, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["idempotency_key"])
        return real(self, **kwargs)

    monkeypatch.setattr(SandboxGateway, "create_transfer", counted)
    with time_machine.travel(datetime(2026, 5, 4, tzinfo=UTC), tick=False) as clock:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=buyer)[1]}")
        body = booked_and_paid(api, make_offer(seller), WED_9)
        order = Order.objects.get(booking__public_id=body["booking_id"])
        clock.move_to(datetime(2026, 5, 8, tzinfo=UTC))
        barrier = threading.Barrier(8)
        results: list[object] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                barrier.wait(timeout=20)
                results.append(payouts.booking_payout(order_id=order.pk))
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert calls == [f"payout:booking:{body['booking_id']}"]
        assert len([r for r in results if r is not None]) == 1
        payout = Payout.objects.get()
        assert (payout.status, payout.attempts) == (PayoutStatus.PAID, 1)
        assert payouts.payouts_due(now=datetime(2026, 5, 8, tzinfo=UTC) + timedelta(hours=1)) == []


def test_holds_on_one_sellers_calendar_wait_for_each_other(seller, buyer):
    # Concurrent conflicting inserts can deadlock inside the exclusion constraint (a 500 seen in
    # CI); booking_hold therefore takes a per-seller lock first, and a second hold waits for it.
    from django.db import transaction

    from marketplace.tutoring import services

    with time_machine.travel(datetime(2026, 5, 4, tzinfo=UTC), tick=False):
        offer = make_offer(seller)
        locked, release, steps = threading.Event(), threading.Event(), []

        def first() -> None:
            try:
                with transaction.atomic():
                    calendar_guard.lock_calendar(seller.pk)
                    locked.set()
                    release.wait(10)
                    steps.append("first committed")
            finally:
                connection.close()

        def second() -> None:
            try:
                locked.wait(10)
                services.booking_hold(buyer=buyer, offer=offer, start=datetime.fromisoformat(WED_9))
                steps.append("second held")
            finally:
                connection.close()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        locked.wait(10)
        threading.Event().wait(0.5)  # time enough for the second hold to finish, were it not waiting
        steps.append("released")
        release.set()
        for thread in threads:
            thread.join(timeout=20)
        assert steps == ["released", "first committed", "second held"]
        assert Booking.objects.filter(status=BookingStatus.HELD).count() == 1
