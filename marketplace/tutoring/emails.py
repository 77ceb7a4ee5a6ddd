"""Booking emails to the buyer and the tutor: confirmation, reschedule, cancellation, reminders.

Each is a plain-text and HTML email in the recipient's language (English or Chinese) with the
booking's .ics invite attached. Exactly-once sending is the caller's business (services claims
each email with a conditional UPDATE before it calls ``send``); this module only renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.tutoring import ics
from marketplace.tutoring.models import Booking

KINDS = ("confirmed", "rescheduled", "cancelled", "reminder_24h", "reminder_1h")


def language_for(user: User) -> str:
    """The language the user last read the site in (User.language), if we speak it, else English."""
    code = user.language or ""
    try:
        return translation.get_supported_language_variant(str(code)) if code else "en"
    except LookupError:
        return "en"


def when_text(booking: Booking, user: User) -> str:
    """'Wednesday, May 6, 2026, 09:00–10:00 (Asia/Shanghai)', localised, in the recipient's zone."""
    zone = ics.zone_for(booking, user)
    start: datetime = booking.starts_at.astimezone(zone)
    end: datetime = booking.ends_at.astimezone(zone)
    return _("%(weekday)s, %(date)s, %(start)s–%(end)s (%(zone)s)") % {
        "weekday": formats.date_format(start, "l"),
        "date": formats.date_format(start, "DATE_FORMAT"),
        "start": formats.time_format(start, "H:i"),
        "end": formats.time_format(end, "H:i"),
        "zone": zone.key,
    }


def _subject(kind: str, title: str) -> str:
    subjects = {
        "confirmed": _("Booked: %(title)s"),
        "rescheduled": _("New time: %(title)s"),
        "cancelled": _("Cancelled: %(title)s"),
        "reminder_24h": _("Reminder: %(title)s in 24 hours"),
        "reminder_1h": _("Reminder: %(title)s in one hour"),
    }
    return subjects[kind] % {"title": title}


def _headline(kind: str, booking: Booking, is_tutor: bool) -> str:
    other = booking.buyer.public_name if is_tutor else booking.seller.public_name
    if kind == "cancelled":
        by_tutor = booking.cancelled_by == "seller"
        if by_tutor == is_tutor:
            return _("You cancelled this session with %(name)s.") % {"name": other}
        return _("%(name)s cancelled this session.") % {"name": other}
    lines = {
        "confirmed": _("Your session with %(name)s is booked and paid."),
        "rescheduled": _("Your session with %(name)s has moved to a new time."),
        "reminder_24h": _("Your session with %(name)s starts in about 24 hours."),
        "reminder_1h": _("Your session with %(name)s starts in about an hour."),
    }
    return lines[kind] % {"name": other}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, booking: Booking, user: User) -> Rendered:
    """One email for one recipient, in their language."""
    with translation.override(language_for(user)):
        is_tutor = user.pk == booking.seller_id
        context: dict[str, Any] = {
            "name": user.public_name,
            "headline": _headline(kind, booking, is_tutor),
            "title": booking.offer.title,
            "when_label": _("When"),
            "when": when_text(booking, user),
            "with_label": _("With"),
            "with": booking.buyer.public_name if is_tutor else booking.seller.public_name,
            "link_label": _("Join"),
            "link": "" if kind == "cancelled" else booking.offer.meeting_link,
            "greeting": _("Hello %(name)s,") % {"name": user.public_name},
            "invite_note": _("The attached invite updates your calendar."),
            "signature": _("The %(site)s team") % {"site": settings.SITE_NAME},
            "lang": translation.get_language(),
        }
        return Rendered(
            subject=_subject(kind, booking.offer.title),
            text=render_to_string("tutoring/email/booking.txt", context),
            html=render_to_string("tutoring/email/booking.html", context),
        )


def message(kind: str, booking: Booking, user: User) -> EmailMultiAlternatives:
    rendered = render(kind, booking, user)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    email.attach_alternative(rendered.html, "text/html")
    email.attach(invite_part(booking, user))
    return email


def invite_part(booking: Booking, user: User) -> MIMEText:
    """text/calendar; method=REQUEST (or CANCEL), as an attachment named booking-<id>.ics."""
    part = MIMEText(ics.invite(booking, for_user=user).decode(), "calendar", "utf-8")
    part.set_param("method", ics.method_of(booking), requote=False)  # method=REQUEST, as clients expect
    part.add_header("Content-Disposition", "attachment", filename=ics.filename(booking))
    return part


def send(kind: str, booking: Booking) -> int:
    """Send the email to the tutor and the buyer over one connection; the number sent."""
    messages = [message(kind, booking, user) for user in (booking.seller, booking.buyer)]
    return get_connection().send_messages(messages) or 0
