"""Reconciliation: apply what the webhook missed, each piece on its own.

Four passes: the provider's events since the cursor, stale pending orders' sessions, pending
refunds, pending transfer reversals. One event, order, refund or reversal that fails is logged
with its id and counted, and everything else still runs; a pass that fails whole does not stop
the next. A provider that could not be reached (a transient ProviderError) is counted apart, so
the task can try again in a minute instead of a whole beat interval later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payments.gateway import Event, Gateway, ProviderError
from payments.models import (
    Order,
    OrderStatus,
    ReconcileCursor,
    Refund,
    RefundStatus,
    ReversalStatus,
    TransferReversal,
)
from payments.services.disputes import transfer_reversal_submit, transfer_reversals_expire
from payments.services.fulfilment import order_apply_session
from payments.services.provider import gateway as current_gateway
from payments.services.refunds import refund_submit
from payments.webhooks import HANDLED_TYPES, event_process

logger = logging.getLogger(__name__)

# Stripe lists an event by its `created` second, possibly a little after that second has passed:
# each run reads this far behind its cursor again. Events seen before cost one query each.
EVENTS_OVERLAP_SECONDS = 300
# Younger pending orders, refunds and reversals are still in the hands of the webhook or a task.
STALE_AFTER = timedelta(minutes=10)
STRIPE_EVENTS_KEPT_DAYS = 30


@dataclass
class ReconcileSummary:
    events: int = 0  # events applied (not seen before)
    sessions: int = 0  # stale pending orders brought in line with their session
    refunds: int = 0  # pending refunds sent again
    reversals: int = 0  # pending transfer reversals that went through
    failures: int = 0  # items that raised: logged with their id, tried again next run
    unreachable: int = 0  # provider calls that failed in a way a retry may fix

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def reconcile_run(*, now: datetime | None = None) -> ReconcileSummary:
    """Run every pass once; a failure in one item or pass is logged and counted, never raised."""
    now = now or timezone.now()
    summary = ReconcileSummary()
    gateway = current_gateway()
    stale = now - STALE_AFTER
    passes: list[tuple[str, Callable[[], object]]] = [
        ("events", lambda: _events_pass(gateway, now, summary)),
        ("sessions", lambda: _sessions_pass(gateway, stale, summary)),
        ("refunds", lambda: _refunds_pass(stale, summary)),
        ("reversals", lambda: _reversals_pass(stale, now, summary)),
    ]
    for name, run in passes:
        _attempt(summary, f"the {name} pass", run)
    return summary


def _attempt(summary: ReconcileSummary, what: str, work: Callable[[], object]) -> bool:
    """Run one piece of work; on failure log it with `what` (its id), count it, return False."""
    try:
        work()
    except ProviderError as exc:
        if not exc.transient:
            summary.failures += 1
            logger.error("reconcile: %s: the provider refused (%s)", what, exc.code)
            return False
        summary.unreachable += 1
        logger.warning("reconcile: %s: the provider could not be reached (%s)", what, exc.code)
        return False
    except Exception:
        # Anything else is a bug or a bad row; it must not hold up every other payment.
        summary.failures += 1
        logger.exception("reconcile: %s failed", what)
        return False
    return True


def _events_pass(gateway: Gateway, now: datetime, summary: ReconcileSummary) -> None:
    """Apply the events after the cursor, oldest first; move the cursor up to the first failure."""
    oldest = int(now.timestamp()) - min(settings.PAYMENTS_RECONCILE_DAYS, STRIPE_EVENTS_KEPT_DAYS) * 86400
    cursor = ReconcileCursor.objects.filter(provider=gateway.name).first()
    after = oldest if cursor is None else max(oldest, cursor.events_through - EVENTS_OVERLAP_SECONDS)
    # Listed newest first and all pages before anything is applied: a listing that fails halfway
    # applies nothing and leaves the cursor where it was.
    events = sorted(reversed(gateway.recent_events(after, HANDLED_TYPES)), key=lambda event: event.created)
    first_failed: int | None = None
    for event in events:

        def apply(event: Event = event) -> None:
            summary.events += event_process(event=event, source="reconcile")

        if not _attempt(summary, f"event {event.id} ({event.type})", apply):
            first_failed = event.created if first_failed is None else first_failed
    if first_failed is not None:
        _cursor_advance(gateway.name, first_failed - 1)  # events of that second are read again
    elif events:
        _cursor_advance(gateway.name, events[-1].created)


def _cursor_advance(provider: str, through: int) -> None:
    """Forward only: a run that failed early never undoes a later run's progress."""
    moved = ReconcileCursor.objects.filter(provider=provider, events_through__lt=through).update(
        events_through=through, updated_at=timezone.now()
    )
    if not moved:
        ReconcileCursor.objects.get_or_create(provider=provider, defaults={"events_through": through})


def _sessions_pass(gateway: Gateway, stale: datetime, summary: ReconcileSummary) -> None:
    pending = Order.objects.filter(
        status=OrderStatus.PENDING, created_at__lt=stale, checkout_session_id__isnull=False
    ).values_list("public_id", "checkout_session_id")
    for public_id, session_id in list(pending):

        def apply(session_id: str = session_id or "") -> None:
            session = gateway.retrieve_session(session_id)
            # A savepoint when called inside a transaction (a shell, a test): a failure then
            # undoes this order alone and leaves the caller's transaction usable for the rest.
            with transaction.atomic():
                order_apply_session(session=session)
            summary.sessions += 1

        _attempt(summary, f"the session of order {public_id}", apply)


def _refunds_pass(stale: datetime, summary: ReconcileSummary) -> None:
    pending = Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=stale)
    for refund_id in list(pending.values_list("pk", flat=True)):

        def submit(refund_id: int = refund_id) -> None:
            refund_submit(refund_id=refund_id)
            summary.refunds += 1

        _attempt(summary, f"refund {refund_id}", submit)


def _reversals_pass(stale: datetime, now: datetime, summary: ReconcileSummary) -> None:
    """Send reversals still pending again, while the provider remembers their key."""
    transfer_reversals_expire(now=now)
    pending = TransferReversal.objects.filter(status=ReversalStatus.PENDING, created_at__lt=stale)
    for reversal_id in list(pending.values_list("pk", flat=True)):

        def submit(reversal_id: int = reversal_id) -> None:
            reversal = transfer_reversal_submit(reversal_id=reversal_id)
            summary.reversals += reversal.status == ReversalStatus.SUCCEEDED

        _attempt(summary, f"transfer reversal {reversal_id}", submit)
