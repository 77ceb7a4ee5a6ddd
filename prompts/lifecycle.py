"""Bringing an archived listing back: it returns to the seller's drafts, to be submitted again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict
from prompts.documents import listing_documents_refresh_on_commit
from prompts.models import Listing, ListingStatus
from prompts.moderation.events import listing_event_record


@transaction.atomic
def listing_restore(*, listing: Listing, by: User) -> Listing:
    """Archived -> draft. Not straight back on sale: submitting screens it again (terms and
    screening lists may have changed while it was archived), through listing_submit."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status != ListingStatus.ARCHIVED:
        raise Conflict("invalid_transition", _("Only archived listings can be restored."))
    listing.status = ListingStatus.DRAFT
    listing.save()
    listing_event_record(listing_id=listing.pk, actor=by, action="restored")
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing


@transaction.atomic
def listings_unpublish_for_unverified_seller(*, seller: User, by: User | None) -> int:
    """The seller's verification was revoked: their published and pending listings are archived,
    each with an audit event; buyers who own them keep them. Returns how many were archived."""
    listings = list(
        Listing.objects.select_for_update().filter(
            seller=seller, status__in=[ListingStatus.PUBLISHED, ListingStatus.PENDING_REVIEW]
        )
    )
    for listing in listings:
        Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.ARCHIVED)
        listing_event_record(
            listing_id=listing.pk, actor=by, action="archived", detail={"reason": "verification_revoked"}
        )
        listing_documents_refresh_on_commit(listing_id=listing.pk)
    return len(listings)
