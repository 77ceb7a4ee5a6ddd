"""Celery tasks for preview images. They take ids, never prompt text, and are safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from prompts.previews.backfill import image_add_missing_sizes
from prompts.previews.generation import version_generate_previews, version_generation_fail
from prompts.previews.generators import TransientGeneratorError
from prompts.previews.services import image_render_previews, images_requeue_stale

# Rendering is idempotent, so a render lost with its worker runs again (acks_late); the limits sit
# under the broker's visibility timeout.
RENDER_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
    "soft_time_limit": 120,
    "time_limit": 180,
}


@shared_task(name="prompts.render_previews", **RENDER_OPTIONS)
def render_previews(image_id: int) -> None:
    """Render the labelled WebP previews of one image (see prompts.previews.services for idempotency)."""
    image_render_previews(image_id=image_id)


@shared_task(name="prompts.add_preview_sizes", **RENDER_OPTIONS)
def add_preview_sizes(image_id: int) -> list[int]:
    """Render the configured preview sizes one ready image lacks (see prompts.previews.backfill)."""
    return image_add_missing_sizes(image_id=image_id)


@shared_task(
    name="prompts.requeue_stale_images",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=50,
    time_limit=60,
)
def requeue_stale_images() -> dict[str, int]:
    """Re-queue renders left pending or processing (every minute, from beat); see previews.services."""
    return images_requeue_stale()


@shared_task(
    bind=True,
    name="prompts.generate_previews",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientGeneratorError,),
    retry_backoff=15,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=4,
    soft_time_limit=540,
    time_limit=600,
)
def generate_previews(self: Task, version_id: int) -> None:
    """Generate the platform previews of one prompt version (see prompts.previews.generation for idempotency).

    Takes the version's id only: the prompt is read from the database, never passed through the broker.
    On the last attempt a transient error marks the slots failed instead of raising.
    """
    # In-process (eager) runs cannot retry while exceptions propagate: Celery would raise its Retry
    # into the request that committed. Their transient failures fail the slots at once instead.
    in_process = bool(self.request.is_eager and self.app.conf.task_eager_propagates)
    final_attempt = in_process or self.request.retries >= (self.max_retries or 0)
    try:
        version_generate_previews(version_id=version_id, final_attempt=final_attempt)
    except SoftTimeLimitExceeded:
        version_generation_fail(version_id=version_id, code="time limit")
