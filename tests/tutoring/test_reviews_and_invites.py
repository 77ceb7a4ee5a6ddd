"""After the session the buyer rates the tutor once; both sides download the invite, nobody else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from icalendar import Calendar

from marketplace.tutoring.models import Booking, TutorReview
from tests.factories import UserFactory
from tests.tutoring.helpers import book, booked_and_paid, error_code, make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)
WED_9 = "2026-05-06T09:00:00+08:00"
AFTER = datetime.fromisoformat("2026-05-06T10:00:00+08:00") + timedelta(minutes=1)


def _review(api, booking_id: str, **body):
    return api.post(f"/api/v1/me/bookings/{booking_id}/review/", body, format="json")


def test_the_buyer_rates_the_tutor_once_after_the_session(offer, buyer_api, anon, clock):
    body = booked_and_paid(buyer_api, offer, WED_9)
    early = _review(buyer_api, body["booking_id"], rating=5)
    assert early.status_code == 409 and error_code(early) == "session_not_ended"
    clock.move_to(AFTER)
    created = _review(buyer_api, body["booking_id"], rating=4, text="  Clear and patient.  ")
    assert created.status_code == 201, created.json()
    assert (created.json()["rating"], created.json()["text"]) == (4, "Clear and patient.")
    assert created.json()["buyer"]["handle"] == "buyer"
    again = _review(buyer_api, body["booking_id"], rating=1)
    assert again.status_code == 409 and error_code(again) == "already_reviewed"
    page = anon.get(f"/api/v1/tutoring/offers/{offer.public_id}/reviews/").json()
    assert [(r["rating"], r["text"]) for r in page["results"]] == [(4, "Clear and patient.")]
    assert page["rating"] == {"average": 4.0, "count": 1}
    assert anon.get(f"/api/v1/tutoring/offers/{offer.public_id}/").json()["rating"] == {
        "average": 4.0,
        "count": 1,
    }


def test_the_offer_shows_the_average_and_the_list_is_paginated(offer, client_for, anon, clock):
    ratings = [5, 4, 4, 2]
    apis = [client_for(UserFactory()) for _ in ratings]
    ids = [
        booked_and_paid(api, offer, f"2026-05-0{6 + i // 3}T{9 + i % 3:02d}:00:00+08:00")["booking_id"]
        for i, api in enumerate(apis)
    ]
    clock.move_to(datetime(2026, 5, 8, tzinfo=UTC))
    for api, booking_id, rating in zip(apis, ids, ratings, strict=True):
        assert _review(api, booking_id, rating=rating).status_code == 201
    assert anon.get(f"/api/v1/tutoring/offers/{offer.public_id}/").json()["rating"] == {
        "average": 3.75,
        "count": 4,
    }
    first = anon.get(f"/api/v1/tutoring/offers/{offer.public_id}/reviews/", {"page_size": 2}).json()
    assert len(first["results"]) <= 20 and first["rating"]["count"] == 4
    assert anon.get("/api/v1/tutoring/offers/nope12345/reviews/").status_code == 404


@pytest.mark.parametrize("rating", [0, 6, "5", None, 4.5])
def test_a_rating_is_a_whole_number_from_1_to_5(offer, buyer_api, clock, rating):
    body = booked_and_paid(buyer_api, offer, WED_9)
    clock.move_to(AFTER)
    response = _review(buyer_api, body["booking_id"], rating=rating)
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert not TutorReview.objects.exists()


def test_only_the_buyer_of_a_kept_session_may_review(offer, seller, buyer_api, client_for, clock):
    cancelled = booked_and_paid(buyer_api, offer, WED_9)
    assert (
        client_for(seller).post(f"/api/v1/tutoring/bookings/{cancelled['booking_id']}/cancel/").status_code
        == 200
    )
    unpaid = book(buyer_api, offer, "2026-05-06T10:00:00+08:00").json()
    kept = booked_and_paid(buyer_api, offer, "2026-05-06T11:00:00+08:00")
    clock.move_to(datetime(2026, 5, 7, tzinfo=UTC))
    refused = _review(buyer_api, cancelled["booking_id"], rating=5)  # refunded and cancelled
    assert refused.status_code == 409 and error_code(refused) == "not_reviewable"
    assert error_code(_review(buyer_api, unpaid["booking_id"], rating=5)) == "not_reviewable"
    assert _review(client_for(seller), kept["booking_id"], rating=5).status_code == 404
    assert _review(client_for(UserFactory()), kept["booking_id"], rating=5).status_code == 404
    assert _review(buyer_api, kept["booking_id"], rating=5).status_code == 201


def test_one_review_per_booking_is_a_database_rule(offer, buyer, buyer_api, clock):
    body = booked_and_paid(buyer_api, offer, WED_9)
    booking = Booking.objects.get(public_id=body["booking_id"])
    fields = {"booking": booking, "offer": offer, "seller_id": booking.seller_id, "buyer": buyer}
    TutorReview.objects.create(rating=5, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        TutorReview.objects.create(rating=3, **fields)
    TutorReview.objects.filter(booking=booking).delete()  # so only the rating check can refuse the next
    with pytest.raises(IntegrityError, match="rating"), transaction.atomic():
        TutorReview.objects.create(rating=9, **fields)


# --- invites --------------------------------------------------------------------------------------


def test_both_sides_download_the_invite_in_their_own_zone_and_nobody_else(
    offer, seller, buyer_api, client_for
):
    body = booked_and_paid(buyer_api, offer, WED_9, timezone="Europe/Berlin")
    mine = f"/api/v1/me/bookings/{body['booking_id']}/ics/"
    theirs = f"/api/v1/seller/bookings/{body['booking_id']}/ics/"
    response = buyer_api.get(mine, HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert (
        response["Content-Type"].startswith("text/calendar") and "method=REQUEST" in response["Content-Type"]
    )
    assert f'filename="booking-{body["booking_id"]}.ics"' in response["Content-Disposition"]
    text = response.content.decode()
    assert "DTSTART;TZID=Europe/Berlin:20260506T030000" in text
    assert "https://meet.example.com/tutor" in text
    tutor = client_for(seller).get(theirs)
    assert tutor.status_code == 200 and "DTSTART;TZID=Asia/Shanghai:20260506T090000" in tutor.content.decode()
    event = Calendar.from_ical(tutor.content).walk("VEVENT")[0]
    assert event["UID"] == Calendar.from_ical(response.content).walk("VEVENT")[0]["UID"]
    listed = buyer_api.get("/api/v1/me/bookings/").json()["results"][0]
    assert listed["invite_url"] == mine and listed["buyer_timezone"] == "Europe/Berlin"
    stranger = client_for(UserFactory())
    for api, url in [(stranger, mine), (stranger, theirs), (buyer_api, theirs), (client_for(seller), mine)]:
        refused = api.get(url, HTTP_ACCEPT="text/calendar")
        assert refused.status_code == 404 and error_code(refused) == "not_found"


def test_a_cancelled_booking_downloads_as_a_cancel(offer, seller, buyer_api, client_for):
    body = booked_and_paid(buyer_api, offer, WED_9)
    client_for(seller).post(f"/api/v1/tutoring/bookings/{body['booking_id']}/cancel/")
    response = buyer_api.get(f"/api/v1/me/bookings/{body['booking_id']}/ics/")
    assert "method=CANCEL" in response["Content-Type"]
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "CANCEL" and calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    assert "meet.example.com" not in response.content.decode()


def test_an_unconfirmed_hold_has_no_invite(offer, buyer_api):
    body = book(buyer_api, offer, WED_9).json()
    response = buyer_api.get(f"/api/v1/me/bookings/{body['booking_id']}/ics/")
    assert response.status_code == 409 and error_code(response) == "no_invite"
    assert buyer_api.get("/api/v1/me/bookings/").json()["results"][0]["invite_url"] is None


def test_an_invite_across_the_us_dst_switch(seller, buyer_api, clock):
    """A tutor in Shanghai (no DST), a buyer in New York: 09:00 in Shanghai on Monday 9 March is
    20:00 EST before the switch of 8 March and 21:00 EDT after it."""
    clock.move_to(datetime(2026, 3, 5, tzinfo=UTC))
    offer = make_offer(seller)
    before = booked_and_paid(buyer_api, offer, "2026-03-07T09:00:00+08:00", timezone="America/New_York")
    after = booked_and_paid(buyer_api, offer, "2026-03-09T09:00:00+08:00", timezone="America/New_York")
    texts = [
        buyer_api.get(f"/api/v1/me/bookings/{b['booking_id']}/ics/").content.decode() for b in (before, after)
    ]
    assert "DTSTART;TZID=America/New_York:20260306T200000" in texts[0]
    assert "DTSTART;TZID=America/New_York:20260308T210000" in texts[1]
    event = Calendar.from_ical(texts[1]).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2026, 3, 9, 1, tzinfo=UTC)
    assert "TZOFFSETTO:-0400" in texts[1]  # the VTIMEZONE knows about daylight time


def test_the_invite_shows_neither_side_the_others_email(
    offer, seller, buyer, buyer_api, client_for, settings
):
    body = booked_and_paid(buyer_api, offer, WED_9)
    to_buyer = buyer_api.get(f"/api/v1/me/bookings/{body['booking_id']}/ics/").content.decode()
    to_tutor = client_for(seller).get(f"/api/v1/seller/bookings/{body['booking_id']}/ics/").content.decode()
    platform = settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
    unfolded = [text.replace("\r\n ", "") for text in (to_buyer, to_tutor)]
    assert seller.email not in unfolded[0] and buyer.email in unfolded[0]
    assert buyer.email not in unfolded[1] and seller.email in unfolded[1]
    for text in unfolded:
        organizer = Calendar.from_ical(text).walk("VEVENT")[0]["ORGANIZER"]
        assert str(organizer) == f"mailto:{platform}"
