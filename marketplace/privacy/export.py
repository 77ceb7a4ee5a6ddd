"""Everything Dimsum holds about one user, as JSON-ready data, for a staff member to hand over.

Only rows that are this user's: their profile, their listings with every prompt version (they
wrote them), their purchases and sales, unlocks, trial runs, reviews (of listings and tutors), favourites,
bookings on either side, tutoring offers, the discount codes they made and the ones they used
(code, its seller's handle, how many times), notification preferences, complaints they filed and
their API tokens' names, and their sign-ins and sign-outs (time, door, address, user agent).
Other people appear only as public handles. Password hashes and token hashes are never exported.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from marketplace.accounts.models import ApiToken, SignInEvent, User
from marketplace.notifications.models import NotificationPreference
from marketplace.tutoring.models import Booking, TutoringOffer, TutorReview
from payments.models import DiscountCode, DiscountCodeBuyer, Order, Unlock
from prompts.models import Complaint, Favourite, Listing, Review, TrialRun

FORMAT_VERSION = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [{key: _iso(value) for key, value in row.items()} for row in queryset.values(*fields)]


def _listings(user: User) -> list[dict[str, Any]]:
    listings = Listing.objects.filter(seller=user).prefetch_related("versions").order_by("created_at", "pk")
    fields = ("public_id", "title", "description", "language", "target_model", "category", "license")
    return [
        {
            **{name: getattr(listing, name) for name in fields},
            "price": {"amount": listing.price_amount, "currency": listing.price_currency},
            "status": listing.status,
            "example_outputs": listing.example_outputs,
            "created_at": _iso(listing.created_at),
            "published_at": _iso(listing.published_at),
            "prompt_versions": [
                {
                    "number": v.number,
                    "text": v.text,
                    "usage_notes": v.usage_notes,
                    "created_at": _iso(v.created_at),
                }
                for v in sorted(listing.versions.all(), key=lambda version: version.number)
            ],
        }
        for listing in listings
    ]


ORDER_FIELDS = [
    "public_id",
    "listing__public_id",
    "booking__public_id",
    "buyer__handle",
    "seller__handle",
    "amount",
    "currency",
    "platform_fee",
    "seller_amount",
    "refunded_amount",
    "status",
    "disputed",
    "created_at",
    "paid_at",
]
UNLOCK_FIELDS = ["listing__public_id", "order__public_id", "granted_at", "revoked_at", "revoke_reason"]
REVIEW_FIELDS = ["listing__public_id", "rating", "text", "created_at"]
TUTOR_REVIEW_FIELDS = ["offer__public_id", "booking__public_id", "rating", "text", "created_at"]
BOOKING_FIELDS = [
    "public_id",
    "offer__public_id",
    "buyer__handle",
    "seller__handle",
    "starts_at",
    "ends_at",
    "price_amount",
    "price_currency",
    "status",
    "created_at",
]
OFFER_FIELDS = [
    "public_id",
    "title",
    "description",
    "price_amount",
    "price_currency",
    "is_active",
    "created_at",
]
COMPLAINT_FIELDS = [
    "public_id",
    "listing__public_id",
    "reason",
    "note",
    "contact_email",
    "status",
    "resolution",
    "created_at",
    "resolved_at",
]
CODE_FIELDS = [
    "code",
    "kind",
    "percent",
    "amount",
    "currency",
    "scope",
    "starts_at",
    "ends_at",
    "max_uses",
    "max_uses_per_buyer",
    "uses",
    "active",
    "created_at",
]
CODE_USE_FIELDS = ["code__code", "code__seller__handle", "uses"]
SIGN_IN_FIELDS = ["kind", "door", "at", "address", "user_agent"]
TOKEN_FIELDS = ["name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]


def _profile(user: User) -> dict[str, Any]:
    fields = (
        "id",
        "email",
        "handle",
        "display_name",
        "bio",
        "language",
        "is_active",
        "date_joined",
        "last_login",
    )
    return {name: _iso(getattr(user, name)) for name in fields}


def user_data_export(*, user: User) -> dict[str, Any]:
    mine = Q(buyer=user) | Q(seller=user)
    by_date = ("created_at", "pk")
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "profile": _profile(user),
        "listings": _listings(user),
        "purchases": _rows(Order.objects.filter(buyer=user).order_by(*by_date), *ORDER_FIELDS),
        "sales": _rows(Order.objects.filter(seller=user).order_by(*by_date), *ORDER_FIELDS),
        "unlocks": _rows(Unlock.objects.filter(buyer=user).order_by("granted_at", "pk"), *UNLOCK_FIELDS),
        "reviews": _rows(Review.objects.filter(buyer=user).order_by(*by_date), *REVIEW_FIELDS),
        "tutor_reviews": _rows(
            TutorReview.objects.filter(buyer=user).order_by(*by_date), *TUTOR_REVIEW_FIELDS
        ),
        "favourites": _rows(
            Favourite.objects.filter(buyer=user).order_by(*by_date), "listing__public_id", "created_at"
        ),
        "trial_runs": _rows(
            TrialRun.objects.filter(buyer=user).order_by(*by_date),
            *("listing__public_id", "values", "status", "text", "created_at"),
        ),
        "bookings": _rows(Booking.objects.filter(mine).order_by("starts_at", "pk"), *BOOKING_FIELDS),
        "tutoring_offers": _rows(TutoringOffer.objects.filter(seller=user).order_by(*by_date), *OFFER_FIELDS),
        "discount_codes": _rows(DiscountCode.objects.filter(seller=user).order_by(*by_date), *CODE_FIELDS),
        "discount_code_uses": _rows(
            DiscountCodeBuyer.objects.filter(buyer=user).order_by("pk"), *CODE_USE_FIELDS
        ),
        "notification_preferences": _rows(
            NotificationPreference.objects.filter(user=user).order_by("kind"), "kind", "enabled"
        ),
        "complaints_filed": _rows(
            Complaint.objects.filter(reporter=user).order_by(*by_date), *COMPLAINT_FIELDS
        ),
        "api_tokens": _rows(ApiToken.objects.filter(user=user).order_by(*by_date), *TOKEN_FIELDS),
        "sign_in_events": _rows(SignInEvent.objects.filter(user=user).order_by("at", "pk"), *SIGN_IN_FIELDS),
    }
