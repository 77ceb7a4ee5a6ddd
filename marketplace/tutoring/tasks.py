"""Celery tasks for tutoring. They take ids (or nothing) and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.tutoring import services

logger = logging.getLogger(__name__)


@shared_task(name="tutoring.expire_holds", acks_late=True, reject_on_worker_lost=True, time_limit=120)
def expire_holds() -> int:
    """Free slots whose hold ran out. A conditional UPDATE: a re-run expires nothing new."""
    expired = services.holds_expire()
    if expired:
        logger.info("tutoring: expired %s holds", expired)
    return expired
