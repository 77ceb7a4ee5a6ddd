"""Manual payouts: closing statements, batching them for staff, and recording them paid.

A statement settles the seller's SELLER ledger rows of manual-rail orders that no statement holds
yet, up to the end of the last schedule period (MANUAL_PAYOUT_SCHEDULE). It closes only when their
sum reaches MANUAL_PAYOUT_MINIMUM: below it (or below zero, after refunds of money already paid
out) the rows wait and are carried into a later statement. Rows of orders with a refund in flight
or an open dispute are held back until that settles, so money being taken back is never paid out.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import major_text
from marketplace.core.text import spreadsheet_safe
from marketplace.notifications.services import notification_claim
from marketplace.tutoring.policy import tutor_is_paid_q
from payments import sealing
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    PayoutBatch,
    PayoutProfile,
    PayoutStatement,
    Refund,
    RefundStatus,
    StatementStatus,
)
from payments.selectors import unsettled_rows
from payments.services.ledger import LedgerKind, ledger_record
from payments.services.payouts import payout_delay

logger = logging.getLogger(__name__)

BATCH_CSV_HEADER = ["payee", "verified_name", "account_reference", "amount", "currency", "statement_id"]


def statement_period(now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) of the last whole schedule period before now, in the site's time zone."""
    local = timezone.localtime(now or timezone.now())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    schedule = settings.MANUAL_PAYOUT_SCHEDULE
    if schedule == "daily":
        return midnight - timedelta(days=1), midnight
    if schedule == "weekly":
        end = midnight - timedelta(days=midnight.weekday())
        return end - timedelta(days=7), end
    end = midnight.replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def statement_next_close(now: datetime | None = None) -> datetime:
    """When the period running now ends: the next time statements close (a seller's balance
    then becomes a statement if it reaches the minimum)."""
    local = timezone.localtime(now or timezone.now())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    schedule = settings.MANUAL_PAYOUT_SCHEDULE
    if schedule == "daily":
        return midnight + timedelta(days=1)
    if schedule == "weekly":
        return midnight + timedelta(days=7 - midnight.weekday())
    return (midnight.replace(day=1) + timedelta(days=32)).replace(day=1)


def payout_minimum(currency: str) -> int:
    """MANUAL_PAYOUT_MINIMUM of the currency (minor units, converted and checked at start-up); 1
    for a currency not listed."""
    return max(1, int(settings.MANUAL_PAYOUT_MINIMUM.get(currency.upper(), 1)))


def _settleable(rows: QuerySet[LedgerEntry], before: datetime) -> QuerySet[LedgerEntry]:
    """The rows a statement ending at ``before`` may pay, as payouts._payable decides for Connect:
    not a duplicate payment (refunded whole), and a booking's only once its session took place
    (tutor_is_paid) and ended the payout delay before ``before``; until then it waits."""
    refunding = Refund.objects.filter(order=OuterRef("order_id"), status=RefundStatus.PENDING)
    session_over = tutor_is_paid_q("order__booking__") & Q(
        order__booking__ends_at__lte=before - payout_delay()
    )
    return (
        rows.filter(created_at__lt=before)
        .filter(Q(order__booking__isnull=True) | session_over)
        .exclude(Q(order__payout_held=True) | Q(order__duplicate=True) | Q(Exists(refunding)))
    )


def statements_close(*, now: datetime | None = None) -> int:
    """Beat: close the last period's statement of every manual-rail seller and currency due one."""
    period_start, period_end = statement_period(now)
    due = (
        LedgerEntry.objects.filter(
            account=LedgerAccount.SELLER, statement__isnull=True, order__payout_rail="manual"
        )
        .filter(created_at__lt=period_end)
        .values_list("order__seller_id", "currency")
        .distinct()
    )
    closed = 0
    for seller_id, currency in sorted(set(due)):
        try:
            statement = statement_close(
                seller_id=seller_id, currency=currency, period_start=period_start, period_end=period_end
            )
        except Exception:  # one seller's failure (logged with its ids) must not stop the others'
            logger.exception("payments: statement of seller %s in %s did not close", seller_id, currency)
            continue
        closed += statement is not None
    return closed


def statement_close_final(*, seller: User, now: datetime | None = None) -> list[PayoutStatement]:
    """A seller leaving: close a statement of every currency with a positive balance that is
    settleable now, whatever MANUAL_PAYOUT_MINIMUM says (the account cannot wait for more sales).
    Its period ends now; the next scheduled statement starts after it."""
    now = now or timezone.now()
    currencies = sorted(set(unsettled_rows(seller_id=seller.pk).values_list("currency", flat=True)))
    closed = []
    for currency in currencies:
        start = (
            PayoutStatement.objects.filter(seller=seller, currency=currency)
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        ) or unsettled_rows(seller_id=seller.pk, currency=currency).order_by("created_at").values_list(
            "created_at", flat=True
        ).first()
        statement = statement_close(
            seller_id=seller.pk,
            currency=currency,
            period_start=start or now,
            period_end=now,
            minimum=1,
        )
        if statement is not None:
            closed.append(statement)
    return closed


@transaction.atomic
def statement_close(
    *, seller_id: int, currency: str, period_start: datetime, period_end: datetime, minimum: int | None = None
) -> PayoutStatement | None:
    """Close one seller's statement for the period, or None (below the minimum, or closed already).
    ``minimum`` is the currency's MANUAL_PAYOUT_MINIMUM unless given (a final statement's is 1).

    The seller's payout profile row is locked first, so concurrent runs close one statement; the
    rows are then picked by id, and only rows still without a statement are claimed.
    """
    profile, _created = PayoutProfile.objects.get_or_create(user_id=seller_id)
    PayoutProfile.objects.select_for_update().filter(pk=profile.pk).first()
    if PayoutStatement.objects.filter(seller_id=seller_id, currency=currency, period_end=period_end).exists():
        return None
    rows = list(
        _settleable(unsettled_rows(seller_id=seller_id, currency=currency), period_end).values_list(
            "pk", "amount", "created_at"
        )
    )
    total = sum(amount for _pk, amount, _at in rows)
    if not rows or total < (payout_minimum(currency) if minimum is None else minimum):
        return None
    statement = PayoutStatement.objects.create(
        seller_id=seller_id,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        opening_balance=sum(amount for _pk, amount, at in rows if at < period_start),
        amount=total,
    )
    claimed = LedgerEntry.objects.filter(pk__in=[pk for pk, _a, _at in rows], statement__isnull=True).update(
        statement=statement
    )
    if claimed != len(rows):  # a row changed hands under us: never pay a sum the rows do not make
        raise RuntimeError(f"statement {statement.pk}: claimed {claimed} of {len(rows)} ledger rows")
    return statement


@transaction.atomic
def payout_batch_create(*, statement_ids: list[int], by: User) -> PayoutBatch:
    """Put closed statements of one currency into a new batch for staff to pay."""
    statements = list(PayoutStatement.objects.select_for_update().filter(pk__in=statement_ids).order_by("pk"))
    if not statements:
        raise ApplicationError("no_statements", _("Select at least one closed statement."))
    if any(statement.status != StatementStatus.CLOSED for statement in statements):
        raise Conflict("statement_not_closed", _("Only closed statements can go into a new batch."))
    currencies = {statement.currency for statement in statements}
    if len(currencies) != 1:
        raise ApplicationError(
            "one_currency_per_batch", _("A batch pays one currency: select statements in one.")
        )
    batch = PayoutBatch.objects.create(currency=currencies.pop(), created_by=by)
    PayoutStatement.objects.filter(pk__in=[s.pk for s in statements]).update(
        status=StatementStatus.IN_BATCH, batch=batch
    )
    return batch


def payout_batch_csv(*, batch: PayoutBatch) -> str:
    """The file staff pay from, with the decrypted account references; every text cell is made
    safe for spreadsheets. Raises sealing.PayoutDetailsUnreadable when a key is missing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(BATCH_CSV_HEADER)
    statements = batch.statements.select_related("seller", "seller__payout_profile").order_by("pk")
    for statement in statements:
        profile = getattr(statement.seller, "payout_profile", None)
        details = sealing.unseal(profile.details_ciphertext) if profile and profile.details_ciphertext else {}
        reference = " ".join(
            part
            for part in (
                profile.method if profile else "",
                details.get("bank_name", ""),
                details.get("account", ""),
            )
            if part
        )
        writer.writerow(
            [
                spreadsheet_safe(f"{statement.seller.handle} <{statement.seller.email}>"),
                spreadsheet_safe(details.get("holder_name", "")),
                spreadsheet_safe(reference),
                major_text(statement.amount, statement.currency),
                statement.currency,
                statement.pk,
            ]
        )
    return out.getvalue()


def payout_batch_mark_paid(*, batch_id: int, reference: str, by: User) -> PayoutBatch:
    """Record a batch paid: statements paid, PAID_OUT ledger movements once, sellers told. A
    second click finds it paid and changes nothing."""
    reference = (reference or "").strip()[:200]
    if not reference:
        raise ApplicationError(
            "reference_required",
            _("Enter the bank's or Alipay's reference for this payment."),
            fields={"reference": [_("Required.")]},
        )
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
        if batch.paid_at is not None:
            return batch
        now = timezone.now()
        batch.reference, batch.paid_at, batch.paid_by = reference, now, by
        batch.save()
        for statement in batch.statements.select_for_update().order_by("pk"):
            _statement_paid(statement, reference=reference, now=now)
    return batch


def _statement_paid(statement: PayoutStatement, *, reference: str, now: datetime) -> None:
    # PAID_OUT is recorded per order (a ledger row belongs to an order); together they make the
    # statement's amount. An order's part can be negative: a refund of a sale paid out earlier.
    per_order = statement.ledger_entries.values("order_id").annotate(total=Sum("amount")).order_by("order_id")
    entries = {entry.order_id: entry for entry in statement.ledger_entries.select_related("order")}
    for row in per_order:
        ledger_record(
            entries[row["order_id"]].order,
            f"manual-payout:{statement.pk}:{row['order_id']}",
            LedgerAccount.PAID_OUT,
            LedgerKind.PAYOUT,
            row["total"],
            reference,
        )
    statement.status, statement.paid_at = StatementStatus.PAID, now
    statement.save(update_fields=["status", "paid_at"])
    notification_claim(kind="payout_sent", key=f"statement:{statement.pk}", recipient_id=statement.seller_id)
