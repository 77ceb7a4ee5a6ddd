"""Claiming, sending and re-queuing notification emails, and the recipients' preferences.

Exactly once: the event's transaction claims a row unique on (kind, key) with INSERT ... ON
CONFLICT DO NOTHING, and only a new row enqueues the send task, after commit. The task claims the
row (pending -> sending) with a conditional UPDATE before it sends, so a redelivered task or a
re-queue sends nothing new. A crash between commit and enqueue leaves a pending row, which the
beat task re-queues after NOTIFICATIONS_REQUEUE_AFTER_SECONDS.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.notifications import emails
from marketplace.notifications.kinds import KINDS
from marketplace.notifications.models import Notification, NotificationPreference, NotificationStatus

logger = logging.getLogger(__name__)

# A send is bounded by the task's time limit (120 s); a claim older than this was lost with its worker.
SENDING_LEASE = timedelta(minutes=15)
# Past this many tries (task retries and re-queues together) a notification is failed for an operator.
MAX_ATTEMPTS = 8


def notification_claim(
    *,
    kind: str,
    key: object,
    recipient_id: int | None = None,
    email: str = "",
    data: dict[str, Any] | None = None,
) -> int | None:
    """Claim the email about one event in the caller's transaction; the row's id when it is new.

    None when it was claimed before (the event arrived again) or there is nowhere to send it. The
    send task is enqueued after the caller commits, with the id alone.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    if recipient_id is None and not email:
        return None
    notification_id = _insert_once(
        kind=kind,
        key=str(key),
        recipient_id=recipient_id,
        email="" if recipient_id else email,
        # The request's language, for a recipient without a saved one (no account).
        language="" if recipient_id else (translation.get_language() or ""),
        data=data or {},
    )
    if notification_id is not None:
        notifications_enqueue_on_commit([notification_id])
    return notification_id


def _insert_once(
    *, kind: str, key: str, recipient_id: int | None, email: str, language: str, data: dict[str, Any]
) -> int | None:
    # One statement, no savepoint: the unique constraint decides between racing claims.
    table = connection.ops.quote_name(Notification._meta.db_table)
    data_value = Notification._meta.get_field("data").get_db_prep_value(data, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, key, recipient_id, email, language, data, status, "  # noqa: S608
            "attempts, last_error, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, 0, '', %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [
                kind,
                key,
                recipient_id,
                email,
                language,
                data_value,
                NotificationStatus.PENDING,
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def notifications_enqueue_on_commit(ids: list[int]) -> None:
    from marketplace.notifications.tasks import send_notification  # the tasks module imports this one

    def enqueue(notification_id: int) -> None:
        send_notification.delay(notification_id)

    for notification_id in ids:
        # robust: a broker hiccup must not fail a committed payment; the beat re-queues it later.
        transaction.on_commit(functools.partial(enqueue, notification_id), robust=True)


def notification_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one claimed notification, once. True when this call sent it.

    If rendering or sending fails the claim is given back and the error raised, for the task to
    retry (declared transient errors) or the beat's re-queue (anything else, up to MAX_ATTEMPTS).
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not _wanted(notification):
        _finish(notification_id, NotificationStatus.SKIPPED, now)
        return False
    try:
        message = emails.message(notification)
        if message is not None:
            message.send()
    except Exception as exc:
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.PENDING, last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        raise
    # No message: its subject (order, review, ...) is gone.
    _finish(notification_id, NotificationStatus.SENT if message else NotificationStatus.SKIPPED, now)
    return message is not None


def _finish(notification_id: int, status: str, now: datetime) -> None:
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
        status=status, sent_at=now if status == NotificationStatus.SENT else None, last_error=""
    )


def _wanted(notification: Notification) -> bool:
    if KINDS[notification.kind].essential or notification.recipient is None:
        return True
    return kind_enabled(user=notification.recipient, kind=notification.kind)


def notifications_unsent(*, now: datetime | None = None) -> list[int]:
    """Ids to send again: pending past the re-queue delay (their enqueue was lost), and claims
    whose worker died (sending past the lease), which are given back to pending first. Those tried
    MAX_ATTEMPTS times are failed instead, keeping their last error."""
    now = now or timezone.now()
    Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - SENDING_LEASE).update(
        status=NotificationStatus.PENDING
    )
    failed = Notification.objects.filter(
        status=NotificationStatus.PENDING, attempts__gte=MAX_ATTEMPTS
    ).update(status=NotificationStatus.FAILED)
    if failed:
        logger.error("notifications: %s failed after %s attempts", failed, MAX_ATTEMPTS)
    delay = timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)
    due = Notification.objects.filter(
        Q(status=NotificationStatus.PENDING, created_at__lte=now - delay),
        Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - delay),
    )
    return list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:500])


# --- preferences -------------------------------------------------------------------------------------


def kind_enabled(*, user: User, kind: str) -> bool:
    if KINDS[kind].essential:
        return True
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return row is None or row.enabled


def preferences_for(*, user: User) -> dict[str, bool]:
    """{kind: on?} for every kind, essential ones always on."""
    saved = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {name: kind.essential or saved.get(name, True) for name, kind in KINDS.items() if kind.listed}


@transaction.atomic
def preferences_save(*, user: User, enabled: set[str]) -> dict[str, bool]:
    """Turn every optional kind on or off at once: on when it is in ``enabled``."""
    unknown = enabled - set(KINDS)
    if unknown:
        raise ApplicationError(
            "invalid", _("Choose among the listed emails."), fields={"kinds": [_("Unknown.")]}
        )
    for name, kind in KINDS.items():
        if not kind.essential:
            _preference_put(user=user, kind=name, on=name in enabled)
    return preferences_for(user=user)


def preference_turn_off(*, user: User, kind: str) -> None:
    """One-click unsubscribe from one kind; essential kinds cannot be turned off."""
    if kind not in KINDS or KINDS[kind].essential:
        raise ApplicationError("invalid", _("These emails cannot be turned off."))
    _preference_put(user=user, kind=kind, on=False)


def _preference_put(*, user: User, kind: str, on: bool) -> None:
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"enabled": on})
