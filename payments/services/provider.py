"""Which payment provider serves this process (Stripe, or the sandbox), and how a call to it that
can wait leaves the request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from django.conf import settings

from payments.gateway import Gateway, ProviderError

logger = logging.getLogger(__name__)


@cache
def _gateway_for(provider: str, api_base: str) -> Gateway:
    if provider == "stripe":
        from payments.stripe_client import StripeGateway

        return StripeGateway()
    from payments.sandbox import SandboxGateway

    return SandboxGateway()


def gateway() -> Gateway:
    return _gateway_for(settings.PAYMENTS_PROVIDER, settings.STRIPE_API_BASE)


def call_later(task_name: str, object_id: int, attempt: Callable[[], object]) -> None:
    """Queue the payments.tasks task `task_name` for `object_id`: the worker retries it with backoff
    (PROVIDER_RETRIES). Without a broker (the embedded setup, tests) `attempt` is tried once in this
    process instead (an eager task would raise its retries rather than schedule them); a failure
    is logged, and what the task leaves undone is the reconciliation job's or lapses on its own."""
    from payments import tasks

    task = getattr(tasks, task_name)  # looked up in every setup, so a wrong name fails the tests too
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(object_id)
        return
    try:
        attempt()
    except ProviderError as exc:
        logger.warning("payments: %s of %s failed in-process (%s)", task_name, object_id, exc.code)
