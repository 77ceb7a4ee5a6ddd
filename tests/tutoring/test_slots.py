"""Slots: wall-clock rules in the tutor's zone, shown in the buyer's, correct across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from marketplace.tutoring.models import Booking, BookingStatus
from tests.tutoring.helpers import error_code, make_offer, slots

pytestmark = pytest.mark.django_db


def _starts(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [slot["start"] for slot in response.json()["slots"]]


@time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False)
def test_shanghai_tutor_new_york_buyer_across_the_us_dst_switch(seller, anon):
    offer = make_offer(seller, tz="Asia/Shanghai", windows=[(d, "09:00", "10:00") for d in range(7)])
    starts = _starts(
        slots(anon, offer, **{"from": "2026-03-06", "to": "2026-03-09", "tz": "America/New_York"})
    )
    # 09:00 in Shanghai is 01:00 UTC every day; New York shows it at 20:00 EST, then 21:00 EDT.
    assert starts == [
        "2026-03-06T20:00:00-05:00",
        "2026-03-07T20:00:00-05:00",
        "2026-03-08T21:00:00-04:00",
        "2026-03-09T21:00:00-04:00",
    ]
    instants = {datetime.fromisoformat(s).astimezone(UTC).time().isoformat() for s in starts}
    assert instants == {"01:00:00"}
    in_shanghai = _starts(slots(anon, offer, **{"from": "2026-03-07", "to": "2026-03-10"}))
    assert [s[11:] for s in in_shanghai] == ["09:00:00+08:00"] * 4  # tz defaults to the tutor's


@time_machine.travel(datetime(2026, 3, 20, tzinfo=UTC), tick=False)
def test_berlin_spring_forward_has_no_slot_at_the_missing_hour(seller, anon):
    offer = make_offer(seller, tz="Europe/Berlin", windows=[(6, "01:00", "04:00")])  # Sundays
    starts = _starts(slots(anon, offer, **{"from": "2026-03-29", "to": "2026-03-29", "tz": "Europe/Berlin"}))
    # 02:00-03:00 does not exist on 29 March 2026 in Berlin.
    assert starts == ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]


@time_machine.travel(datetime(2026, 10, 15, tzinfo=UTC), tick=False)
def test_berlin_fall_back_shows_the_repeated_hour_once(seller, anon):
    offer = make_offer(seller, tz="Europe/Berlin", windows=[(6, "01:00", "04:00")])
    starts = _starts(slots(anon, offer, **{"from": "2026-10-25", "to": "2026-10-25", "tz": "Europe/Berlin"}))
    # 02:00 happens twice on 25 October 2026: one slot, at its first occurrence (CEST).
    assert starts == [
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T03:00:00+01:00",
    ]
    utc = _starts(slots(anon, offer, **{"from": "2026-10-24", "to": "2026-10-25", "tz": "UTC"}))
    assert len(utc) == len(set(utc)) == 3


@time_machine.travel(datetime(2026, 5, 4, 0, 0, tzinfo=UTC), tick=False)  # Monday 08:00 Shanghai
def test_bookings_buffers_notice_horizon_and_overrides_remove_slots(seller, buyer, anon):
    offer = make_offer(
        seller,
        windows=[(d, "09:00", "13:00") for d in range(7)],
        min_notice_minutes=120,
        max_days_ahead=4,
        buffer_after_minutes=30,
    )
    from datetime import date, time

    from marketplace.tutoring import services

    services.availability_set(
        offer=offer,
        weekly=[services.Rule(d, time(9), time(13)) for d in range(7)],
        overrides=[
            services.Override(date(2026, 5, 5), None, None, True),  # Tuesday: blackout
            services.Override(date(2026, 5, 6), time(14), time(15), False),  # Wednesday: only 14-15
        ],
    )
    held = datetime(2026, 5, 7, 2, 0, tzinfo=UTC)  # Thursday 10:00 Shanghai, blocks until 11:30
    Booking.objects.create(
        offer=offer,
        buyer=buyer,
        seller=seller,
        starts_at=held,
        ends_at=held.replace(hour=3),
        blocked_from=held,
        blocked_until=held.replace(hour=3, minute=30),
        timezone=offer.timezone,
        price_amount=offer.price_amount,
        price_currency=offer.price_currency,
        status=BookingStatus.CONFIRMED,
    )
    starts = _starts(slots(anon, offer, **{"from": "2026-05-04", "to": "2026-05-10"}))
    assert starts == [
        # Monday: 09:00 is inside the two hours' notice
        "2026-05-04T10:00:00+08:00",
        "2026-05-04T11:00:00+08:00",
        "2026-05-04T12:00:00+08:00",
        # Tuesday blacked out; Wednesday only the override
        "2026-05-06T14:00:00+08:00",
        # Thursday: 09:00 would run into the booking, 10:00 is it, 11:00 is in its buffer
        "2026-05-07T12:00:00+08:00",
        # Friday onwards is beyond the four days' horizon
    ]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "invalid_timezone"),
        ({"from": "2026-02-30"}, "invalid_date"),
        ({"from": "yesterday"}, "invalid_date"),
        ({"from": "2026-03-01", "to": "2026-04-05"}, "invalid_range"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, "invalid_range"),
    ],
)
def test_bad_slot_queries_get_the_envelope(seller, anon, params, code):
    offer = make_offer(seller)
    response = slots(anon, offer, **params)
    assert response.status_code == 400
    assert error_code(response) == code
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_unknown_offer_is_a_404_envelope(anon):
    response = anon.get("/api/v1/tutoring/offers/nope12345/slots/")
    assert response.status_code == 404 and error_code(response) == "not_found"
