"""Celery tasks for listings. They take ids, never prompt text, and are safe to run twice."""

from __future__ import annotations

from celery import shared_task

# Celery's autodiscovery imports <app>.tasks only: importing the preview tasks here registers them.
from prompts.previews import tasks as preview_tasks  # noqa: F401
from prompts.trials import tasks as trial_tasks  # noqa: F401


# Acknowledged on receipt: acknowledged late, its hour-long limit would need a visibility timeout of
# over an hour, which would hold back every other redelivery as long. A recount lost with its worker
# is done again by the next day's run.
@shared_task(name="prompts.rebuild_search_terms", acks_late=False, time_limit=3600)
def rebuild_search_terms() -> int:
    """Recount autocomplete weights over the whole catalog (daily, from beat)."""
    from prompts.search.suggest import rebuild_weights

    return rebuild_weights()


@shared_task(
    name="prompts.fold_trending",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def fold_trending() -> dict[str, int]:
    """Fold the views counted in Redis into the database and rescore trending (every 10 minutes, from
    beat). Each batch of views carries a token recorded with its fold: a re-run folds nothing twice."""
    from prompts.discovery import trending_fold

    return trending_fold()


@shared_task(
    name="prompts.refresh_listing",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
)
def refresh_listing(listing_id: int) -> None:
    """Re-render a listing's public documents and search entry (idempotent)."""
    from prompts.documents import listing_documents_refresh
    from prompts.models import Listing

    if Listing.objects.filter(pk=listing_id).exists():
        listing_documents_refresh(listing_id=listing_id)


@shared_task(
    name="prompts.recompute_reference_prices",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def recompute_reference_prices(currencies: list[str] | None = None) -> int:
    """Re-price listings' sort keys after exchange rates changed; writes only rows that differ."""
    from prompts.pricing import reference_prices_recompute

    return reference_prices_recompute(currencies=currencies)


@shared_task(
    name="prompts.send_complaint_summary", acks_late=True, reject_on_worker_lost=True, time_limit=300
)
def send_complaint_summary() -> int:
    """Claim last ISO week's complaint summary for the operator (hourly, from beat; once per week)."""
    from prompts.moderation.complaint_summary import complaint_summary_send

    return complaint_summary_send()
