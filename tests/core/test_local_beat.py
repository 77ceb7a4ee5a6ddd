"""`make run` runs beat's schedule in-process: the demo folds views, counts unlocks, frees holds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.core.management import get_commands, load_command_class

from marketplace.core import local_beat
from payments.models import Unlock
from prompts.models import Listing
from tests.factories import UserFactory, make_listing

SCHEDULE = {
    "often": {"task": "often.task", "schedule": 60},
    "rarely": {"task": "rarely.task", "schedule": timedelta(minutes=10)},
    "at-night": {"task": "night.task", "schedule": crontab(hour=3)},
}


def test_each_entry_runs_shortly_after_start_then_every_period():
    next_due: dict[str, float] = {}
    ran: list[str] = []

    def at(now: float) -> list[str]:
        return local_beat.run_due(SCHEDULE, next_due, now, run=ran.append)

    assert at(1000.0) == []  # the server starts first
    assert at(1000.0 + local_beat.FIRST_RUN_AFTER) == ["often.task", "rarely.task"]
    assert at(1030.0) == []
    assert at(1066.0) == ["often.task"]
    assert at(1606.0) == ["often.task", "rarely.task"]
    assert "night.task" not in ran  # crontab entries are left to celery beat


def test_nothing_starts_when_a_broker_takes_the_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert local_beat.start() is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_thread_runs_real_tasks_against_the_database(settings, seller, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BEAT_SCHEDULE = {"count": {"task": "payments.count_unlocks", "schedule": 60}}
    monkeypatch.setattr(local_beat, "FIRST_RUN_AFTER", 0.0)
    monkeypatch.setattr(local_beat, "TICK", 0.05)
    listing = make_listing(seller, publish=True)
    Unlock.objects.create(buyer=UserFactory(), listing=listing)

    stop = threading.Event()
    thread = local_beat.start(stop)
    assert thread is not None
    try:
        deadline = time.monotonic() + 10
        while Listing.objects.get(pk=listing.pk).unlock_count != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1
    assert not thread.is_alive()


@pytest.mark.slow
def test_every_beat_task_is_known_in_a_fresh_process_as_runserver_starts_it(tmp_path):
    # In a test process every tasks module is imported already; runserver imports none of them.
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from marketplace.core import local_beat; known = local_beat.registered_tasks(); "
        "print(sorted(e['task'] for e in settings.CELERY_BEAT_SCHEDULE.values() if e['task'] not in known))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_make_run_serves_with_runlocal():
    assert get_commands()["runlocal"] == "marketplace.core"
    command = load_command_class("marketplace.core", "runlocal")
    assert "periodic tasks" in command.help
