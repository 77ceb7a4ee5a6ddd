"""Celery tasks for listings. They take ids, never prompt text, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from prompts.preview_services import image_render_previews


@shared_task(
    name="prompts.render_previews",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def render_previews(image_id: int) -> None:
    """Render the labelled WebP previews of one image (see preview_services for idempotency)."""
    image_render_previews(image_id=image_id)
