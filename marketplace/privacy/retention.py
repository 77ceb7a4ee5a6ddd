"""Retention: delete the audit trail past RETENTION_AUDIT_DAYS, pseudonymise transactions past
RETENTION_TRANSACTIONS_DAYS.

Only rows older than the period are touched. Transactions are never deleted: orders, refunds and
ledger entries keep their amounts, currencies and keys, so every order's ledger sum is unchanged;
only the free text a person wrote or that names them is cleared. Each step works in batches and
selects only rows that still hold something to remove, so a re-run changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from marketplace.accounts.models import SignInEvent, SignInFailure
from marketplace.verification.models import VerificationEvent
from payments.models import Order, Refund
from prompts.models import Complaint, ListingEvent, ListingFlag
from prompts.models.moderation import ComplaintStatus, FlagStatus

logger = logging.getLogger(__name__)


def _delete_in_batches(queryset: models.QuerySet, batch: int) -> int:
    deleted = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


def _update_in_batches(queryset: models.QuerySet, batch: int, **changes: object) -> int:
    # The queryset must exclude rows already changed, or this would loop for ever.
    updated = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return updated
        updated += queryset.model.objects.filter(pk__in=ids).update(**changes)


def audit_trail_prune(*, before: datetime, batch: int) -> dict[str, int]:
    """Delete audit rows older than `before`; open flags and complaints are work, never pruned."""
    return {
        "listing_events": _delete_in_batches(ListingEvent.objects.filter(created_at__lt=before), batch),
        "moderation_flags": _delete_in_batches(
            ListingFlag.objects.exclude(status=FlagStatus.OPEN).filter(resolved_at__lt=before), batch
        ),
        "complaints": _delete_in_batches(
            Complaint.objects.exclude(status=ComplaintStatus.OPEN).filter(resolved_at__lt=before), batch
        ),
        "sign_in_failures": _delete_in_batches(SignInFailure.objects.filter(at__lt=before), batch),
        "sign_in_events": _delete_in_batches(SignInEvent.objects.filter(at__lt=before), batch),
        "verification_events": _delete_in_batches(VerificationEvent.objects.filter(at__lt=before), batch),
        # The admin log: staff changes and data exports, which name the users they touched.
        "admin_log": _delete_in_batches(LogEntry.objects.filter(action_time__lt=before), batch),
    }


def transactions_pseudonymise(*, before: datetime, batch: int) -> dict[str, int]:
    """Clear the personal free text of orders and refunds created before `before`.

    Amounts, currencies, statuses, provider ids and keys stay: they are what the ledger and a tax
    audit reconcile against. The buyer is a user row, anonymised when the account is deleted.
    """
    orders = Order.objects.filter(created_at__lt=before).filter(
        ~Q(checkout_url="") | ~Q(idempotency_key="") | ~Q(failure_reason="")
    )
    refunds = Refund.objects.filter(created_at__lt=before).filter(
        ~Q(reason="") | ~Q(last_error="") | ~Q(request_key="") | Q(requested_by__isnull=False)
    )
    return {
        "orders": _update_in_batches(orders, batch, checkout_url="", idempotency_key="", failure_reason=""),
        "refunds": _update_in_batches(
            refunds, batch, reason="", last_error="", request_key="", requested_by=None
        ),
    }


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    batch = settings.RETENTION_BATCH_SIZE
    done = audit_trail_prune(before=now - timedelta(days=settings.RETENTION_AUDIT_DAYS), batch=batch)
    done |= transactions_pseudonymise(
        before=now - timedelta(days=settings.RETENTION_TRANSACTIONS_DAYS), batch=batch
    )
    logger.info("retention: %s", done)
    return done
