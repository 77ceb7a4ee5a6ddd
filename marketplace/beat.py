"""The periodic tasks beat sends (Celery beat in production, runlocal's in-process beat locally).

Every entry in one table, named by the tasks' stable names; marketplace.settings installs it as
CELERY_BEAT_SCHEDULE.
"""

from __future__ import annotations


def beat_schedule(*, reconcile_every: int, rates_every: int = 3600) -> dict[str, dict[str, object]]:
    return {
        # Fold the views counted in Redis into the database and recompute trending scores. On the
        # default queue: prompts.* tasks go to "previews", where it would wait behind minutes-long renders.
        "prompts-fold-trending": {
            "task": "prompts.fold_trending",
            "schedule": 600,
            "options": {"queue": "default"},
        },
        # Re-queue or fail images stuck past PREVIEW_REQUEUE_AFTER_MINUTES; on default for the same reason.
        "prompts-requeue-stale-images": {
            "task": "prompts.requeue_stale_images",
            "schedule": 60,
            "options": {"queue": "default"},
        },
        # Give buyers back trial runs whose task was lost; on default, like the image sweep.
        "prompts-fail-stale-trials": {
            "task": "prompts.fail_stale_trials",
            "schedule": 300,
            "options": {"queue": "default"},
        },
        "accounts-prune-sign-in-failures": {"task": "accounts.prune_sign_in_failures", "schedule": 3600},
        "search-terms": {"task": "prompts.rebuild_search_terms", "schedule": 24 * 3600},
        "payments-reconcile": {
            "task": "payments.reconcile",
            "schedule": reconcile_every,
            # A run still queued when the next is due is dropped: the next one covers the same ground.
            # Beat also queues one run 30 s after it starts (payments.tasks).
            "options": {"expires": reconcile_every},
        },
        "tutoring-expire-holds": {"task": "tutoring.expire_holds", "schedule": 60},
        # Reminder emails 24 h and 1 h before each session (each claimed once in the database).
        "tutoring-send-reminders": {"task": "tutoring.send_reminders", "schedule": 300},
        # Listings' unlock counts and trending buckets, recounted off the payment path.
        "payments-count-unlocks": {"task": "payments.count_unlocks", "schedule": 60},
        "payments-pay-out-bookings": {"task": "payments.pay_out_bookings", "schedule": 900},
        # Manual-rail sellers' payout statements for the last MANUAL_PAYOUT_SCHEDULE period; hourly
        # tries, each period closed once per seller and currency.
        "payments-close-payout-statements": {"task": "payments.close_payout_statements", "schedule": 3600},
        # Notification emails whose send task was lost (each is claimed once in the database).
        "notifications-requeue-unsent": {"task": "notifications.requeue_unsent", "schedule": 300},
        # The operator's weekly complaint summary: hourly tries, claimed once per ISO week.
        "prompts-complaint-summary": {
            "task": "prompts.send_complaint_summary",
            "schedule": 3600,
            "options": {"queue": "default", "expires": 3600},
        },
        # Exchange rates from EXCHANGE_RATES_URL; changed rates re-price listings' sort keys in batches.
        "rates-refresh": {
            "task": "rates.refresh",
            "schedule": rates_every,
            "options": {"expires": rates_every},
        },
        # The audit trail and transactions past RETENTION_*_DAYS: deleted or pseudonymised, in batches.
        "privacy-apply-retention": {"task": "privacy.apply_retention", "schedule": 24 * 3600},
    }
