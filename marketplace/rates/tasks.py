"""Celery tasks for exchange rates."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="rates.refresh", acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90
)
def refresh() -> list[str]:
    """Fetch the configured feed (from beat). Storing equal rates changes nothing: safe to repeat."""
    from marketplace.rates.services import rates_refresh

    return rates_refresh()
