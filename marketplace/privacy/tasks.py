from __future__ import annotations

from celery import shared_task

from marketplace.privacy.retention import retention_apply


@shared_task(name="privacy.apply_retention")
def apply_retention() -> dict[str, int]:
    """Delete or pseudonymise what is past its retention period; a re-run changes nothing."""
    return retention_apply()
