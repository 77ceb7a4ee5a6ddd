from __future__ import annotations

import logging

from celery import shared_task

from marketplace.accounts import lockout

logger = logging.getLogger(__name__)


@shared_task(name="accounts.prune_sign_in_failures")
def prune_sign_in_failures() -> int:
    """Delete sign-in failures too old to count; running it twice deletes nothing more."""
    deleted = lockout.prune()
    if deleted:
        logger.info("sign-in lock: pruned %d old failures", deleted)
    return deleted
