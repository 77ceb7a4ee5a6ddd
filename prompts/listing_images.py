"""Ordering a listing's example images: the first one is the cover buyers see on the catalog card."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from prompts.documents import listing_documents_refresh_on_commit
from prompts.models import Listing, ListingImage
from prompts.moderation.events import listing_event_record


@transaction.atomic
def listing_image_move(*, image: ListingImage, by: User, position: int) -> ListingImage:
    """Put the image at ``position`` (1 = first) and number all the listing's images 1..n again.

    Positions are renumbered densely so that "up" and "down" always move by one place, whatever
    gaps deletions left. Moving to where the image already is changes nothing.
    """
    # The listing's row lock serialises moves, uploads and deletions of its images.
    Listing.objects.select_for_update().get(pk=image.listing_id)
    images = list(ListingImage.objects.filter(listing_id=image.listing_id).order_by("position", "id"))
    if not 1 <= position <= len(images):
        message = _("Choose a position from 1 to %(count)s.") % {"count": len(images)}
        raise ApplicationError("invalid", message, fields={"position": [message]})
    ordered = [other for other in images if other.pk != image.pk]
    ordered.insert(position - 1, next(other for other in images if other.pk == image.pk))
    changed = [other for number, other in enumerate(ordered, start=1) if other.position != number]
    for number, other in enumerate(ordered, start=1):
        other.position = number
    if not changed:
        return ordered[position - 1]
    ListingImage.objects.bulk_update(changed, ["position"])
    listing_event_record(
        listing_id=image.listing_id,
        actor=by,
        action="image_moved",
        detail={"image": image.public_id, "position": position},
    )
    listing_documents_refresh_on_commit(listing_id=image.listing_id)
    return ordered[position - 1]
