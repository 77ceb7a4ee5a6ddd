"""Refunds with deterministic idempotency keys, and refunds reported by the provider."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import prorate
from payments import notices
from payments.gateway import (
    ProviderError,
    RefundState,
)
from payments.models import (
    LedgerAccount,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    RefundStatus,
)
from payments.selectors import refund_available
from payments.services.ledger import LedgerKind, ledger_record, ledger_record_bundle_refund, unlocks_revoke
from payments.services.provider import gateway


def order_refund(
    *,
    order: Order,
    amount: int | None,
    by: User | None,
    reason: str = "",
    request_key: str = "",
    line: OrderLine | None = None,
) -> Refund:
    """Refund part or all of a paid order; the provider call carries refund:<order>:<n> as its key.

    When the provider does not answer, the refund stays pending and is retried with the same
    key (a Celery task, and the reconciliation job), so it happens once. A request repeated with
    the same request_key (a form submitted twice) answers the refund the first one made.
    """
    refund = _refund_create(
        order_id=order.pk, amount=amount, by=by, reason=reason, request_key=request_key, line=line
    )
    try:
        return refund_submit(refund_id=refund.pk)
    except ProviderError:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            from payments.tasks import submit_refund

            submit_refund.apply_async((refund.pk,), countdown=30)
        refund.refresh_from_db()
        return refund


@transaction.atomic
def _refund_create(
    *,
    order_id: int,
    amount: int | None,
    by: User | None,
    reason: str,
    request_key: str,
    line: OrderLine | None = None,
) -> Refund:
    order = Order.objects.select_for_update().get(pk=order_id)
    # Looked up under the order's lock, so a concurrent repeat waits and then finds this refund.
    repeated = order.refunds.filter(request_key=request_key).first() if request_key else None
    if repeated is not None:
        return repeated
    if order.status != OrderStatus.PAID:
        raise Conflict("not_refundable", _("Only paid orders can be refunded."))
    if order.disputed:
        raise Conflict(
            "order_disputed",
            _("This sale is disputed: the buyer's bank decides the refund, so it cannot be refunded here."),
        )
    available = refund_available(order)
    amount = available if amount is None else amount
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= available:
        raise ApplicationError(
            "invalid_refund_amount",
            _("Refund between 1 and %(available)s (minor units) of this order.") % {"available": available},
            fields={"amount": [_("At most %(available)s.") % {"available": available}]},
        )
    if order.bundle_id is not None and line is None and amount != available:
        # A part of a bundle would have no listing to take back: whole refunds only.
        raise ApplicationError(
            "bundle_refund_whole",
            _("A bundle is refunded whole: %(available)s (minor units), or nothing.")
            % {"available": available},
            fields={"amount": [_("Leave it empty, or give %(available)s.") % {"available": available}]},
        )
    sequence = order.refunds.count() + 1
    return Refund.objects.create(
        order=order,
        sequence=sequence,
        amount=amount,
        requested_by=by,
        reason=reason[:300],
        request_key=request_key,
        line=line,
    )


def refund_submit(*, refund_id: int) -> Refund:
    """Send a pending refund to the provider. Retried with the same idempotency key: one refund."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    order = refund.order
    try:
        result = gateway().create_refund(
            payment_intent_id=order.payment_intent_id or "",
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            # Only a destination charge has a transfer on it; separate and manual-rail charges don't.
            reverse_transfer=order.has_transfer_to_reverse,
        )
    except ProviderError as exc:
        Refund.objects.filter(pk=refund.pk).update(
            attempts=F("attempts") + 1,
            last_error=str(exc)[:300],
            status=RefundStatus.PENDING if exc.transient else RefundStatus.FAILED,
        )
        if exc.transient:
            raise
        refund.refresh_from_db()
        return refund
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        # The refund webhook may have been here first and claimed this row already (same key).
        Refund.objects.filter(pk=refund.pk, provider_refund_id__isnull=True).update(
            provider_refund_id=result.id
        )
        Refund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1)
        if result.status == "succeeded":
            refund_apply(locked, result)
    refund.refresh_from_db()
    return refund


def refund_apply(order: Order, result: RefundState) -> None:
    """Record a succeeded refund once (keyed by the provider's id), under the order's lock."""
    refund = Refund.objects.filter(provider_refund_id=result.id).first()
    if refund is None and result.key:
        # Ours, reported before refund_submit stored the provider's id: claim the row by its key.
        refund = next(
            (
                r
                for r in order.refunds.filter(provider_refund_id__isnull=True)
                if r.idempotency_key == result.key
            ),
            None,
        )
        if refund is not None:
            refund.provider_refund_id = result.id
            refund.save(update_fields=["provider_refund_id"])
    if refund is None:  # made at the provider directly (dashboard): adopt it
        refund = Refund.objects.create(
            order=order,
            sequence=order.refunds.count() + 1,
            amount=result.amount,
            provider_refund_id=result.id,
            reason="Refunded at the payment provider.",
        )
    if refund.status == RefundStatus.SUCCEEDED:
        return
    refund.status = RefundStatus.SUCCEEDED
    refund.save(update_fields=["status"])
    refunded_before = order.refunded_amount
    order.refunded_amount = min(order.amount, refunded_before + result.amount)
    fully = order.refunded_amount == order.amount
    # Fee back in proportion; the last refund takes the remainder, so partial refunds add up.
    fee_before = prorate(refunded_before, order.amount, order.platform_fee)
    fee_after = (
        order.platform_fee if fully else prorate(order.refunded_amount, order.amount, order.platform_fee)
    )
    fee_back = fee_after - fee_before
    if order.bundle_id is not None:
        ledger_record_bundle_refund(order, refund, order.refunded_amount - refunded_before, result.id)
    else:
        ledger_record(
            order,
            f"refund:{result.id}:seller",
            LedgerAccount.SELLER,
            LedgerKind.REFUND,
            -(result.amount - fee_back),
            result.id,
        )
        ledger_record(
            order,
            f"refund:{result.id}:platform",
            LedgerAccount.PLATFORM,
            LedgerKind.COMMISSION_REFUND,
            -fee_back,
            result.id,
        )
    if fully:
        order.status = OrderStatus.REFUNDED
        unlocks_revoke(order, "refunded")
    order.save(update_fields=["refunded_amount", "status", "updated_at"])
    notices.notify_refunded(refund, order)
