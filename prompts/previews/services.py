"""Writes of the preview pipeline: claim, render outside transactions, record; duplicates are flagged."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from prompts.models import AiClass, AiEvidence, ImageStatus, ListingImage
from prompts.moderation.events import listing_event_record
from prompts.moderation.flags import image_flag_near_duplicates
from prompts.previews import fingerprints, labels, visible_label
from prompts.previews.enqueue import send_on_commit
from prompts.previews.reasons import GAVE_UP, MISSING_ORIGINAL
from prompts.previews.rendering import Rendered, RenderError, render

logger = logging.getLogger(__name__)
# Re-queues of one image by the stale-image sweep before it is failed: a render that stops its worker
# every time (out of memory, say) is tried this many more times, then shown to the seller as failed.
# Each wait is twice the one before (5, 10, 20, 40, 80 minutes by default), so an image merely
# waiting behind a backlog of renders gets about five hours before it is given up on.
REQUEUE_LIMIT = 5
SWEEP_BATCH = 500
_UNFINISHED = [ImageStatus.PENDING, ImageStatus.PROCESSING]


def rendition_name(image: ListingImage, width: int) -> str:
    # Random per image (its public id), deterministic per size: a re-run overwrites, never duplicates.
    return f"previews/{image.public_id}/{width}.webp"


def content_id(image: ListingImage) -> str:
    # Public ids are random: they say nothing about the seller, or how many listings there are.
    return f"{settings.AI_LABEL_SERVICE_CODE}:listing/{image.listing.public_id}/image/{image.public_id}"


def image_xmp(image: ListingImage) -> bytes:
    """The AI-generated label every rendition of this image embeds: one packet, ours, carrying on the
    producer named by the source's own label (labelling measures Art. 6)."""
    ours = content_id(image)
    return labels.xmp_packet(
        platform=settings.SITE_NAME,
        content_id=ours,
        label=labels.implicit_label(
            producer=image.label_producer or settings.AI_LABEL_SERVICE_CODE,
            produce_id=image.label_produce_id or ours,
            propagator=settings.AI_LABEL_SERVICE_CODE,
            propagate_id=ours,
            key=label_key(),
        ),
        generated_by_platform=image.generated_by_platform,
        model=image.generator.get("model", "") if image.generated_by_platform else "",
    )


def label_key() -> bytes:
    configured = settings.AI_LABEL_DIGEST_KEY
    if configured:
        return str(configured).encode()
    # Derived, never SECRET_KEY itself: a leaked label key must not sign sessions.
    return hashlib.sha256(b"dimsum.ai-label-digest:" + settings.SECRET_KEY.encode()).digest()


def image_claim(*, image_id: int) -> ListingImage | None:
    """Move a pending (or re-delivered, processing) image to processing; None when there is nothing to do."""
    claimed = ListingImage.objects.filter(
        pk=image_id, status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING]
    ).update(status=ImageStatus.PROCESSING, updated_at=timezone.now())
    if not claimed:
        return None
    return ListingImage.objects.select_related("listing").get(pk=image_id)


def image_mark_failed(*, image_id: int, reason: str) -> None:
    ListingImage.objects.filter(pk=image_id).exclude(status=ImageStatus.READY).update(
        status=ImageStatus.FAILED, failure_reason=reason[:300], updated_at=timezone.now()
    )


def image_render_previews(*, image_id: int) -> None:
    """The whole job for one image; safe to run any number of times, concurrently too."""
    image = image_claim(image_id=image_id)
    if image is None:
        logger.info("previews: image %s is gone or already done", image_id)
        return
    try:
        with image.original.open("rb") as original:
            if image.ai_class == AiClass.NONE:
                image_detect_visible_label(image=image, file=original)
            rendered = render(original, settings.PREVIEW_WIDTHS, xmp=image_xmp(image))
    except (RenderError, FileNotFoundError) as exc:
        reason = str(exc) if isinstance(exc, RenderError) else MISSING_ORIGINAL
        logger.warning("previews: image %s cannot be rendered: %s", image_id, reason)
        image_mark_failed(image_id=image_id, reason=reason)
        return
    stored = renditions_store(image, rendered)
    if not image_mark_ready(image=image, rendered=rendered, stored=stored):
        _delete_unrecorded(image_id, stored)


def image_detect_visible_label(*, image: ListingImage, file: IO[bytes]) -> bool:
    """Search an unclassified upload's pixels for a visible AI label; True when this run marked it.

    The upload request classes an image from its metadata and the seller's declaration only (the
    pixel search costs tens of milliseconds of CPU, too much for a request); the preview worker runs
    this before rendering. The write is conditional on the class still being "none", so a re-run, or
    a declaration or metadata class set meanwhile, is never overwritten. The listing's documents are
    refreshed when the render is recorded (image_mark_ready), so the listing page's notice follows.
    """
    if visible_label.find_in_upload(file) is None:  # outside any transaction: CPU work
        return False
    with transaction.atomic():
        marked = ListingImage.objects.filter(pk=image.pk, ai_class=AiClass.NONE).update(
            ai_class=AiClass.SUSPECTED, ai_evidence=AiEvidence.VISIBLE_LABEL, updated_at=timezone.now()
        )
        if marked:
            listing_event_record(
                listing_id=image.listing_id,
                action="image_classified",
                detail={"image": image.public_id, "ai_class": AiClass.SUSPECTED, "evidence": "visible_label"},
            )
    if marked:
        image.ai_class, image.ai_evidence = AiClass.SUSPECTED, AiEvidence.VISIBLE_LABEL
    return bool(marked)


def _delete_unrecorded(image_id: int, stored: list[dict[str, object]]) -> None:
    """Another run of this image recorded its previews first (a re-queued task, say): delete what this
    run saved under other names (the storage renames a file saved over one still present)."""
    recorded = ListingImage.objects.filter(pk=image_id).values_list("renditions", flat=True).first() or []
    kept = {rendition["name"] for rendition in recorded}
    for rendition in stored:
        if rendition["name"] not in kept:
            default_storage.delete(str(rendition["name"]))


@transaction.atomic
def image_mark_ready(*, image: ListingImage, rendered: Rendered, stored: list[dict[str, object]]) -> bool:
    prints = rendered.fingerprints
    bands = prints.bands
    done = ListingImage.objects.filter(
        pk=image.pk, status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING]
    ).update(
        status=ImageStatus.READY,
        renditions=stored,
        width=rendered.width,
        height=rendered.height,
        failure_reason="",
        blurhash=prints.blurhash,
        dominant_color=prints.dominant_color,
        dhash=fingerprints.to_signed64(prints.dhash),
        dhash_band0=bands[0],
        dhash_band1=bands[1],
        dhash_band2=bands[2],
        dhash_band3=bands[3],
        updated_at=timezone.now(),
    )
    if not done:
        return False
    image_flag_near_duplicates(image=image, prints=prints)
    listing_id = image.listing_id
    from prompts.tasks import refresh_listing  # prompts.tasks imports this module

    # On the default queue: image workers stay lean (no tokenizer, no dictionaries in memory).
    send_on_commit(refresh_listing, listing_id)
    return True


def images_requeue_stale(*, now: datetime | None = None) -> dict[str, int]:
    """Re-queue the renders of images left pending or processing; fail those re-queued too often.

    Catches what the broker lost: a task never sent (broker down at upload), or a worker gone with
    its message. Each row is claimed by a conditional UPDATE on the ``updated_at`` it was read with,
    so sweeps running at once queue it once, and the next re-queue waits another full period.
    """
    now = now or timezone.now()
    stale = (
        ListingImage.objects.filter(status__in=_UNFINISHED, updated_at__lt=now - requeue_wait(0))
        .exclude(original="")  # a platform slot still waiting for its generated image
        .order_by("updated_at")
        .values_list("pk", "render_requeues", "updated_at")[:SWEEP_BATCH]
    )
    counts = {"requeued": 0, "failed": 0}
    for image_id, requeues, updated_at in stale:
        cutoff = now - requeue_wait(requeues)
        if updated_at >= cutoff:
            continue  # re-queued before and still inside its longer wait
        outcome = _image_requeue(image_id=image_id, requeues=requeues, cutoff=cutoff, now=now)
        if outcome:
            counts[outcome] += 1
    return counts


def requeue_wait(requeues: int) -> timedelta:
    """How long an unfinished image waits before its next re-queue, after ``requeues`` of them."""
    return timedelta(minutes=settings.PREVIEW_REQUEUE_AFTER_MINUTES * 2**requeues)


def _image_requeue(*, image_id: int, requeues: int, cutoff: datetime, now: datetime) -> str | None:
    claim = ListingImage.objects.filter(
        pk=image_id, status__in=_UNFINISHED, updated_at__lt=cutoff, render_requeues=requeues
    )
    if requeues >= REQUEUE_LIMIT:
        reason = GAVE_UP.format(tries=requeues + 1)
        if not claim.update(status=ImageStatus.FAILED, failure_reason=reason, updated_at=now):
            return None
        logger.warning("previews: image %s failed after %s tries", image_id, requeues + 1)
        return "failed"
    if not claim.update(render_requeues=requeues + 1, updated_at=now):
        return None  # another sweep, or the worker, moved it meanwhile
    from prompts.previews.tasks import render_previews  # tasks import this module

    logger.info("previews: image %s re-queued (%s of %s)", image_id, requeues + 1, REQUEUE_LIMIT)
    send_on_commit(render_previews, image_id)
    return "requeued"


def renditions_store(image: ListingImage, rendered: Rendered) -> list[dict[str, Any]]:
    """Write each rendition to storage; what was saved, for the image's record."""
    stored = []
    for rendition in rendered.renditions:
        name = rendition_name(image, rendition.width)
        default_storage.delete(name)  # a partial file left by a killed worker
        saved = default_storage.save(name, ContentFile(rendition.data))
        stored.append({"width": rendition.width, "height": rendition.height, "name": saved})
    return stored
