"""The tutoring policy table, and the places that must follow it: the API and the bookings page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.tutoring.models import Booking, BookingStatus, TutoringOffer
from marketplace.tutoring.policy import booking_terms
from tests.tutoring.helpers import book, error_code, make_offer, pay_in_sandbox

START = datetime(2026, 5, 6, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
SELLER, BUYER = User(pk=1), User(pk=2)
BEFORE_DEADLINE = START - timedelta(hours=30)
AFTER_DEADLINE = START - timedelta(hours=2)
AFTER_END = START + timedelta(hours=2)


def _booking(status: str = BookingStatus.CONFIRMED, moved_by: str = "") -> Booking:
    offer = TutoringOffer(cancel_full_refund_hours=24)
    return Booking(
        offer=offer,
        seller_id=SELLER.pk,
        buyer_id=BUYER.pk,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        status=status,
        reschedules=1 if moved_by else 0,
        rescheduled_by=moved_by,
    )


# (who, moved by, now) -> (full refund, may cancel, may reschedule) for a confirmed booking
TABLE = [
    (BUYER, "", BEFORE_DEADLINE, (True, True, True)),
    (BUYER, "", AFTER_DEADLINE, (False, True, False)),
    (BUYER, "buyer", BEFORE_DEADLINE, (True, True, False)),
    (BUYER, "buyer", AFTER_DEADLINE, (False, True, False)),
    (BUYER, "seller", AFTER_DEADLINE, (True, True, False)),
    (SELLER, "", AFTER_DEADLINE, (True, True, True)),
    (SELLER, "seller", AFTER_DEADLINE, (True, True, False)),
    (SELLER, "", AFTER_END, (True, False, False)),
    (BUYER, "", AFTER_END, (False, False, False)),
]


@pytest.mark.parametrize(("user", "moved_by", "now", "expected"), TABLE)
def test_refund_cancel_and_reschedule_follow_the_policy_table(user, moved_by, now, expected):
    terms = booking_terms(booking=_booking(moved_by=moved_by), user=user, now=now)
    assert (terms.cancel_refunds_in_full, terms.can_cancel, terms.can_reschedule) == expected


@pytest.mark.parametrize(
    ("user", "moved_by", "deadline"),
    [
        (BUYER, "", START - timedelta(hours=24)),
        (BUYER, "buyer", START - timedelta(hours=24)),
        (BUYER, "seller", START),
        (SELLER, "", START),
    ],
)
def test_the_full_refund_deadline_is_the_start_unless_the_buyer_chose_the_time(user, moved_by, deadline):
    terms = booking_terms(booking=_booking(moved_by=moved_by), user=user, now=BEFORE_DEADLINE)
    assert terms.full_refund_deadline == deadline


@pytest.mark.parametrize(
    ("status", "can_cancel", "can_reschedule"),
    [
        (BookingStatus.HELD, True, False),
        (BookingStatus.CONFIRMED, True, True),
        (BookingStatus.CANCELLED, False, False),
        (BookingStatus.EXPIRED, False, False),
        (BookingStatus.COMPLETED, False, False),
    ],
)
def test_only_live_bookings_can_be_cancelled_and_only_confirmed_ones_moved(
    status, can_cancel, can_reschedule
):
    terms = booking_terms(booking=_booking(status), user=BUYER, now=BEFORE_DEADLINE)
    assert (terms.can_cancel, terms.can_reschedule) == (can_cancel, can_reschedule)


@pytest.mark.parametrize(
    ("user", "status", "now", "kept", "can_review"),
    [
        (BUYER, BookingStatus.CONFIRMED, AFTER_END, True, True),
        (BUYER, BookingStatus.COMPLETED, AFTER_END, True, True),
        (BUYER, BookingStatus.CONFIRMED, AFTER_END, False, False),  # refunded or disputed
        (BUYER, BookingStatus.CONFIRMED, AFTER_DEADLINE, True, False),  # not over yet
        (BUYER, BookingStatus.CANCELLED, AFTER_END, True, False),
        (SELLER, BookingStatus.CONFIRMED, AFTER_END, True, False),
    ],
)
def test_only_the_buyer_of_a_session_paid_for_kept_and_over_may_review_it(
    user, status, now, kept, can_review
):
    assert booking_terms(booking=_booking(status), user=user, now=now, kept=kept).can_review is can_review


# --- the interfaces follow it ---------------------------------------------------------------------------


NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9, WED_10 = "2026-05-06T09:00:00+08:00", "2026-05-06T10:00:00+08:00"


@pytest.fixture
def paid_booking(db, seller, buyer, client_for):
    with time_machine.travel(NOW, tick=False):
        offer = make_offer(seller, cancel_full_refund_hours=24)
        body = book(client_for(buyer), offer, WED_9).json()
        pay_in_sandbox(body["order_id"])
    return Booking.objects.get(public_id=body["booking_id"])


def test_a_tutor_cannot_move_a_session_that_has_started(paid_booking, seller, client_for):
    url = f"/api/v1/tutoring/bookings/{paid_booking.public_id}/reschedule/"
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        response = client_for(seller).post(url, {"start": "2026-05-07T09:00:00+08:00"}, format="json")
    assert response.status_code == 409 and error_code(response) == "not_reschedulable"
    assert response.json()["error"]["message"] == "This session has started already."
    paid_booking.refresh_from_db()
    assert (paid_booking.starts_at, paid_booking.reschedules) == (START, 0)


def test_the_bookings_page_gives_a_buyer_the_start_as_the_refund_deadline_after_the_tutor_moved_it(
    paid_booking, seller, buyer, client_for
):
    with time_machine.travel(NOW, tick=False):
        url = f"/api/v1/tutoring/bookings/{paid_booking.public_id}/reschedule/"
        moved = client_for(seller).post(url, {"start": WED_10}, format="json")
        assert moved.status_code == 200, moved.json()
        page = Client(HTTP_ACCEPT_LANGUAGE="en")
        page.cookies["tz"] = "Asia/Shanghai"
        page.force_login(buyer)
        html = page.get("/bookings/").content.decode().replace("\u202f", " ")
    assert "Full refund of CN¥199.00 if you cancel before Wed, May 6 10:00 AM." in html


# --- an offer's bounds hold on every way in ------------------------------------------------------------


def _admin_edit(offer: TutoringOffer, **changes: object):
    """Submit the offer's admin change form as staff, with its current values and `changes`."""
    admin = User.objects.create_superuser(email="root@example.com", password="x" * 20, handle="root-user")
    staff = Client()
    staff.force_login(admin)
    url = f"/admin/tutoring/tutoringoffer/{offer.pk}/change/"
    form = staff.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "created_at"}
    created = offer.created_at.astimezone(timezone.get_current_timezone())
    data.update({"created_at_0": created.date(), "created_at_1": created.time().replace(microsecond=0)})
    data.update({"seller": offer.seller_id, "languages": "[]", **changes})
    return staff.post(url, data)


@pytest.mark.parametrize(
    ("field", "value"), [("cancel_full_refund_hours", 100_000), ("buffer_after_minutes", 300)]
)
def test_the_admin_refuses_an_offer_outside_the_bounds_with_a_form_error(seller, field, value):
    offer = make_offer(seller, cancel_full_refund_hours=24)
    response = _admin_edit(offer, **{field: value})
    assert response.status_code == 200
    assert "From 0 to" in response.content.decode()
    offer.refresh_from_db()
    assert getattr(offer, field) != value


def test_a_meeting_link_typed_without_a_scheme_in_the_admin_is_https(seller):
    offer = make_offer(seller)
    response = _admin_edit(offer, meeting_link="meet.example.com/tutor-room")
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.meeting_link == "https://meet.example.com/tutor-room"
