"""Adding the preview sizes that PREVIEW_WIDTHS gained after images were rendered.

The full-size viewer (lightbox) wants a larger preview than the gallery had; images processed
before that width was added lack it. Only what is missing is rendered, from the private
original, and merged into the image's renditions under a row lock: a re-run, or two at once,
adds nothing twice, and the sizes already served keep their files.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction

from prompts.models import ImageStatus, ListingImage
from prompts.previews.enqueue import send_on_commit
from prompts.previews.rendering import RenderError, render, target_widths
from prompts.previews.services import image_xmp, renditions_store

logger = logging.getLogger(__name__)
SCAN_BATCH = 500


def missing_widths(image: ListingImage) -> list[int]:
    """The configured widths (capped at the source, never upscaled) this ready image has no file for."""
    have = {rendition["width"] for rendition in image.renditions or []}
    if not image.width:
        return []
    return [width for width in target_widths(image.width, settings.PREVIEW_WIDTHS) if width not in have]


def images_missing_sizes() -> Iterator[int]:
    """Ids of ready images lacking a configured size, scanned in batches by id (renditions are JSON)."""
    after = 0
    while True:
        batch = list(
            ListingImage.objects.filter(status=ImageStatus.READY, pk__gt=after)
            .order_by("pk")
            .only("pk", "width", "renditions")[:SCAN_BATCH]
        )
        if not batch:
            return
        for image in batch:
            if missing_widths(image):
                yield image.pk
        after = batch[-1].pk


def image_add_missing_sizes(*, image_id: int) -> list[int]:
    """Render and record the sizes this image lacks; the widths added (none when nothing is missing)."""
    image = (
        ListingImage.objects.select_related("listing").filter(pk=image_id, status=ImageStatus.READY).first()
    )
    if image is None or not (wanted := missing_widths(image)):
        return []
    try:
        with image.original.open("rb") as original:
            rendered = render(original, wanted, xmp=image_xmp(image))
    except (RenderError, FileNotFoundError) as exc:
        # The sizes it has keep being served; the image is not failed for a size it never promised.
        logger.warning("previews: image %s gets no new sizes: %s", image_id, exc)
        return []
    stored = renditions_store(image, rendered)
    return _record(image_id=image_id, stored=stored)


@transaction.atomic
def _record(*, image_id: int, stored: list[dict[str, object]]) -> list[int]:
    image = ListingImage.objects.select_for_update().filter(pk=image_id, status=ImageStatus.READY).first()
    if image is None:
        return []
    have = {rendition["width"] for rendition in image.renditions}
    added = [rendition for rendition in stored if rendition["width"] not in have]
    if not added:
        return []
    image.renditions = sorted([*image.renditions, *added], key=lambda r: -int(str(r["width"])))
    image.save(update_fields=["renditions", "updated_at"])
    from prompts.tasks import refresh_listing  # prompts.tasks imports the preview services

    send_on_commit(refresh_listing, image.listing_id)  # the public documents list the new size
    return [int(str(rendition["width"])) for rendition in added]
