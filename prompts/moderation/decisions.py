"""Moderator decisions on a listing: approve it, or reject it (or take it down) with a reason."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from prompts import notices
from prompts.documents import listing_documents_refresh_on_commit
from prompts.models import Listing, ListingStatus
from prompts.moderation.events import listing_event_record


def listing_mark_published(listing: Listing, *, now: datetime) -> None:
    """Put the listing on sale as of ``now``; the caller holds its row lock and records the event."""
    listing.status = ListingStatus.PUBLISHED
    listing.review_note = ""
    listing.published_at = now
    listing.first_published_at = listing.first_published_at or now
    listing.save()


@transaction.atomic
def listing_approve(*, listing: Listing, by: User) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status != ListingStatus.PENDING_REVIEW:
        raise Conflict("invalid_transition", _("Only listings pending review can be approved."))
    listing_mark_published(listing, now=timezone.now())
    event = listing_event_record(listing_id=listing.pk, actor=by, action="approved")
    notices.notify_moderation(event, listing)
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing


@transaction.atomic
def listing_reject(*, listing: Listing, by: User, reason: str) -> Listing:
    """Reject a pending listing, or take down a published one, with a reason the seller sees."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("invalid", _("Give the seller a reason."), fields={"reason": [_("Required.")]})
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status not in (ListingStatus.PENDING_REVIEW, ListingStatus.PUBLISHED):
        raise Conflict("invalid_transition", _("Only pending or published listings can be rejected."))
    listing.status = ListingStatus.REJECTED
    listing.rejection_reason = reason[:2000]
    listing.save()
    event = listing_event_record(
        listing_id=listing.pk, actor=by, action="rejected", detail={"reason": listing.rejection_reason}
    )
    notices.notify_moderation(event, listing)
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing
