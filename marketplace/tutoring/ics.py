"""The .ics invite of a booking (RFC 5545 / iTIP RFC 5546), built with the icalendar library.

One invite per booking, seen by two people: the UID is stable (derived from the booking's public
id), SEQUENCE counts the reschedule (and the cancellation), and METHOD is REQUEST while the
booking stands or CANCEL once it is cancelled, so calendar apps update the event they already
hold instead of adding a second one. Start and end carry the TZID of the recipient's zone with
its VTIMEZONE (the tutor's zone for the tutor, the buyer's for the buyer), so the event shows at
the right wall-clock time on both sides of a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from marketplace.accounts.models import User
from marketplace.core.timezones import zone as known_zone
from marketplace.tutoring.models import Booking, BookingStatus

CONTENT_TYPE = "text/calendar"


def uid(booking: Booking) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "dimsum.local"
    return f"booking-{booking.public_id}@{host}"


def method_of(booking: Booking) -> str:
    return "CANCEL" if booking.status == BookingStatus.CANCELLED else "REQUEST"


def content_type(booking: Booking) -> str:
    return f'{CONTENT_TYPE}; charset="utf-8"; method={method_of(booking)}'


def zone_for(booking: Booking, user: User) -> ZoneInfo:
    """The recipient's zone: the tutor's offer zone, or the zone the buyer booked in (else UTC)."""
    if user.pk == booking.seller_id:
        return ZoneInfo(booking.timezone)
    return known_zone(booking.buyer_timezone) or ZoneInfo("UTC")


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def invite(booking: Booking, *, for_user: User, stamp: datetime | None = None) -> bytes:
    """The invite as the recipient's calendar should hold it now."""
    zone = zone_for(booking, for_user)
    offer = booking.offer
    cancelled = booking.status == BookingStatus.CANCELLED
    event = Event()
    event.add("uid", uid(booking))
    event.add("sequence", booking.ical_sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(zone))
    event.add("dtend", booking.ends_at.astimezone(zone))
    event.add("summary", f"{offer.title} — {booking.seller.public_name} & {booking.buyer.public_name}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if offer.meeting_link and not cancelled:
        event.add("location", offer.meeting_link)
        event.add("url", offer.meeting_link)
    event.add("description", f"{offer.description[:1000]}\n\n{settings.SITE_URL}/".strip())
    from_name, from_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    event.add("organizer", _address(from_email or "no-reply@dimsum.local", from_name or settings.SITE_NAME))
    # The platform organizes and each invite names only its recipient: the tutor's and the
    # buyer's personal addresses never reach each other (the summary names both people).
    event.add(
        "attendee",
        _address(for_user.email, for_user.public_name, role="REQ-PARTICIPANT", partstat="ACCEPTED"),
    )
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Tutoring//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method_of(booking))
    calendar.add_component(event)
    local_day = booking.starts_at.astimezone(zone).date()
    calendar.add_missing_timezones(
        first_date=local_day - timedelta(days=366), last_date=local_day + timedelta(days=366)
    )
    return bytes(calendar.to_ical())


def filename(booking: Booking) -> str:
    return f"booking-{booking.public_id}.ics"
