"""The tutor's pages (publish and edit an offer, weekly hours, days off) and rescheduling a booking once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from marketplace.tutoring import services as tutoring_services
from marketplace.tutoring.models import Booking, DateOverride, TutoringOffer, WeeklyAvailability
from tests.factories import UserFactory
from tests.storefront.test_tutoring_pages import (
    WED_9,
    WED_10,
    book,
    browser,
    confirmed_booking,
    html_of,
    messages_on,
    page_url,
    slot_days,
)
from tests.tutoring.helpers import make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
THU_9 = "2026-05-07T09:00:00+08:00"
NEW = "/dashboard/tutoring/new/"


def offer_form(**changes: Any) -> dict[str, Any]:
    """The offer form as a tutor fills it in."""
    data = {
        "title": "Midjourney lighting, one to one",
        "description": "Bring a prompt that almost works.",
        "languages": ["en", "zh-hans"],
        "other_languages": "ja",
        "duration_minutes": "60",
        "price": "199.00",
        "currency": "CNY",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "min_notice_minutes": "0",
        "max_days_ahead": "60",
        "cancel_full_refund_hours": "24",
        "meeting_link": "https://meet.example.com/lighting",
        "timezone": "Asia/Shanghai",
        "timezone_other": "",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def hours_form(
    weekly: dict[int, list[tuple[str, str]]],
    overrides: Sequence[tuple[str, str, str]] = (),
    *,
    initial: int = 0,
    removed: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Weekly windows {weekday: [("09:00", "11:00")]} and date rows [("2026-05-07", "", "")]."""
    data: dict[str, Any] = {}
    for day in range(7):
        for n in range(3):
            start, end = weekly.get(day, [])[n] if n < len(weekly.get(day, [])) else ("", "")
            data[f"d{day}_{n}_from"], data[f"d{day}_{n}_to"] = start, end
    rows = [*overrides, *[("", "", "")] * 3]
    data.update(
        {
            "override-TOTAL_FORMS": str(len(rows)),
            "override-INITIAL_FORMS": str(initial),
            "override-MIN_NUM_FORMS": "0",
            "override-MAX_NUM_FORMS": "400",
        }
    )
    for i, (day, start, end) in enumerate(rows):
        data[f"override-{i}-date"], data[f"override-{i}-start"], data[f"override-{i}-end"] = day, start, end
        if i in removed:
            data[f"override-{i}-DELETE"] = "on"
    return data


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(message) for messages in form.errors.values() for message in messages]


def hours_url(offer: TutoringOffer) -> str:
    return f"/dashboard/tutoring/{offer.public_id}/hours/"


def edit_url(offer: TutoringOffer) -> str:
    return f"/dashboard/tutoring/{offer.public_id}/edit/"


# --- publishing an offer ------------------------------------------------------------------------------------


def test_a_tutor_publishes_an_offer_and_buyers_see_only_its_hours(seller):
    client = browser(seller, tz="Asia/Shanghai")
    assert client.get(NEW).status_code == 200
    created = client.post(NEW, offer_form())
    offer = TutoringOffer.objects.get(seller=seller)
    assert created.status_code == 303 and created["Location"] == hours_url(offer)
    assert (offer.price_amount, offer.price_currency, offer.timezone) == (19900, "CNY", "Asia/Shanghai")
    assert offer.languages == ["en", "zh-hans", "ja"] and offer.is_active
    assert (offer.duration_minutes, offer.cancel_full_refund_hours) == (60, 24)
    page = client.get(created["Location"])
    assert messages_on(page) == ["Your offer is saved. Now set the hours when buyers can book it."]
    assert "Shanghai (China Time)" in html_of(page)  # the offer's zone, named for people

    weekdays = {day: [("09:00", "11:00")] for day in range(5)}
    weekdays[2] = [("09:00", "11:00"), ("14:00", "15:00")]
    saved = client.post(
        hours_url(offer), hours_form(weekdays, [("2026-05-07", "", ""), ("2026-05-08", "13:00", "14:00")])
    )
    assert saved.status_code == 303 and saved["Location"] == hours_url(offer)
    assert messages_on(client.get(saved["Location"])) == ["Your hours are saved."]

    shown = slot_days(
        html_of(browser(UserFactory(), tz="Asia/Shanghai").get(f"/tutoring/{offer.public_id}/"))
    )
    times = {day: [label for label, _ in slots] for day, slots in shown.items()}
    assert times["Mon, May 4"] == times["Tue, May 5"] == ["9:00 AM", "10:00 AM"]
    assert times["Wed, May 6"] == ["9:00 AM", "10:00 AM", "2:00 PM"]
    assert "Thu, May 7" not in times  # the day off
    assert times["Fri, May 8"] == ["1:00 PM"]  # the date's own hours replace Friday's
    assert "Sat, May 9" not in times and "Sun, May 10" not in times
    assert times["Thu, May 14"] == ["9:00 AM", "10:00 AM"]


def test_the_hours_page_shows_what_is_saved_and_rows_can_be_removed(seller):
    offer = make_offer(seller, windows=[(0, "09:00", "12:00"), (0, "14:00", "16:00")])
    client = browser(seller)
    html = html_of(client.get(hours_url(offer)))
    assert 'name="d0_0_from" value="09:00"' in html and 'name="d0_1_to" value="16:00"' in html
    rows = [("2026-05-07", "", ""), ("2026-05-08", "10:00", "11:00")]
    client.post(hours_url(offer), hours_form({0: [("09:00", "12:00")]}, rows))
    assert DateOverride.objects.filter(offer=offer).count() == 2
    html = html_of(client.get(hours_url(offer)))
    assert (
        'name="override-0-date" value="2026-05-07"' in html
        and 'name="override-1-start" value="10:00"' in html
    )
    client.post(hours_url(offer), hours_form({0: [("09:00", "12:00")]}, rows, initial=2, removed=(0,)))
    assert list(DateOverride.objects.filter(offer=offer).values_list("date", "blackout")) == [
        (datetime(2026, 5, 8).date(), False)
    ]
    assert list(WeeklyAvailability.objects.filter(offer=offer).values_list("weekday", flat=True)) == [0]


def test_past_date_changes_are_kept_when_the_hours_are_saved(seller, clock):
    offer = make_offer(seller)
    client = browser(seller)
    client.post(hours_url(offer), hours_form({0: [("09:00", "12:00")]}, [("2026-05-05", "", "")]))
    clock.move_to(NOW + timedelta(days=3))
    assert "2026-05-05" not in html_of(client.get(hours_url(offer)))
    client.post(hours_url(offer), hours_form({1: [("09:00", "12:00")]}))
    assert list(DateOverride.objects.filter(offer=offer).values_list("date", flat=True)) == [
        datetime(2026, 5, 5).date()
    ]


@pytest.mark.parametrize(
    ("price", "currency", "amount", "shown"),
    [("199.00", "CNY", 19900, "199.00"), ("199", "CNY", 19900, "199.00"), ("1500", "JPY", 1500, "1500")],
)
def test_prices_are_typed_in_major_units(seller, price, currency, amount, shown):
    client = browser(seller)
    assert client.post(NEW, offer_form(price=price, currency=currency)).status_code == 303
    offer = TutoringOffer.objects.get()
    assert (offer.price_amount, offer.price_currency) == (amount, currency)
    assert f'name="price" value="{shown}"' in html_of(client.get(edit_url(offer)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duration_minutes": "5"}, "Ensure this value is greater than or equal to 15."),
        ({"duration_minutes": "181"}, "Ensure this value is less than or equal to 180."),
        (
            {"timezone_other": "Mars/Olympus"},
            "“Mars/Olympus” is not a time zone we know. Use an IANA name such as Asia/Shanghai.",
        ),
        (
            {"timezone": "Mars/Olympus"},
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
        ({"price": "1500.5", "currency": "JPY"}, "JPY amounts are whole yen, such as 500."),
        ({"price": "1.999"}, "CNY amounts have at most 2 digits after the point."),
        ({"price": "0"}, "The smallest price in CNY is CN¥4.00."),
        ({"price": "1000000"}, "The largest price in CNY is CN¥70,000.00."),
        ({"other_languages": "english!"}, "Not a language code: english!. Use codes such as ja or pt-br."),
        ({"meeting_link": "not a link"}, "Enter a valid URL."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_bad_offers_are_form_errors_and_write_nothing(seller, change, message):
    response = browser(seller).post(NEW, offer_form(**change))
    assert response.status_code == 400
    assert message in form_errors(response)
    assert not TutoringOffer.objects.exists()


def test_editing_an_offer_uses_the_same_rules(seller):
    offer = make_offer(seller)
    client = browser(seller)
    html = html_of(client.get(edit_url(offer)))
    assert 'value="Prompt craft 1:1"' in html and '<option value="Asia/Shanghai" selected>' in html
    changed = client.post(
        edit_url(offer), offer_form(title="Lighting 1:1", timezone_other="Asia/Kathmandu", is_active=None)
    )
    assert changed.status_code == 303
    offer.refresh_from_db()
    assert (offer.title, offer.timezone, offer.is_active) == ("Lighting 1:1", "Asia/Kathmandu", False)
    assert '<option value="Asia/Kathmandu" selected>' in html_of(client.get(edit_url(offer)))
    assert client.get(f"/tutoring/{offer.public_id}/").status_code == 404  # hidden from buyers
    refused = client.post(edit_url(offer), offer_form(duration_minutes="5"))
    assert refused.status_code == 400
    offer.refresh_from_db()
    assert offer.duration_minutes == 60


@pytest.mark.parametrize(
    ("weekly", "overrides", "message"),
    [
        ({0: [("11:00", "09:00")]}, [], "The end must be after the start."),
        ({0: [("09:00", "")]}, [], "Give both a start and an end."),
        ({0: [("09:00", "12:00"), ("11:00", "13:00")]}, [], "This overlaps another window on the same day."),
        ({}, [("2026-05-07", "14:00", "10:00")], "The end must be after the start."),
        ({}, [("", "10:00", "11:00")], "Which date are these hours for?"),
        (
            {},
            [("2026-05-07", "", ""), ("2026-05-07", "10:00", "11:00")],
            "This date is listed as a day off and with hours; keep one.",
        ),
    ],
)
def test_bad_hours_are_form_errors_and_keep_the_old_hours(seller, weekly, overrides, message):
    offer = make_offer(seller)
    response = browser(seller).post(hours_url(offer), hours_form(weekly, overrides))
    assert response.status_code == 400
    assert message in html_of(response)
    assert WeeklyAvailability.objects.filter(offer=offer).count() == 7  # every day 09-12, untouched
    assert not DateOverride.objects.filter(offer=offer).exists()


def test_the_tutors_offers_list(seller, other_seller):
    mine = make_offer(seller, windows=[(0, "09:00", "12:00")])
    make_offer(other_seller, title="Somebody else's offer")
    html = html_of(browser(seller).get("/dashboard/tutoring/"))
    assert "Prompt craft 1:1" in html and "Somebody else" not in html
    assert f'href="{edit_url(mine)}"' in html and f'href="{hours_url(mine)}"' in html
    assert f'href="/tutoring/{mine.public_id}/"' in html and "Published" in html
    assert "<dt>Mon</dt><dd>9:00 AM – 12:00 PM</dd>" in html
    assert 'href="/dashboard/tutoring/"' in html_of(browser(seller).get("/dashboard/"))


def test_a_tutor_who_cannot_take_payments_is_told_what_to_do(seller):
    newcomer = UserFactory()
    for url in ("/dashboard/tutoring/", NEW):
        html = html_of(browser(newcomer).get(url))
        assert "Buyers cannot book your sessions yet: you cannot take payments." in html
        assert 'href="/dashboard/#payouts-h"' in html
    assert "cannot take payments" not in html_of(browser(seller).get("/dashboard/tutoring/"))
    assert 'id="payouts-h"' in html_of(browser(newcomer).get("/dashboard/"))  # the link's target


def test_another_sellers_offer_is_a_404(seller, other_seller):
    offer = make_offer(seller)
    client = browser(other_seller)
    assert client.get(edit_url(offer)).status_code == 404
    assert client.get(hours_url(offer)).status_code == 404
    assert client.post(edit_url(offer), offer_form(title="Mine now")).status_code == 404
    assert client.post(hours_url(offer), hours_form({})).status_code == 404
    offer.refresh_from_db()
    assert offer.title == "Prompt craft 1:1"
    assert WeeklyAvailability.objects.filter(offer=offer).count() == 7


def test_anonymous_visitors_are_sent_to_log_in(seller):
    offer = make_offer(seller)
    for url in ("/dashboard/tutoring/", NEW, edit_url(offer), hours_url(offer)):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert Client().post(NEW, offer_form()).status_code == 302
    assert TutoringOffer.objects.count() == 1


def test_forms_need_the_csrf_token(seller):
    offer = make_offer(seller)
    client = Client(enforce_csrf_checks=True)
    client.force_login(seller)
    assert client.post(NEW, offer_form()).status_code == 403
    assert client.post(edit_url(offer), offer_form(title="Changed")).status_code == 403
    assert client.post(hours_url(offer), hours_form({})).status_code == 403
    assert TutoringOffer.objects.get().title == "Prompt craft 1:1"
    assert WeeklyAvailability.objects.filter(offer=offer).count() == 7


def test_the_hours_page_names_weekdays_and_times_in_the_visitors_language(seller):
    offer = make_offer(seller, windows=[(0, "14:00", "16:00")])
    assert "星期一" in html_of(browser(seller, language="zh-hans").get(hours_url(offer)))
    listed = html_of(browser(seller, language="zh-hans").get("/dashboard/tutoring/"))
    assert "<dd>14:00 – 16:00</dd>" in listed


# --- rescheduling -------------------------------------------------------------------------------------------


def reschedule(client: Client, booking: Booking, start: str):
    return client.post(f"/bookings/{booking.public_id}/reschedule/", {"start": start, "from": "2026-05-04"})


def test_the_picker_offers_the_time_next_to_the_booking_itself_but_not_next_to_others(seller, buyer):
    # A 30-minute buffer after each session: 9:00 blocks until 10:30, so 10:00 is taken for anyone
    # else, but the buyer moving the 9:00 session may take 10:00 (their old time is given up).
    offer = make_offer(seller, buffer_after_minutes=30)
    booking = confirmed_booking(buyer, offer, WED_9)
    moving = slot_days(
        html_of(browser(buyer, tz="Asia/Shanghai").get(f"/bookings/{booking.public_id}/reschedule/"))
    )
    assert [label for label, _ in moving["Wed, May 6"]] == [
        "10:00 AM",
        "11:00 AM",
    ]  # not 9:00: it is there now
    other = UserFactory(handle="other-buyer")
    offer_page = slot_days(html_of(browser(other, tz="Asia/Shanghai").get(page_url(offer))))
    assert [label for label, _ in offer_page["Wed, May 6"]] == ["11:00 AM"]

    assert reschedule(browser(buyer, tz="Asia/Shanghai"), booking, WED_10).status_code == 303
    booking.refresh_from_db()
    assert booking.starts_at == datetime.fromisoformat(WED_10)


def test_a_buyer_reschedules_once(offer, buyer):
    booking = confirmed_booking(buyer, offer, WED_9)
    client = browser(buyer, tz="Asia/Shanghai")
    mine = html_of(client.get("/bookings/"))
    assert f'href="/bookings/{booking.public_id}/reschedule/"' in mine
    assert "You can move it once, until Tue, May 5 9:00 AM." in mine
    page = client.get(f"/bookings/{booking.public_id}/reschedule/")
    assert page.status_code == 200
    days = slot_days(html_of(page))
    assert (("10:00 AM", WED_10) in days["Wed, May 6"]) and ("9:00 AM", WED_9) not in days["Wed, May 6"]
    assert ("9:00 AM", THU_9) in days["Thu, May 7"]

    moved = reschedule(client, booking, THU_9)
    assert moved.status_code == 303 and moved["Location"] == "/bookings/"
    after = client.get("/bookings/")
    assert [message.replace("\u202f", " ") for message in messages_on(after)] == [
        "Your session is moved to Thu, May 7 9:00 AM. A session can be moved once, so this time is final."
    ]
    booking.refresh_from_db()
    assert (booking.starts_at, booking.reschedules, booking.status) == (
        datetime.fromisoformat(THU_9),
        1,
        "confirmed",
    )
    html = html_of(after)
    assert "<strong>Thu, May 7</strong>" in html and "<strong>Wed, May 6</strong>" not in html
    assert "Rescheduled once: this time cannot change again." in html
    assert "/reschedule/" not in html
    # The old time is free again for other buyers.
    other = slot_days(
        html_of(browser(UserFactory(), tz="Asia/Shanghai").get(f"/tutoring/{offer.public_id}/"))
    )
    assert ("9:00 AM", WED_9) in other["Wed, May 6"]

    again = reschedule(client, booking, WED_10)
    assert again.status_code == 303 and again["Location"] == "/bookings/"
    refusal = "This booking has been rescheduled once already; it cannot be moved again."
    assert messages_on(client.get("/bookings/")) == [refusal]
    booking.refresh_from_db()
    assert booking.starts_at == datetime.fromisoformat(THU_9)
    page = client.get(f"/bookings/{booking.public_id}/reschedule/")
    assert page.status_code == 303 and messages_on(client.get("/bookings/")) == [refusal]


def test_a_taken_or_bad_time_comes_back_as_a_message(offer, buyer):
    booking = confirmed_booking(buyer, offer, WED_9)
    book(browser(UserFactory()), offer, WED_10)  # someone else holds 10:00
    client = browser(buyer, tz="Asia/Shanghai")
    here = f"/bookings/{booking.public_id}/reschedule/?from=2026-05-04"
    taken = reschedule(client, booking, WED_10)
    assert taken.status_code == 303 and taken["Location"] == here
    assert messages_on(client.get(here)) == [
        "Someone else has just taken this time. Please pick another one."
    ]
    off_grid = reschedule(client, booking, "2026-05-06T09:30:00+08:00")
    assert messages_on(client.get(off_grid["Location"])) == [
        "This is not one of the offer's start times. Please pick one from the list."
    ]
    booking.refresh_from_db()
    assert (booking.starts_at, booking.reschedules) == (datetime.fromisoformat(WED_9), 0)


def test_rescheduling_closes_with_the_full_refund_window(offer, buyer, clock):
    booking = confirmed_booking(buyer, offer, WED_9)
    clock.move_to(booking.starts_at - timedelta(hours=23))
    client = browser(buyer, tz="Asia/Shanghai")
    assert "/reschedule/" not in html_of(client.get("/bookings/"))
    refused = reschedule(client, booking, THU_9)
    assert refused.status_code == 303
    assert messages_on(client.get("/bookings/")) == ["Rescheduling closes 24 h before the session."]
    booking.refresh_from_db()
    assert booking.reschedules == 0


def test_a_stranger_or_the_anonymous_cannot_reschedule(offer, buyer, stranger):
    booking = confirmed_booking(buyer, offer, WED_9)
    url = f"/bookings/{booking.public_id}/reschedule/"
    assert browser(stranger).get(url).status_code == 404
    assert reschedule(browser(stranger), booking, THU_9).status_code == 404
    anonymous = Client().post(url, {"start": THU_9})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    booking.refresh_from_db()
    assert (booking.starts_at, booking.reschedules) == (datetime.fromisoformat(WED_9), 0)


def test_the_buyer_sees_that_a_session_the_tutor_moved_can_still_be_cancelled_in_full(
    offer, seller, buyer, clock
):
    booking = confirmed_booking(buyer, offer, WED_9)
    tutoring_services.booking_reschedule(booking=booking, by=seller, start=datetime.fromisoformat(WED_10))
    clock.move_to(datetime.fromisoformat(WED_10) - timedelta(hours=2))  # inside the 24 h no-refund window
    mine = html_of(browser(buyer, tz="Asia/Shanghai").get("/bookings/"))
    assert "Your tutor moved this session: you can cancel it for a full refund until it starts." in mine
    assert "/reschedule/" not in mine
    assert "老师调整了这节课的时间" in html_of(browser(buyer, language="zh-hans").get("/bookings/"))
    tutors = html_of(browser(seller, tz="Asia/Shanghai").get("/bookings/"))
    assert "Rescheduled once: this time cannot change again." in tutors
