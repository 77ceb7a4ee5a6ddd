"""A task lost with its worker is run again within minutes, and never while it is still running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from marketplace.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p" * 64,
    "STRIPE_SECRET_KEY": "sk_test_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
}


def _settings_process(**env: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh process with ``env`` and print the visibility timeout."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_") and k != "DEBUG"}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'marketplace.settings'; "
            "django.setup(); from django.conf import settings; "
            "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])",
        ],
        cwd=ROOT,
        env={**keep, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _timeout(**env: str) -> int:
    result = _settings_process(**env)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_default_timeout_follows_the_task_limits():
    assert _timeout(**PRODUCTION) == 660  # ten minutes of the longest task, plus one
    assert _timeout(**PRODUCTION, CELERY_TASK_TIME_LIMIT="900") == 960
    assert _timeout(**PRODUCTION, CELERY_VISIBILITY_TIMEOUT="1800") == 1800


@pytest.mark.slow
def test_a_timeout_a_running_task_could_outlive_is_refused():
    result = _settings_process(**PRODUCTION, CELERY_VISIBILITY_TIMEOUT="300")
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT=300 must be above 600" in result.stderr
    # In development a short timeout shows redelivery in seconds.
    assert _timeout(DEBUG="1", CELERY_VISIBILITY_TIMEOUT="3") == 3


def test_no_late_acknowledged_task_runs_or_waits_for_a_retry_past_the_visibility_timeout():
    celery_app.loader.import_default_modules()
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    late = {name: task for name, task in celery_app.tasks.items() if task.acks_late}
    assert "prompts.render_previews" in late
    for name, task in late.items():
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < timeout, name
        if getattr(task, "autoretry_for", ()):
            assert getattr(task, "retry_backoff_max", 0) < timeout, name
            assert (task.default_retry_delay or 0) < timeout, name
