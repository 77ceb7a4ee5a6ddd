"""The trial task. It takes the run's id only: the prompt and the buyer's values stay in the database."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from prompts.previews.generators import TransientGeneratorError
from prompts.trials.execution import UNAVAILABLE, trial_run_execute, trial_run_fail, trial_runs_fail_stale


@shared_task(
    bind=True,
    name="prompts.run_trial",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientGeneratorError,),
    retry_backoff=10,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=170,
    time_limit=200,
)
def run_trial(self: Task, run_id: int) -> None:
    """Render one trial run (see prompts.trials.execution for idempotency)."""
    in_process = bool(self.request.is_eager and self.app.conf.task_eager_propagates)
    final_attempt = in_process or self.request.retries >= (self.max_retries or 0)
    try:
        trial_run_execute(run_id=run_id, final_attempt=final_attempt)
    except SoftTimeLimitExceeded:
        trial_run_fail(run_id=run_id, reason=UNAVAILABLE)


@shared_task(
    name="prompts.fail_stale_trials",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=50,
    time_limit=60,
)
def fail_stale_trials() -> int:
    """Fail trial runs whose task never finished (every 5 minutes, from beat); a re-run finds none."""
    return trial_runs_fail_stale()
