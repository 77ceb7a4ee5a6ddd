"""Flags for moderators: listings whose example images are near-duplicates of another seller's."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.accounts.models import User
from prompts.models import FlagStatus, ImageStatus, ListingFlag, ListingImage
from prompts.moderation.events import listing_event_record
from prompts.previews import fingerprints


def _informative(value: int) -> bool:
    # Flat or nearly flat images hash to (almost) all zeros or ones; they say nothing about copying.
    return 6 <= value.bit_count() <= 58


def image_flag_near_duplicates(*, image: ListingImage, prints: fingerprints.Fingerprints) -> None:
    """Copied example images are how stolen prompts get resold: flag both listings for review."""
    if not _informative(prints.dhash):
        return
    bands = prints.bands
    candidates = (
        ListingImage.objects.filter(status=ImageStatus.READY, dhash__isnull=False)
        .filter(
            Q(dhash_band0=bands[0])
            | Q(dhash_band1=bands[1])
            | Q(dhash_band2=bands[2])
            | Q(dhash_band3=bands[3])
        )
        .exclude(listing__seller_id=image.listing.seller_id)
        .values_list("pk", "listing_id", "dhash")[:200]
    )
    for other_pk, other_listing_id, other_hash in candidates:
        assert other_hash is not None
        distance = fingerprints.hamming(prints.dhash, fingerprints.to_unsigned64(other_hash))
        if distance > fingerprints.NEAR_DUPLICATE_DISTANCE:
            continue
        detail = {"image": image.public_id, "other_image_pk": other_pk, "distance": distance}
        for listing_id, related_id in (
            (image.listing_id, other_listing_id),
            (other_listing_id, image.listing_id),
        ):
            try:
                with transaction.atomic():
                    ListingFlag.objects.create(
                        listing_id=listing_id,
                        related_listing_id=related_id,
                        reason="duplicate_image",
                        detail=detail,
                        status=FlagStatus.OPEN,
                    )
            except IntegrityError:
                pass  # an open flag for this pair exists already


def flag_resolve(*, flag: ListingFlag, by: User, confirmed: bool, resolution: str = "") -> bool:
    """A moderator's outcome for an open flag: the copy is confirmed, or the flag is dismissed.

    Recorded on the flag and in the listing's audit trail. Only an open flag changes, so a second
    click (or two moderators at once) records nothing new; returns whether this call decided it.
    Confirming does not take the listing down: the moderator rejects or archives it as for any
    listing, with a reason the seller reads.
    """
    status = FlagStatus.CONFIRMED if confirmed else FlagStatus.DISMISSED
    with transaction.atomic():
        changed = ListingFlag.objects.filter(pk=flag.pk, status=FlagStatus.OPEN).update(
            status=status, resolved_at=timezone.now(), resolved_by=by, resolution=resolution.strip()[:2000]
        )
        if changed:
            listing_event_record(
                listing_id=flag.listing_id,
                actor=by,
                action=f"flag_{status}",
                detail={"flag": flag.pk, "reason": flag.reason, "related_listing": flag.related_listing_id},
            )
    return changed == 1
