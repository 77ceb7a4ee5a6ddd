"""Paying tutors after the session: the transfer half of "separate charges and transfers".

A booking's checkout charges on the platform (transfer group booking:<id>). Once the session has
ended and TUTORING_PAYOUT_DELAY_HOURS have passed, the beat task pays the tutor the seller share
of the order (split by the one fee rule when the order was made) with a Transfer from that charge
(source_transaction) to their connected account.

Exactly once:
- the claim runs under the order's row lock, the lock refunds and disputes take too, and
  re-checks that the order is still payable: paid, nothing refunded or being refunded, no
  dispute, the booking confirmed (or cancelled late by its buyer, with no refund) and over;
- a conditional UPDATE (pending -> sending) of the order's one Payout row (UNIQUE per order) lets
  one worker through;
- the provider call carries the idempotency key payout:booking:<booking>, so a retry after a lost
  answer gets the same transfer back; and the ledger entry has a unique key.
A claim whose worker died is taken over after PAYOUT_LEASE, but only while the provider still
remembers the key (KEY_WINDOW): past that a retry could pay twice, so the payout is marked failed
for an operator to check against the transfer group in the dashboard.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.core.money import money_json
from marketplace.tutoring.models import Booking
from marketplace.tutoring.policy import tutor_is_paid, tutor_is_paid_q
from payments import notices
from payments.gateway import ProviderError, TransferState
from payments.models import (
    LedgerAccount,
    Order,
    OrderStatus,
    Payout,
    PayoutStatus,
    Refund,
    RefundStatus,
)
from payments.services.ledger import LedgerKind, ledger_record
from payments.services.provider import gateway

logger = logging.getLogger(__name__)

PAYOUT_LEASE = timedelta(minutes=15)
KEY_WINDOW = timedelta(hours=23)  # Stripe keeps idempotency keys for at least 24 hours
MAX_ATTEMPTS = 8


def payout_key(order: Order) -> str:
    assert order.booking is not None
    return f"payout:booking:{order.booking.public_id}"


def payout_delay() -> timedelta:
    return timedelta(hours=settings.TUTORING_PAYOUT_DELAY_HOURS)


def _kept_for_payout() -> Q:
    """Orders whose tutor is paid once the session is over: a separate charge, paid and kept (no
    refund, dispute or hold), for a booking that earns the tutor their share."""
    refunding = Refund.objects.filter(order=OuterRef("pk")).exclude(status=RefundStatus.FAILED)
    return (
        Q(booking__isnull=False, status=OrderStatus.PAID, refunded_amount=0, seller_amount__gt=0)
        & Q(disputed=False, payout_held=False, duplicate=False)
        & ~Q(transfer_group="")
        & tutor_is_paid_q("booking__")
        & ~Q(Exists(refunding))
    )


def _payable(now: datetime) -> Q:
    """Orders whose tutor may be paid now: kept, for a session that ended at least the payout
    delay ago."""
    return _kept_for_payout() & Q(booking__ends_at__lte=now - payout_delay())


def _claimable(now: datetime) -> Q:
    """A payout row that may be (re)sent: waiting, or claimed by a worker that has not answered
    for PAYOUT_LEASE; either way only while the idempotency key is still remembered."""
    stale = Q(status=PayoutStatus.SENDING, claimed_at__lt=now - PAYOUT_LEASE)
    return (Q(status=PayoutStatus.PENDING) | stale) & Q(created_at__gt=now - KEY_WINDOW)


def payouts_due(*, now: datetime | None = None) -> list[int]:
    """Ids of orders to pay out now, oldest session first."""
    now = now or timezone.now()
    without = Q(payout__isnull=True)
    retry = Q(payout__status=PayoutStatus.PENDING, payout__created_at__gt=now - KEY_WINDOW)
    stale = Q(
        payout__status=PayoutStatus.SENDING,
        payout__claimed_at__lt=now - PAYOUT_LEASE,
        payout__created_at__gt=now - KEY_WINDOW,
    )
    rows = Order.objects.filter(_payable(now)).filter(without | retry | stale)
    return list(rows.order_by("booking__ends_at", "pk").values_list("pk", flat=True)[:500])


@transaction.atomic
def _claim(*, order_id: int, now: datetime) -> Payout | None:
    # The lock first, then the check in a fresh statement: a refund or dispute committed while we
    # waited for the lock is seen, and one that comes later waits for this claim.
    if Order.objects.select_for_update().filter(pk=order_id).first() is None:
        return None
    payable = Order.objects.filter(_payable(now), pk=order_id, charge_id__isnull=False)
    order = payable.select_related("booking").first()
    if order is None:
        return None
    payout, _ = Payout.objects.get_or_create(
        order=order,
        defaults={
            "amount": order.seller_amount,
            "currency": order.currency,
            "destination_account": order.destination_account,
        },
    )
    claimed = Payout.objects.filter(_claimable(now), pk=payout.pk, attempts__lt=MAX_ATTEMPTS).update(
        status=PayoutStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    payout.refresh_from_db()
    payout.order = order
    return payout


def booking_payout(*, order_id: int, now: datetime | None = None) -> Payout | None:
    """Pay the tutor of one booking order, once. None when it is not (or no longer) this call's to pay."""
    now = now or timezone.now()
    if not _charge_known(order_id):
        return None
    payout = _claim(order_id=order_id, now=now)
    if payout is None:
        return None
    order = payout.order
    try:
        transfer = gateway().create_transfer(  # outside any transaction: a network call
            amount=payout.amount,
            currency=payout.currency,
            destination=payout.destination_account,
            source_transaction=order.charge_id or "",
            transfer_group=order.transfer_group,
            idempotency_key=payout_key(order),
        )
    except ProviderError as exc:
        _payout_failed(payout, exc)
    else:
        _payout_paid(payout, transfer, now)
    payout.refresh_from_db()
    return payout


def _charge_known(order_id: int) -> bool:
    """The transfer is funded by the charge (source_transaction). A webhook's session names only
    its payment intent, so the charge id may be missing: ask the provider for it once, and keep it."""
    order = Order.objects.filter(pk=order_id).only("charge_id", "checkout_session_id", "public_id").first()
    if order is None or order.charge_id:
        return order is not None
    try:
        charge_id = gateway().retrieve_session(order.checkout_session_id or "").charge_id
    except ProviderError as exc:
        logger.warning("payments: charge of order %s unknown (%s); next run", order.public_id, exc.code)
        return False
    if not charge_id:
        return False
    Order.objects.filter(pk=order_id, charge_id__isnull=True).update(charge_id=charge_id)
    return True


def _payout_failed(payout: Payout, exc: ProviderError) -> None:
    retry = exc.transient and payout.attempts < MAX_ATTEMPTS
    Payout.objects.filter(pk=payout.pk, status=PayoutStatus.SENDING).update(
        status=PayoutStatus.PENDING if retry else PayoutStatus.FAILED, last_error=str(exc)[:300]
    )
    logger.warning(
        "payments: payout of order %s failed (%s, attempt %s)",
        payout.order.public_id,
        exc.code,
        payout.attempts,
    )


@transaction.atomic
def _payout_paid(payout: Payout, transfer: TransferState, now: datetime) -> None:
    Payout.objects.filter(pk=payout.pk).exclude(status=PayoutStatus.PAID).update(
        status=PayoutStatus.PAID, transfer_id=transfer.id, paid_at=now, last_error=""
    )
    order = payout.order
    ledger_record(
        order, payout_key(order), LedgerAccount.PAID_OUT, LedgerKind.PAYOUT, payout.amount, transfer.id
    )
    notices.notify_payout(payout)
    logger.info("payments: paid out order %s as %s", order.public_id, transfer.id)


def payouts_expire(*, now: datetime | None = None) -> int:
    """Unsent payouts whose idempotency key the provider may have forgotten: failed, for an operator."""
    now = now or timezone.now()
    return (
        Payout.objects.filter(status__in=[PayoutStatus.PENDING, PayoutStatus.SENDING])
        .filter(created_at__lte=now - KEY_WINDOW)
        .update(
            status=PayoutStatus.FAILED,
            last_error="Not confirmed within the provider's idempotency window; check the transfer "
            "group in the dashboard before paying by hand.",
        )
    )


# --- what the seller sees ---------------------------------------------------------------------------


def booking_payouts_upcoming(*, seller: User) -> list[dict[str, Any]]:
    """Per currency, the seller's session shares not transferred yet: their sum, how many, and
    when the next one is due (its session's end plus the payout delay). One query."""
    waiting = Q(payout__isnull=True) | Q(payout__status=PayoutStatus.PENDING)
    rows = (
        Order.objects.filter(_kept_for_payout(), waiting, seller=seller)
        .values("currency")
        .annotate(amount=Sum("seller_amount"), count=Count("pk"), first_end=Min("booking__ends_at"))
        .order_by("currency")
    )
    return [
        {
            "currency": row["currency"],
            "amount": row["amount"],
            "count": row["count"],
            "next_due_at": row["first_end"] + payout_delay(),
        }
        for row in rows
    ]


def booking_payouts_json(bookings: list[Booking]) -> dict[int, dict[str, Any]]:
    """{booking pk: {"payout": {...} or None}} for a page of bookings, in one query."""
    orders = {
        order.booking_id: order
        for order in Order.objects.filter(
            booking__in=bookings, status__in=[OrderStatus.PAID, OrderStatus.REFUNDED]
        )
        .select_related("payout")
        .order_by("paid_at", "pk")
    }
    return {b.pk: {"payout": _payout_json(b, orders.get(b.pk))} for b in bookings}


def _payout_json(booking: Booking, order: Order | None) -> dict[str, Any] | None:
    if order is None:
        return None
    payout: Payout | None = getattr(order, "payout", None)
    if not order.transfer_group:  # booked before payouts waited for the session: paid with the charge
        return {
            "status": "reversed" if order.refunded_amount else "paid",
            "amount": money_json(order.seller_amount, order.currency),
            "due_at": None,
            "paid_at": order.paid_at,
        }
    if payout is not None and payout.status != PayoutStatus.PENDING:
        status = str(payout.status)
    elif (
        order.refunded_amount
        or order.status != OrderStatus.PAID
        or not tutor_is_paid(booking)
    ):
        status = "withheld"  # refunded, or cancelled with a refund: never paid out
    elif order.disputed or order.payout_held:
        status = "on_hold"
    else:
        status = "scheduled"
    return {
        "status": status,
        "amount": money_json(order.seller_amount, order.currency),
        "due_at": booking.ends_at + payout_delay() if status == "scheduled" else None,
        "paid_at": payout.paid_at if payout is not None else None,
    }
