"""Celery beat's schedule, run in-process for the embedded default (`make run`).

With no broker, tasks run eagerly where they are called and nothing runs `celery beat`: without
this the demo would never fold views into trending, count unlocks, free lapsed tutoring holds,
send reminders or pay tutors. `manage.py runlocal` (runserver plus this) starts one daemon thread
that runs each CELERY_BEAT_SCHEDULE entry in its own process, first a few seconds after start,
then every `schedule` seconds. With a broker configured it does nothing: run `celery beat`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from celery.exceptions import Retry
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

FIRST_RUN_AFTER = 5.0  # seconds: let the server start first
TICK = 1.0


def _seconds(schedule: Any) -> float | None:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    return None  # crontab and other schedules: not supported here


def registered_tasks() -> dict[str, Any]:
    """Celery's task registry after autodiscovery (every app's tasks module), as a worker has it.

    runserver imports no tasks module by itself: without this, beat's tasks would be unknown."""
    from marketplace.celery import app

    app.loader.import_default_modules()
    return dict(app.tasks)


def _run_task(name: str) -> None:
    from marketplace.celery import app

    try:
        app.tasks[name].apply(throw=True)
    except Retry as retry:  # no worker to hold the retry: the task's next scheduled run is it
        logger.warning("local beat: %s asked to be retried (%s); it runs again on schedule", name, retry)
    except Exception:
        logger.exception("local beat: %s failed", name)
    finally:
        close_old_connections()


def run_due(
    schedule: Mapping[str, Mapping[str, Any]],
    next_due: dict[str, float],
    now: float,
    run: Callable[[str], None] = _run_task,
) -> list[str]:
    """Run the entries due at `now` and set when each is due next; returns the tasks run."""
    ran = []
    for entry_name, entry in schedule.items():
        every = _seconds(entry["schedule"])
        if every is None:
            continue
        due = next_due.setdefault(entry_name, now + FIRST_RUN_AFTER)
        if now >= due:
            next_due[entry_name] = now + every
            run(entry["task"])
            ran.append(entry["task"])
    return ran


def start(stop: threading.Event | None = None) -> threading.Thread | None:
    """Start the beat thread when tasks run in-process (until `stop` is set); None with a broker."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        logger.info("local beat: a broker is configured; periodic tasks need `celery beat`")
        return None
    known = registered_tasks()
    schedule = {
        name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] in known
    }
    for name in settings.CELERY_BEAT_SCHEDULE.keys() - schedule.keys():
        logger.error("local beat: %s names an unknown task; skipped", name)

    def loop() -> None:
        next_due: dict[str, float] = {}
        while not (stop and stop.is_set()):
            run_due(schedule, next_due, time.monotonic())
            time.sleep(TICK)

    # Each run would log "Task ... succeeded" every minute: the console is for the server's requests.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    thread = threading.Thread(target=loop, name="local-beat", daemon=True)
    thread.start()
    logger.info("local beat: %d periodic tasks run in this process", len(schedule))
    return thread
