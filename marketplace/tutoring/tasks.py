"""Celery tasks for tutoring. They take ids (or nothing) and call a service."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.utils import timezone

from marketplace.tutoring import selectors, services
from marketplace.tutoring.models import EMAIL_FIELDS

logger = logging.getLogger(__name__)


# Every task sets its soft limit too: the global one (CELERY_TASK_SOFT_TIME_LIMIT) is above these
# hard limits, and Celery refuses to send a task whose soft limit exceeds its hard one.
@shared_task(
    name="tutoring.expire_holds",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=100,
    time_limit=120,
)
def expire_holds() -> int:
    """Free slots whose hold ran out. A conditional UPDATE: a re-run expires nothing new."""
    expired = services.holds_expire()
    if expired:
        logger.info("tutoring: expired %s holds", expired)
    return expired


@shared_task(
    name="tutoring.send_booking_email",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=100,
    time_limit=120,
)
def send_booking_email(booking_id: int, kind: str) -> bool:
    """Send one booking email to the buyer and the tutor, once (claimed in the database)."""
    if kind not in EMAIL_FIELDS:
        logger.warning("tutoring: unknown booking email %r for booking %s", kind, booking_id)
        return False
    return services.booking_email_send(booking_id=booking_id, kind=kind)


@shared_task(
    name="tutoring.send_reminders",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=220,
    time_limit=240,
)
def send_reminders() -> dict[str, int]:
    """Beat, every 5 minutes: queue the reminders that are due, and announcements whose task was lost.

    Queuing twice is harmless: each send claims its email with a conditional UPDATE first.
    """
    now = timezone.now()
    queued: dict[str, int] = {}
    for kind in EMAIL_FIELDS:
        ids = selectors.bookings_due_email(kind=kind, now=now)
        for booking_id in ids:
            send_booking_email.delay(booking_id, kind)
        queued[kind] = len(ids)
    return queued
