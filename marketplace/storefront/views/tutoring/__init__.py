"""Website: tutoring offers, the slot picker, booking, and my bookings (routes in storefront/urls.py)."""

from __future__ import annotations

from marketplace.storefront.views.tutoring.bookings import (
    booking_cancel,
    booking_ics,
    booking_reschedule,
    booking_review,
    my_bookings,
)
from marketplace.storefront.views.tutoring.manage import (
    tutor_offer_edit,
    tutor_offer_hours,
    tutor_offer_new,
    tutor_offers,
)
from marketplace.storefront.views.tutoring.offers import book, offer_page, offers

__all__ = [
    "book",
    "booking_cancel",
    "booking_ics",
    "booking_reschedule",
    "booking_review",
    "my_bookings",
    "offer_page",
    "offers",
    "tutor_offer_edit",
    "tutor_offer_hours",
    "tutor_offer_new",
    "tutor_offers",
]
