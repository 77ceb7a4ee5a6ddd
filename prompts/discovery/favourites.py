"""Favourites: a buyer saves listings and sees them in one list; saving feeds trending."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext

from marketplace.accounts.models import User
from marketplace.core.errors import Conflict, NotFound
from prompts.discovery.trending import activity_record, day_of
from prompts.models import Favourite, Listing, ListingActivity, ListingStatus


@transaction.atomic
def favourite_add(*, buyer: User, listing: Listing) -> tuple[Favourite, bool]:
    """Save a published listing; saving it again changes nothing. True when newly saved."""
    if listing.status != ListingStatus.PUBLISHED:
        raise NotFound(gettext("No published listing has this id."))
    if listing.seller_id == buyer.pk:
        raise Conflict("own_listing", gettext("You cannot save your own listing."))
    favourite, created = Favourite.objects.get_or_create(buyer=buyer, listing=listing)
    if created:
        activity_record(listing_id=listing.pk, kind="favourite", at=favourite.created_at)
    return favourite, created


@transaction.atomic
def favourite_remove(*, buyer: User, listing_public_id: str) -> bool:
    """Unsave; unsaving what is not saved changes nothing. True when a favourite was removed."""
    favourite = Favourite.objects.filter(buyer=buyer, listing__public_id=listing_public_id).first()
    if favourite is None:
        return False
    deleted, _ = Favourite.objects.filter(pk=favourite.pk).delete()
    if deleted:
        # Take it back from the day it was given, so saving and unsaving in a loop adds nothing.
        ListingActivity.objects.filter(
            listing_id=favourite.listing_id, day=day_of(favourite.created_at), favourites__gt=0
        ).update(favourites=F("favourites") - 1)
    return bool(deleted)


def favourites_for(*, buyer: User) -> QuerySet[Any, Any]:
    """The buyer's saved published listings with their public cards, newest first: one query."""
    return (
        Favourite.objects.filter(buyer=buyer, listing__status=ListingStatus.PUBLISHED)
        .values("pk", "created_at", "listing__public_id", "listing__card_json")
        .order_by("-created_at", "-pk")
    )
