"""Celery tasks for notifications. They take ids (or nothing) and call a service."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task

from marketplace.notifications import services
from marketplace.notifications.models import Notification

logger = logging.getLogger(__name__)


@shared_task(
    name="notifications.send",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=100,
    time_limit=120,
)
def send_notification(notification_id: int) -> bool:
    """Render and send one claimed notification, once (claimed again in the database)."""
    try:
        return services.notification_send(notification_id=notification_id)
    except Notification.DoesNotExist:
        logger.warning("notifications: %s is gone", notification_id)
        return False


@shared_task(
    name="notifications.requeue_unsent",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=50,
    time_limit=60,
)
def requeue_unsent() -> int:
    """Beat: queue again the notifications whose send task was lost. Queuing twice is harmless."""
    ids = services.notifications_unsent()
    for notification_id in ids:
        send_notification.delay(notification_id)
    if ids:
        logger.info("notifications: re-queued %s unsent", len(ids))
    return len(ids)
