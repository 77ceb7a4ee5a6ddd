"""The tutoring pages as a visitor uses them: the slot picker in their zone, booking, my bookings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from marketplace.tutoring.models import Booking, TutorReview
from payments import services
from payments.models import DiscountCode, Order, Refund
from payments.sandbox import SandboxGateway
from tests.factories import UserFactory, make_listing
from tests.tutoring.helpers import make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai, Sunday 20:00 in New York
WED_9 = "2026-05-06T09:00:00+08:00"  # the tutor's Wednesday 09:00 ...
WED_9_NEW_YORK = "2026-05-05T21:00:00-04:00"  # ... is Tuesday 21:00 in New York
WED_10 = "2026-05-06T10:00:00+08:00"
WEEK = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
SLOT_DAY = re.compile(
    r'<h3><time datetime="([\d-]+)">([^<]+)</time></h3>\s*<ul class="times">(.*?)</ul>', re.S
)
SLOT_BUTTON = re.compile(r'name="start" value="([^"]+)"[^>]*>([^<]+)</button>')
SLOT_LINK = re.compile(r'<a class="button secondary" href="([^"]+)">([^<]+)</a>')


@pytest.fixture
def described_offer(seller):
    return make_offer(seller, cancel_full_refund_hours=24, description="Write better image prompts.")


def browser(user=None, tz: str = "", language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if tz:
        client.cookies["tz"] = tz
    if user is not None:
        client.force_login(user)
    return client


def html_of(response) -> str:
    """The page's HTML with CLDR's narrow no-break spaces ("9:00\u202fAM") as plain spaces."""
    return response.content.decode().replace("\u202f", " ")


def page_url(offer, first: str = "2026-05-06") -> str:
    return f"/tutoring/{offer.public_id}/?from={first}"


def slot_days(html: str) -> dict[str, list[tuple[str, str]]]:
    """{"Wed, May 6": [("9:00 AM", "2026-05-06T09:00:00+08:00"), ...]} as the picker shows it."""
    days = {}
    for _iso, label, times in SLOT_DAY.findall(html):
        buttons = [(text.strip(), value) for value, text in SLOT_BUTTON.findall(times)]
        links = [(text.strip(), href) for href, text in SLOT_LINK.findall(times)]
        days[label] = buttons or links
    return days


def book(client: Client, offer, start: str, **fields: str):
    return client.post(f"/tutoring/{offer.public_id}/book/", {"start": start, "from": "2026-05-06", **fields})


def pay(booking: Booking) -> None:
    """The sandbox checkout's Pay button, then the one fulfilment function, as the page does."""
    order = Order.objects.get(booking=booking)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.order_apply_session(session=SandboxGateway().pay(order.checkout_session_id or ""))


def confirmed_booking(buyer, offer, start: str = WED_9, tz: str = "America/New_York") -> Booking:
    response = book(browser(buyer, tz=tz), offer, start)
    assert response.status_code == 303, response
    booking = Booking.objects.get(buyer=buyer, starts_at=datetime.fromisoformat(start))
    pay(booking)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    return booking


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the offers and the slot picker ------------------------------------------------------------------------


def test_the_offers_list_shows_active_offers_with_price_and_tutor(described_offer, other_seller):
    make_offer(other_seller, title="Hidden offer", is_active=False)
    response = browser().get("/tutoring/")
    assert response.status_code == 200
    html = html_of(response)
    assert "Prompt craft 1:1" in html and "Hidden offer" not in html
    assert "CN¥199.00" in html and "60 min" in html
    assert f'href="/tutoring/{described_offer.public_id}/"' in html
    assert f'href="/sellers/{described_offer.seller.handle}/"' in html


def test_slots_are_shown_in_the_visitors_zone(described_offer, buyer):
    shanghai = slot_days(html_of(browser(buyer, tz="Asia/Shanghai").get(page_url(described_offer))))
    assert shanghai["Wed, May 6"] == [
        ("9:00 AM", WED_9),
        ("10:00 AM", WED_10),
        ("11:00 AM", "2026-05-06T11:00:00+08:00"),
    ]
    response = browser(buyer, tz="America/New_York").get(page_url(described_offer, "2026-05-05"))
    new_york = slot_days(html_of(response))
    # The same instant, on the evening before in New York.
    assert new_york["Tue, May 5"][0] == ("9:00 PM", WED_9_NEW_YORK)
    assert datetime.fromisoformat(WED_9_NEW_YORK) == datetime.fromisoformat(WED_9)
    assert "Times shown in New York (Eastern Time)." in html_of(response)
    assert "The tutor is in Shanghai (China Time)." in html_of(response)


def test_slot_labels_follow_the_visitors_language(described_offer, buyer):
    html = html_of(browser(buyer, tz="Asia/Shanghai", language="zh-hans").get(page_url(described_offer)))
    assert slot_days(html)["5月6日周三"][0] == ("09:00", WED_9)


def test_the_week_can_be_changed_and_stays_within_the_booking_window(seller):
    offer = make_offer(seller, max_days_ahead=20)
    client = browser(tz="Asia/Shanghai")
    first = html_of(client.get(f"/tutoring/{offer.public_id}/"))
    days = list(slot_days(first))
    assert (days[0], days[-1], len(days)) == ("Mon, May 4", "Sun, May 17", 14)
    assert 'href="?from=2026-05-18#slots"' in first and "?from=2026-04-20" not in first
    later = html_of(client.get(page_url(offer, "2026-05-18")))
    # Bookable up to 20 days from now (May 24 08:00 in Shanghai): the last slots are on May 23.
    assert list(slot_days(later)) == [
        f"{day}, May {n}" for day, n in zip(WEEK[:6], range(18, 24), strict=True)
    ]
    assert 'href="?from=2026-05-04#slots"' in later and "?from=2026-06-01" not in later
    past = html_of(client.get(page_url(offer, "2020-01-01")))  # clamped to today
    assert list(slot_days(past))[:1] == ["Mon, May 4"]
    assert client.get(page_url(offer, "not-a-date")).status_code == 200


def test_anonymous_visitors_see_the_offer_and_log_in_to_book(described_offer):
    response = browser(tz="Asia/Shanghai").get(page_url(described_offer))
    assert response.status_code == 200
    html = html_of(response)
    assert "Write better image prompts." in html and "CN¥199.00" in html
    assert "Cancel at least 24 h before the start for a full refund." in html
    assert "If the tutor cancels, you get a full refund." in html
    assert "/book/" not in html  # no booking form, only ways to log in
    label, href = slot_days(html)["Wed, May 6"][0]
    assert label == "9:00 AM"
    assert href == "/accounts/login/?next=" + quote(page_url(described_offer), safe="")


def test_an_unknown_or_inactive_offer_is_a_404(seller):
    hidden = make_offer(seller, is_active=False)
    assert browser().get(f"/tutoring/{hidden.public_id}/").status_code == 404
    assert browser().get("/tutoring/nope12345/").status_code == 404


def test_the_tutor_sees_their_own_times_but_cannot_book_them(described_offer, seller):
    html = html_of(browser(seller, tz="Asia/Shanghai").get(page_url(described_offer)))
    assert "This is your offer" in html and "/book/" not in html
    client = browser(seller)
    response = book(client, described_offer, WED_9)
    assert response.status_code == 303
    assert messages_on(client.get(response["Location"])) == [
        "This is your own offer; you cannot book yourself."
    ]
    assert not Booking.objects.exists()


# --- booking -----------------------------------------------------------------------------------------------


def test_booking_a_slot_goes_to_checkout_and_takes_the_slot(described_offer, buyer, other_seller):
    client = browser(buyer, tz="America/New_York")
    response = book(client, described_offer, WED_9_NEW_YORK)
    assert response.status_code == 303
    assert response["Location"].startswith("http://testserver/payments/sandbox/checkout/")
    booking = Booking.objects.get()
    assert (booking.status, booking.starts_at) == ("held", datetime.fromisoformat(WED_9))
    assert booking.buyer_timezone == "America/New_York"  # their emails and invite use it
    assert Order.objects.get(booking=booking).checkout_url == response["Location"]
    other = html_of(browser(UserFactory(), tz="Asia/Shanghai").get(page_url(described_offer)))
    assert [value for _, value in slot_days(other)["Wed, May 6"]] == [WED_10, "2026-05-06T11:00:00+08:00"]


def test_booking_while_logged_out_goes_to_login(described_offer):
    response = book(browser(), described_offer, WED_9)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert not Booking.objects.exists()


def test_a_double_submitted_form_is_one_hold_and_one_checkout(described_offer, buyer):
    client = browser(buyer)
    first, second = book(client, described_offer, WED_9), book(client, described_offer, WED_9)
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert Booking.objects.count() == 1 and Order.objects.count() == 1


def test_a_taken_slot_comes_back_as_a_message(described_offer, buyer):
    assert book(browser(UserFactory()), described_offer, WED_9).status_code == 303
    client = browser(buyer, tz="Asia/Shanghai")
    response = book(client, described_offer, WED_9)
    assert response.status_code == 303 and response["Location"] == page_url(described_offer)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert messages_on(page) == ["Someone else has just taken this time. Please pick another one."]
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2026-05-03T09:00:00+08:00", "This time has passed. Please pick a later one."),
        (
            "2026-05-06T09:30:00+08:00",
            "This is not one of the offer's start times. Please pick one from the list.",
        ),
        ("2026-05-06T09:00:00", "This is not one of the offer's start times. Please pick one from the list."),
        ("next wednesday", "This is not one of the offer's start times. Please pick one from the list."),
        ("", "Pick a start time from the list."),
        ("2026-08-01T09:00:00+08:00", "This time is too far ahead to book yet. Please pick an earlier one."),
    ],
)
def test_bad_starts_are_messages_not_errors(described_offer, buyer, start, message):
    client = browser(buyer)
    response = book(client, described_offer, start)
    assert response.status_code == 303
    assert messages_on(client.get(response["Location"])) == [message]
    assert not Booking.objects.exists()


def test_a_bought_prompt_can_be_linked_to_the_session(described_offer, buyer, other_seller):
    listing = make_listing(other_seller, publish=True, price_amount=0)
    client = browser(buyer)
    services.checkout_start(buyer=buyer, listing=listing)  # free: unlocked at once
    html = html_of(client.get(page_url(described_offer)))
    assert f'<option value="{listing.public_id}">{listing.title}</option>' in html
    assert book(client, described_offer, WED_9, listing=listing.public_id).status_code == 303
    assert Booking.objects.get().listing == listing
    unowned = make_listing(other_seller, publish=True, title="Not bought")
    response = book(client, described_offer, WED_10, listing=unowned.public_id)
    assert messages_on(client.get(response["Location"])) == ["You can only link a prompt you have bought."]


# --- my bookings ------------------------------------------------------------------------------------------


def test_my_bookings_needs_a_login(described_offer):
    response = browser().get("/bookings/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/bookings/"


def test_both_sides_see_the_booking_in_their_own_zone(described_offer, buyer, seller):
    booking = confirmed_booking(buyer, described_offer)
    mine = html_of(browser(buyer, tz="America/New_York").get("/bookings/"))
    assert "Sessions you booked" in mine and "Sessions booked with you" not in mine
    assert "Tue, May 5" in mine and "9:00 PM – 10:00 PM" in mine
    assert "Confirmed" in mine and 'href="https://meet.example.com/tutor"' in mine
    assert f'href="/bookings/{booking.public_id}/invite.ics"' in mine
    assert "Full refund of CN¥199.00 if you cancel before Mon, May 4 9:00 PM." in mine
    assert 'data-confirm="Cancel this session? You get a full refund of CN¥199.00."' in mine
    theirs = html_of(browser(seller, tz="Asia/Shanghai").get("/bookings/"))
    assert "Sessions booked with you" in theirs and "Wed, May 6" in theirs and "9:00 AM – 10:00 AM" in theirs
    assert "The buyer gets a full refund of CN¥199.00." in theirs
    assert buyer.handle in theirs


def test_an_unpaid_hold_can_be_paid_or_let_go(described_offer, buyer):
    client = browser(buyer)
    checkout = book(client, described_offer, WED_9)["Location"]
    html = html_of(client.get("/bookings/"))
    assert "Awaiting payment" in html and f'href="{checkout}"' in html
    assert "invite.ics" not in html  # never confirmed: nothing to put in a calendar
    booking = Booking.objects.get()
    response = client.post(f"/bookings/{booking.public_id}/cancel/")
    assert messages_on(client.get(response["Location"])) == ["Cancelled. Nothing was charged."]
    booking.refresh_from_db()
    assert booking.status == "cancelled"


@pytest.mark.parametrize(
    ("who", "hours_before", "refunded", "message"),
    [
        ("buyer", 25, 19900, "Cancelled. A refund of CN¥199.00 is on its way."),
        ("buyer", 23, 0, "Cancelled. Under the cancellation policy nothing is refunded."),
        ("seller", 2, 19900, "Cancelled. A refund of CN¥199.00 is on its way."),
    ],
)
def test_cancel_follows_the_policy(
    described_offer, buyer, seller, clock, who, hours_before, refunded, message
):
    booking = confirmed_booking(buyer, described_offer)
    clock.move_to(booking.starts_at - timedelta(hours=hours_before))
    client = browser(buyer if who == "buyer" else seller)
    page = html_of(client.get("/bookings/"))
    if refunded:
        assert "full refund of CN¥199.00" in page
    else:
        assert "No refund: it is less than 24 h before the start." in page
    response = client.post(f"/bookings/{booking.public_id}/cancel/")
    assert response.status_code == 303 and response["Location"] == "/bookings/"
    assert messages_on(client.get("/bookings/")) == [message]
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert sum(Refund.objects.filter(order__booking=booking).values_list("amount", flat=True)) == refunded


def test_a_stranger_gets_404_for_someone_elses_booking(described_offer, buyer, stranger):
    booking = confirmed_booking(buyer, described_offer)
    client = browser(stranger)
    assert client.post(f"/bookings/{booking.public_id}/cancel/").status_code == 404
    assert client.get(f"/bookings/{booking.public_id}/invite.ics").status_code == 404
    assert client.post(f"/bookings/{booking.public_id}/review/", {"rating": "5"}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert browser().get(f"/bookings/{booking.public_id}/invite.ics").status_code == 302  # log in first


def test_both_sides_download_the_invite_in_their_own_zone(described_offer, buyer, seller):
    booking = confirmed_booking(buyer, described_offer, tz="America/New_York")
    response = browser(buyer).get(f"/bookings/{booking.public_id}/invite.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert f'filename="booking-{booking.public_id}.ics"' in response["Content-Disposition"]
    body = html_of(response)
    assert "BEGIN:VCALENDAR" in body and "DTSTART;TZID=America/New_York:20260505T210000" in body
    tutor = html_of(browser(seller).get(f"/bookings/{booking.public_id}/invite.ics"))
    assert "DTSTART;TZID=Asia/Shanghai:20260506T090000" in tutor


def test_a_hold_has_no_invite(described_offer, buyer):
    book(browser(buyer), described_offer, WED_9)
    booking = Booking.objects.get()
    assert browser(buyer).get(f"/bookings/{booking.public_id}/invite.ics").status_code == 404


def test_after_the_session_the_buyer_reviews_the_tutor_once(described_offer, buyer, seller, clock):
    booking = confirmed_booking(buyer, described_offer)
    client = browser(buyer)
    assert "Review your tutor" not in html_of(client.get("/bookings/"))
    clock.move_to(booking.ends_at + timedelta(minutes=5))
    page = html_of(client.get("/bookings/"))
    assert "Review your tutor" in page and "/cancel/" not in page
    response = client.post(
        f"/bookings/{booking.public_id}/review/", {"rating": "5", "text": "Clear and kind."}
    )
    assert messages_on(client.get(response["Location"])) == [
        "Thank you! Your review is on the tutor's offer page."
    ]
    assert TutorReview.objects.get().rating == 5
    assert "Review your tutor" not in html_of(client.get("/bookings/"))
    again = client.post(f"/bookings/{booking.public_id}/review/", {"rating": "1"})
    assert messages_on(client.get(again["Location"])) == ["You have reviewed this session already."]
    offer_page = html_of(browser().get(f"/tutoring/{described_offer.public_id}/"))
    assert "Clear and kind." in offer_page and "★ 5.0" in offer_page
    assert "Review your tutor" not in html_of(browser(seller).get("/bookings/"))


def test_my_bookings_reads_a_constant_number_of_queries(described_offer, buyer, seller):
    def queries(user) -> int:
        client = browser(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/bookings/").status_code == 200
        return len(captured)

    confirmed_booking(buyer, described_offer, WED_9)
    one = (queries(buyer), queries(seller))
    for day in ("2026-05-07", "2026-05-08", "2026-05-09"):
        confirmed_booking(buyer, described_offer, f"{day}T09:00:00+08:00")
        confirmed_booking(UserFactory(), described_offer, f"{day}T11:00:00+08:00")
    assert (queries(buyer), queries(seller)) == one


# --- a discount code on the booking form ------------------------------------------------------------------


def _shown(html: str) -> dict[str, str]:
    """The booking form's hidden fields: the price it shows travels with the time chosen."""
    form = re.search(r'<form method="post" action="/tutoring/[^"]+/book/".*?</form>', html, re.S)
    assert form is not None and 'name="code"' in form.group(0) and 'name="start"' in form.group(0)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    return {name: fields[name] for name in ("shown_amount", "shown_currency")}


def test_a_tutoring_code_is_priced_on_the_offer_page_and_charged_as_shown(described_offer, buyer, seller):
    DiscountCode.objects.create(seller=seller, code="TUTOR10", kind="percent", percent=10, scope="tutoring")
    client = browser(buyer)
    assert _shown(html_of(client.get(page_url(described_offer)))) == {
        "shown_amount": "19900",
        "shown_currency": "CNY",
    }
    updated = book(client, described_offer, "", code="tutor10", intent="update")
    assert updated["Location"] == page_url(described_offer) + "&code=tutor10#slots"
    assert not Booking.objects.exists()
    html = html_of(client.get(updated["Location"]))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Code TUTOR10 −CN¥19.90" in text and "You pay CN¥179.10" in text
    response = book(client, described_offer, WED_9, code="tutor10", **_shown(html))
    assert "/payments/sandbox/checkout/" in response["Location"]
    order = Order.objects.get()
    assert (order.amount, order.discount_amount, order.discount_code.code) == (17910, 1990, "TUTOR10")


def test_a_code_typed_and_a_time_picked_at_once_holds_nothing_and_shows_the_new_price(
    described_offer, buyer, seller
):
    DiscountCode.objects.create(seller=seller, code="TUTOR10", kind="percent", percent=10, scope="tutoring")
    client = browser(buyer)
    shown = _shown(html_of(client.get(page_url(described_offer))))
    response = book(client, described_offer, WED_9, code="tutor10", **shown)
    assert response["Location"] == page_url(described_offer) + "&code=tutor10"
    page = client.get(response["Location"])
    assert messages_on(page) == ["The price is now CN¥179.10: check it before you pay."]
    assert _shown(html_of(page))["shown_amount"] == "17910"
    assert not Order.objects.exists() and not Booking.objects.filter(status="held").exists()
    assert DiscountCode.objects.get().uses == 0


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "This code does not exist for this seller."),
        ("PROMPTS", "PROMPTS applies to prompts, not tutoring sessions."),
        (
            "ALL",
            "Code ALL would make the session free, and a session is only booked through a payment. "
            "Ask the tutor for a code that leaves something to pay.",
        ),
    ],
)
def test_a_code_that_does_not_apply_is_explained_on_the_page_and_holds_nothing(
    described_offer, buyer, seller, code, message
):
    DiscountCode.objects.create(seller=seller, code="PROMPTS", kind="percent", percent=10)
    DiscountCode.objects.create(seller=seller, code="ALL", kind="percent", percent=100, scope="tutoring")
    client = browser(buyer)
    html = html_of(client.get(page_url(described_offer) + f"&code={code}"))
    assert f'<span id="b-code-error" class="error">{message}</span>'.replace("'", "&#x27;") in html
    assert _shown(html)["shown_amount"] == "19900"
    response = book(client, described_offer, WED_9, code=code, **_shown(html))
    assert messages_on(client.get(response["Location"])) == [message]
    assert not Order.objects.exists() and not Booking.objects.filter(status="held").exists()
