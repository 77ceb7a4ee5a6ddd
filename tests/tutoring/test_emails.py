"""Booking emails with their .ics invite: confirmation, reschedule, cancellation, reminders, once each."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from django.core import mail
from icalendar import Calendar

from marketplace.accounts.models import User
from marketplace.tutoring import emails, services
from marketplace.tutoring.models import Booking
from marketplace.tutoring.tasks import send_booking_email, send_reminders
from tests.factories import UserFactory
from tests.tutoring.helpers import book, booked_and_paid, make_offer, pay_in_sandbox

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
WED_9 = "2026-05-06T09:00:00+08:00"  # = Tuesday 21:00 in New York (EDT)
START = datetime.fromisoformat(WED_9)


def _paid(api, offer, start=WED_9) -> Booking:
    body = booked_and_paid(api, offer, start, timezone="America/New_York")
    return Booking.objects.get(public_id=body["booking_id"])


def _invite(message: mail.EmailMessage) -> tuple[Message, Calendar]:
    (part,) = message.attachments
    assert isinstance(part, Message)
    return part, Calendar.from_ical(part.get_payload(decode=True))


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def _to(address: str) -> list[mail.EmailMessage]:
    """The booking emails to this address (not the refund notices a cancellation also sends)."""
    return [m for m in mail.outbox if m.to == [address] and "X-Dimsum-Notification" not in m.extra_headers]


def test_payment_sends_both_sides_a_confirmation_with_an_invite_in_their_zone(
    offer, seller, buyer, buyer_api
):
    booking = _paid(buyer_api, offer)
    assert sorted(m.to[0] for m in mail.outbox) == ["buyer@example.com", "seller@example.com"]
    (to_buyer,) = _to(buyer.email)
    (to_tutor,) = _to(seller.email)
    assert to_buyer.subject == "Booked: Prompt craft 1:1"
    assert "Tuesday, May 5, 2026, 21:00–22:00 (America/New_York)" in to_buyer.body
    assert "Wednesday, May 6, 2026, 09:00–10:00 (Asia/Shanghai)" in to_tutor.body
    assert "https://meet.example.com/tutor" in to_buyer.body
    html, kind = to_buyer.alternatives[0]
    assert kind == "text/html" and "21:00–22:00" in str(html)

    part, calendar = _invite(to_buyer)
    assert (part.get_content_type(), part.get_param("method")) == ("text/calendar", "REQUEST")
    assert part.get_filename() == f"booking-{booking.public_id}.ics"
    assert calendar["METHOD"] == "REQUEST"
    event = _event(calendar)
    assert str(event["UID"]) == f"booking-{booking.public_id}@127.0.0.1"
    assert (event["SEQUENCE"], str(event["STATUS"])) == (0, "CONFIRMED")
    assert "DTSTART;TZID=America/New_York:20260505T210000" in calendar.to_ical().decode()
    assert event.decoded("DTSTART") == START and event.decoded("DTEND") == START + timedelta(hours=1)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    tutor_calendar = _invite(to_tutor)[1]
    assert "DTSTART;TZID=Asia/Shanghai:20260506T090000" in tutor_calendar.to_ical().decode()
    assert _event(tutor_calendar)["UID"] == event["UID"]
    assert b"method=REQUEST" in to_buyer.message().as_bytes()


def test_a_redelivered_email_task_sends_nothing_more(offer, buyer_api):
    booking = _paid(buyer_api, offer)
    assert len(mail.outbox) == 2
    assert send_booking_email(booking.pk, "confirmed") is False
    assert send_booking_email(booking.pk, "confirmed") is False
    assert len(mail.outbox) == 2


def test_a_failed_send_gives_its_claim_back_and_the_retry_sends_once(offer, buyer_api, monkeypatch):
    body = book(buyer_api, offer, WED_9).json()
    pay_in_sandbox(body["order_id"], commit=False)  # the confirmation task is queued by hand below
    booking = Booking.objects.get(public_id=body["booking_id"])
    real_send = emails.send

    def flaky(kind, booking):
        monkeypatch.setattr(emails, "send", real_send)
        raise smtplib.SMTPServerDisconnected("try later")

    monkeypatch.setattr(emails, "send", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):  # the task retries this one (autoretry_for)
        services.booking_email_send(booking_id=booking.pk, kind="confirmed")
    booking.refresh_from_db()
    assert booking.confirmation_sent_at is None and mail.outbox == []
    assert send_booking_email(booking.pk, "confirmed") is True
    assert send_booking_email(booking.pk, "confirmed") is False
    assert len(mail.outbox) == 2


def test_reminders_go_out_once_each_24_h_and_1_h_before(offer, seller, buyer, buyer_api, clock):
    _paid(buyer_api, offer)
    mail.outbox.clear()
    clock.move_to(START - timedelta(hours=25))
    send_reminders()
    assert mail.outbox == []
    clock.move_to(START - timedelta(hours=23, minutes=58))
    send_reminders()
    send_reminders()  # a second beat run, or a second worker
    assert sorted(m.to[0] for m in mail.outbox) == [buyer.email, seller.email]
    assert {m.subject for m in mail.outbox} == {"Reminder: Prompt craft 1:1 in 24 hours"}
    clock.move_to(START - timedelta(minutes=58))
    send_reminders()
    send_reminders()
    assert [m.subject for m in _to(buyer.email)][1:] == ["Reminder: Prompt craft 1:1 in one hour"]
    assert len(mail.outbox) == 4
    clock.move_to(START + timedelta(minutes=5))
    send_reminders()
    assert len(mail.outbox) == 4


def test_a_booking_made_3_hours_ahead_gets_only_the_1_hour_reminder(offer, buyer_api, clock):
    clock.move_to(START - timedelta(hours=3))
    _paid(buyer_api, offer)
    assert len(mail.outbox) == 2  # the confirmation
    send_reminders()
    clock.move_to(START - timedelta(minutes=50))
    send_reminders()
    send_reminders()
    assert [m.subject for m in mail.outbox[2:]] == ["Reminder: Prompt craft 1:1 in one hour"] * 2


def test_a_late_beat_sends_the_nearer_reminder_only(offer, buyer_api, clock):
    _paid(buyer_api, offer)
    mail.outbox.clear()
    clock.move_to(START - timedelta(minutes=30))  # the worker was down through the 24 h mark
    send_reminders()
    assert {m.subject for m in mail.outbox} == {"Reminder: Prompt craft 1:1 in one hour"}
    assert len(mail.outbox) == 2


def test_a_rescheduled_booking_gets_a_new_invite_and_reminders_for_the_new_time(
    offer, buyer, buyer_api, clock
):
    booking = _paid(buyer_api, offer)
    clock.move_to(START - timedelta(hours=26))
    mail.outbox.clear()
    new_start = "2026-05-07T10:00:00+08:00"
    moved = buyer_api.post(
        f"/api/v1/tutoring/bookings/{booking.public_id}/reschedule/", {"start": new_start}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    (to_buyer,) = _to(buyer.email)
    assert to_buyer.subject == "New time: Prompt craft 1:1"
    event = _event(_invite(to_buyer)[1])
    assert (event["SEQUENCE"], str(event["UID"])) == (1, f"booking-{booking.public_id}@127.0.0.1")
    assert event.decoded("DTSTART") == datetime.fromisoformat(new_start)
    mail.outbox.clear()
    clock.move_to(START - timedelta(hours=23))  # the old time's 24 h mark: nothing
    send_reminders()
    assert mail.outbox == []
    clock.move_to(datetime.fromisoformat(new_start) - timedelta(hours=23))
    send_reminders()
    send_reminders()
    assert len(mail.outbox) == 2
    assert _event(_invite(_to(buyer.email)[0])[1]).decoded("DTSTART") == datetime.fromisoformat(new_start)


def test_a_reschedule_after_the_24_h_reminder_gets_one_for_the_new_time(seller, buyer_api, clock):
    offer = make_offer(seller, cancel_full_refund_hours=2)
    booking = _paid(buyer_api, offer)
    clock.move_to(START - timedelta(hours=20))
    send_reminders()
    assert len(mail.outbox) == 4  # confirmation + 24 h reminder
    new_start = datetime.fromisoformat("2026-05-08T09:00:00+08:00")
    url = f"/api/v1/tutoring/bookings/{booking.public_id}/reschedule/"
    assert buyer_api.post(url, {"start": new_start.isoformat()}, format="json").status_code == 200
    clock.move_to(new_start - timedelta(hours=23))
    send_reminders()
    assert [m.subject for m in mail.outbox[-2:]] == ["Reminder: Prompt craft 1:1 in 24 hours"] * 2


def test_cancelling_sends_a_cancel_invite_to_both(offer, seller, buyer, buyer_api, client_for):
    booking = _paid(buyer_api, offer)
    mail.outbox.clear()
    response = client_for(seller).post(f"/api/v1/tutoring/bookings/{booking.public_id}/cancel/")
    assert response.status_code == 200, response.json()
    (to_buyer,) = _to(buyer.email)
    (to_tutor,) = _to(seller.email)
    assert to_buyer.subject == "Cancelled: Prompt craft 1:1"
    assert "cancelled this session" in to_buyer.body and "You cancelled" in to_tutor.body
    assert "meet.example.com" not in to_buyer.body
    part, calendar = _invite(to_buyer)
    assert part.get_param("method") == calendar["METHOD"] == "CANCEL"
    event = _event(calendar)
    assert (event["SEQUENCE"], str(event["STATUS"])) == (1, "CANCELLED")
    assert str(event["UID"]) == f"booking-{booking.public_id}@127.0.0.1"
    assert send_booking_email(booking.pk, "cancelled") is False
    send_reminders()
    assert len(_to(buyer.email)) == len(_to(seller.email)) == 1
    # The refund that came with the tutor's cancellation is told to both, once, apart.
    kinds = [m.extra_headers.get("X-Dimsum-Notification") for m in mail.outbox]
    assert sorted(filter(None, kinds)) == ["refund_buyer", "refund_seller"]


def test_an_unpaid_hold_cancelled_sends_nothing(offer, buyer_api):
    body = book(buyer_api, offer, WED_9).json()
    assert buyer_api.post(f"/api/v1/tutoring/bookings/{body['booking_id']}/cancel/").status_code == 200
    assert mail.outbox == []


def test_a_lost_confirmation_task_is_sent_by_the_beat_sweep(offer, buyer_api, clock):
    body = book(buyer_api, offer, WED_9).json()
    pay_in_sandbox(body["order_id"], commit=False)
    assert mail.outbox == []
    send_reminders()
    assert mail.outbox == []  # give the queued task its chance first
    clock.shift(timedelta(minutes=11))
    send_reminders()
    send_reminders()
    assert [m.subject for m in mail.outbox] == ["Booked: Prompt craft 1:1"] * 2


def test_emails_follow_the_recipients_language(offer, seller, buyer, buyer_api):
    User.objects.filter(pk=buyer.pk).update(language="zh-hans")  # the buyer reads the site in Chinese
    _paid(buyer_api, offer)
    (to_buyer,) = _to(buyer.email)
    (to_tutor,) = _to(seller.email)
    assert to_buyer.subject == "预约成功：Prompt craft 1:1"
    assert "2026年5月5日 星期二 21:00–22:00（America/New_York）" in to_buyer.body
    assert "已预约并付款" in to_buyer.body
    assert to_tutor.subject == "Booked: Prompt craft 1:1"


def test_the_buyer_zone_must_be_a_real_one(offer, buyer_api):
    response = book(buyer_api, offer, WED_9, timezone="Mars/Olympus")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_timezone"
    assert not Booking.objects.exists()


def test_without_a_zone_the_buyer_gets_utc(offer, buyer, buyer_api):
    booked_and_paid(buyer_api, offer, WED_9)
    (to_buyer,) = _to(buyer.email)
    assert "Wednesday, May 6, 2026, 01:00–02:00 (UTC)" in to_buyer.body
    assert "DTSTART:20260506T010000Z" in _invite(to_buyer)[1].to_ical().decode()


def test_another_buyers_booking_mails_only_its_own_parties(offer, buyer_api, client_for):
    _paid(buyer_api, offer)
    other = UserFactory(email="other@example.com")
    booked_and_paid(client_for(other), offer, "2026-05-06T10:00:00+08:00")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["buyer@example.com", "seller@example.com", "other@example.com", "seller@example.com"]
    )
