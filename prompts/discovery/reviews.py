"""Reviews and ratings: one per buyer who unlocked a listing, one seller reply; seller profiles.

Whether a user unlocked a listing is a question for payments, asked by the interface: prompts
never imports payments.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict, NotFound
from marketplace.core.text import require_visible_text
from marketplace.verification.services import buyer_require_phone, seller_require_verified
from prompts import notices
from prompts.documents import listing_documents_refresh, rating_json
from prompts.models import REVIEW_TEXT_MAX, Listing, ListingStatus, Review

_HANDLE = re.compile(r"[A-Za-z0-9_-]{1,30}")


def _refresh_documents_on_commit(listing_id: int) -> None:
    transaction.on_commit(lambda: listing_documents_refresh(listing_id=listing_id))


def _clean_text(text: str, field: str, *, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise ApplicationError(
            "invalid", _("Write something."), fields={field: [_("This field may not be blank.")]}
        )
    if len(text) > REVIEW_TEXT_MAX:
        message = _("Use at most %(count)s characters.") % {"count": REVIEW_TEXT_MAX}
        raise ApplicationError("invalid", message, fields={field: [message]})
    require_visible_text(text, field=field)
    return text


@transaction.atomic
def review_create(*, listing: Listing, buyer: User, rating: int, text: str = "") -> Review:
    """Rate a listing once. Whether the buyer unlocked it is asked of payments by the interface."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        message = _("Rate with a whole number from 1 to 5.")
        raise ApplicationError("invalid", message, fields={"rating": [message]})
    text = _clean_text(text, "text", required=False)
    if listing.status != ListingStatus.PUBLISHED:
        raise NotFound(_("No published listing has this id."))
    if listing.seller_id == buyer.pk:
        raise ApplicationError("own_listing", _("You cannot review your own listing."), status_code=403)
    buyer_require_phone(user=buyer)
    if Review.objects.filter(listing=listing, buyer=buyer).exists():
        raise Conflict("already_reviewed", _("You already reviewed this listing."))
    review, created = Review.objects.get_or_create(
        listing=listing, buyer=buyer, defaults={"rating": rating, "text": text}
    )
    if not created:  # a concurrent request won the unique constraint
        raise Conflict("already_reviewed", _("You already reviewed this listing."))
    Listing.objects.filter(pk=listing.pk).update(
        rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + rating
    )
    _refresh_documents_on_commit(listing.pk)
    notices.notify_review(review)
    return review


@transaction.atomic
def review_reply(*, review: Review, by: User, text: str) -> Review:
    """The listing's seller answers a review, once."""
    if review.listing.seller_id != by.pk:
        raise ApplicationError(
            "not_listing_seller", _("Only the seller of this listing can reply."), status_code=403
        )
    seller_require_verified(user=by)
    text = _clean_text(text, "text", required=True)
    now = timezone.now()
    # A conditional UPDATE is the claim: of two concurrent replies exactly one matches.
    claimed = Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
        seller_reply=text, replied_at=now
    )
    if claimed != 1:
        raise Conflict("already_replied", _("You already replied to this review."))
    review.seller_reply, review.replied_at = text, now
    notices.notify_reply(review)
    return review


def reviews_for_listing(*, listing: Listing) -> QuerySet[Review]:
    return Review.objects.filter(listing=listing).select_related("buyer").order_by("-created_at", "-id")


def review_get(*, listing: Listing, public_id: str) -> Review:
    review = (
        Review.objects.select_related("listing", "buyer").filter(listing=listing, public_id=public_id).first()
    )
    if review is None:
        raise NotFound(_("This listing has no review with this id."))
    return review


def seller_rating(*, handle: str) -> dict[str, Any]:
    """A seller's public profile: ratings and sales across their listings. Two queries.

    Only users who ever published a listing are sellers; anyone else is a 404.
    """
    user = (
        User.objects.filter(handle__iexact=handle, is_active=True).first()
        if _HANDLE.fullmatch(handle)
        else None
    )
    if user is None:
        raise NotFound(_("No seller has this handle."))
    stats = Listing.objects.filter(seller=user).aggregate(
        rating_sum=Coalesce(Sum("rating_sum"), 0),
        rating_count=Coalesce(Sum("rating_count"), 0),
        listings=Count("pk", filter=Q(status=ListingStatus.PUBLISHED)),
        ever_published=Count("pk", filter=Q(first_published_at__isnull=False)),
        sales=Coalesce(Sum("unlock_count"), 0),
    )
    if not stats["ever_published"]:
        raise NotFound(_("No seller has this handle."))
    return {
        "handle": user.handle,
        "name": user.public_name,
        "bio": user.bio,
        "rating": rating_json(stats["rating_sum"], stats["rating_count"]),
        "listing_count": stats["listings"],
        "sales_count": stats["sales"],
        "listings_url": f"/api/v1/listings/?seller={user.handle}",
    }
