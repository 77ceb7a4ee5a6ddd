"""A worker knows every prompts task by its stable name, wherever in prompts/ the task is defined.

Queued messages carry the name only: a task a worker does not register is rejected as unknown.
"""

from __future__ import annotations

import os
import subprocess
import sys

PROMPTS_TASKS = [
    "prompts.add_preview_sizes",
    "prompts.fail_stale_trials",
    "prompts.fold_trending",
    "prompts.generate_previews",
    "prompts.rebuild_search_terms",
    "prompts.recompute_reference_prices",
    "prompts.refresh_listing",
    "prompts.render_previews",
    "prompts.requeue_stale_images",
    "prompts.run_trial",
    "prompts.send_complaint_summary",
]


def test_a_fresh_worker_process_registers_every_prompts_task_by_name(tmp_path):
    # A fresh process, as a worker starts: it imports only what Celery's autodiscovery imports.
    script = (
        "import django; django.setup(); from marketplace.celery import app; "
        "app.loader.import_default_modules(); "
        "print(sorted(name for name in app.tasks if name.startswith('prompts.')))"
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
    assert done.stdout.strip().splitlines()[-1] == str(PROMPTS_TASKS)
