"""Celery tasks for listings. They take ids, never prompt text, and are safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import UnidentifiedImageError

from prompts.documents import listing_documents_refresh
from prompts.models import ImageStatus, ListingImage
from prompts.previews import render

logger = logging.getLogger(__name__)


def _rendition_name(image: ListingImage, width: int) -> str:
    return f"previews/{image.public_id}/{width}.webp"


def _mark_failed(image_id: int, reason: str) -> None:
    ListingImage.objects.filter(pk=image_id).exclude(status=ImageStatus.READY).update(
        status=ImageStatus.FAILED, failure_reason=reason[:300], updated_at=timezone.now()
    )


@shared_task(
    name="prompts.render_previews",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def render_previews(image_id: int) -> None:
    """Render the WebP previews of one uploaded image.

    Idempotent through database state: a ready image is left alone, and a re-delivered task
    (worker killed mid-render) renders again into the same deterministic names, replacing any
    partial file, then marks the row ready once.
    """
    claimed = ListingImage.objects.filter(
        pk=image_id, status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING]
    ).update(status=ImageStatus.PROCESSING, updated_at=timezone.now())
    if not claimed:
        logger.info("render_previews: image %s is gone or already done", image_id)
        return
    image = ListingImage.objects.get(pk=image_id)
    try:
        with image.original.open("rb") as original:
            (width, height), renditions = render(original, settings.PREVIEW_WIDTHS)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        logger.warning("render_previews: image %s could not be decoded: %s", image_id, type(exc).__name__)
        _mark_failed(image_id, "The image could not be decoded; upload it again as PNG, JPEG or WebP.")
        return

    stored = []
    for rendition in renditions:
        name = _rendition_name(image, rendition.width)
        default_storage.delete(name)  # a partial file from a killed worker
        saved = default_storage.save(name, ContentFile(rendition.data))
        stored.append({"width": rendition.width, "height": rendition.height, "name": saved})

    with transaction.atomic():
        done = ListingImage.objects.filter(
            pk=image_id, status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING]
        ).update(
            status=ImageStatus.READY,
            renditions=stored,
            width=width,
            height=height,
            failure_reason="",
            updated_at=timezone.now(),
        )
        if done:
            listing_id = image.listing_id
            transaction.on_commit(lambda: listing_documents_refresh(listing_id=listing_id))
