"""Sending tasks after a commit without letting an unreachable broker fail the request.

The rows a task works on are already committed when it is sent, in a state (pending) that the
beat job prompts.requeue_stale_images picks up again; so a broker that is down loses no work,
and the person who uploaded gets their answer instead of a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def send(task: Task, *args: Any) -> bool:
    """Send ``task(*args)``; False, with the error logged, when the broker cannot take it."""
    try:
        task.delay(*args)
    except (OperationalError, ConnectionError) as exc:
        logger.error("enqueue: %s%r not sent, the broker is unreachable: %s", task.name, args, exc)
        return False
    return True


def send_on_commit(task: Task, *args: Any) -> None:
    """Send ``task(*args)`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(task, *args))
