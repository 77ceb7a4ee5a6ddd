"""The operator's weekly summary of the complaint queue, emailed once per ISO week.

Beat runs the task hourly; each run claims the summary of the last complete ISO week (Monday to
Sunday, UTC) for each recipient, keyed by the week, so only the first run of a week sends it. The
counts are taken at claim time and carried in the notification, so a re-sent email says the same.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace.notifications.services import notification_claim
from prompts.models import Complaint, ComplaintStatus
from prompts.moderation.complaints import complaints_overdue


def last_week(now: datetime) -> tuple[str, datetime, datetime]:
    """The ISO week before ``now``'s: its label (2026-W49) and its [start, end) in UTC."""
    today = now.astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday - timedelta(days=7), datetime.min.time(), tzinfo=UTC)
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}", start, start + timedelta(days=7)


def complaint_summary_data(*, start: datetime, end: datetime, now: datetime) -> dict[str, object]:
    filed = list(
        Complaint.objects.filter(created_at__gte=start, created_at__lt=end).values("status", "reason")
    )
    decided = Complaint.objects.filter(resolved_at__gte=start, resolved_at__lt=end).exclude(
        status=ComplaintStatus.OPEN
    )
    hours = [
        (resolved_at - created_at).total_seconds() / 3600
        for created_at, resolved_at in decided.values_list("created_at", "resolved_at")
        if resolved_at is not None
    ]
    return {
        "filed": len(filed),
        "by_status": dict(sorted(Counter(row["status"] for row in filed).items())),
        "by_reason": dict(sorted(Counter(row["reason"] for row in filed).items())),
        "decided": len(hours),
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "overdue": complaints_overdue(now=now).count(),
        "deadline_hours": settings.COMPLAINT_RESPONSE_HOURS,
    }


def summary_recipients() -> list[str]:
    # ADMINS holds (name, address) pairs, or plain addresses since Django 6.0.
    admins = [entry if isinstance(entry, str) else entry[1] for entry in settings.ADMINS]
    return list(settings.COMPLAINT_SUMMARY_TO) or admins


@transaction.atomic
def complaint_summary_send(*, now: datetime | None = None) -> int:
    """Claim last week's summary for each recipient; how many were new (0 when already sent)."""
    now = now or timezone.now()
    recipients = summary_recipients()
    if not recipients:
        return 0
    week, start, end = last_week(now)
    data = {"week": week, **complaint_summary_data(start=start, end=end, now=now)}
    claimed = [
        notification_claim(kind="complaint_summary", key=f"{week}:{address}", email=address, data=data)
        for address in recipients
    ]
    return sum(1 for notification_id in claimed if notification_id is not None)
