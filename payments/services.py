"""Every write in payments: checkout, the one fulfilment function, refunds, disputes, Connect.

Provider calls happen outside database transactions; state changes happen inside one, under a
row lock on the order, and database constraints are the final guard against doubles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import prorate, split_fee
from marketplace.tutoring import services as tutoring_services
from marketplace.tutoring.models import Booking
from payments.gateway import (
    AccountState,
    ChargeState,
    CheckoutRequest,
    DisputeState,
    Gateway,
    ProviderError,
    RefundState,
    SessionState,
    payment_methods_for,
)
from payments.models import (
    ConnectedAccount,
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    Unlock,
)
from prompts.discovery import activity_record
from prompts.models import Listing, ListingStatus

logger = logging.getLogger(__name__)


@cache
def _gateway_for(provider: str, api_base: str) -> Gateway:
    if provider == "stripe":
        from payments.stripe_client import StripeGateway

        return StripeGateway()
    from payments.sandbox import SandboxGateway

    return SandboxGateway()


def gateway() -> Gateway:
    return _gateway_for(settings.PAYMENTS_PROVIDER, settings.STRIPE_API_BASE)


# --- checkout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutResult:
    order: Order | None
    checkout_url: str | None
    unlocked: bool


def _has_unlock(buyer: User, listing: Listing) -> bool:
    return Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True).exists()


def _check_can_buy(buyer: User, listing: Listing) -> None:
    if listing.status != ListingStatus.PUBLISHED:
        raise ApplicationError("not_for_sale", "This listing is not for sale.", status_code=404)
    if listing.seller_id == buyer.pk:
        raise Conflict("own_listing", "This is your own listing; you can read its prompt already.")
    if _has_unlock(buyer, listing):
        raise Conflict("already_unlocked", "You have unlocked this listing already; find it in your library.")


def checkout_start(*, buyer: User, listing: Listing, idempotency_key: str = "") -> CheckoutResult:
    """Unlock a free listing at once, or create an order and a checkout session for a paid one."""
    if idempotency_key:
        previous = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if previous is not None:
            if previous.listing_id != listing.pk:
                raise Conflict(
                    "idempotency_key_reused", "This Idempotency-Key was used for another purchase."
                )
            return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    _check_can_buy(buyer, listing)
    if listing.is_free:
        unlock_grant(buyer=buyer, listing=listing, order=None)
        return CheckoutResult(order=None, checkout_url=None, unlocked=True)
    order = _order_create(buyer=buyer, listing=listing, idempotency_key=idempotency_key)
    if order.checkout_url:
        return CheckoutResult(order=order, checkout_url=order.checkout_url, unlocked=False)
    return CheckoutResult(order=order, checkout_url=_open_checkout(order), unlocked=False)


def _order_create(*, buyer: User, listing: Listing, idempotency_key: str) -> Order:
    seller = listing.seller
    account = ConnectedAccount.objects.filter(user=seller, charges_enabled=True).first()
    if account is None or not seller.can_accept_payments:
        raise Conflict(
            "seller_cannot_accept_payments", "The seller cannot take payments right now; try later."
        )
    fee, share = split_fee(listing.price_amount, settings.PLATFORM_FEE_BPS)
    try:
        with transaction.atomic():
            return Order.objects.create(
                buyer=buyer,
                listing=listing,
                seller=seller,
                amount=listing.price_amount,
                currency=listing.price_currency,
                platform_fee=fee,
                seller_amount=share,
                provider=gateway().name,
                idempotency_key=idempotency_key,
                destination_account=account.account_id,
            )
    except IntegrityError:
        # A concurrent request created the buyer's pending order first (one per buyer and
        # listing, by constraint): answer with that one.
        existing = Order.objects.filter(buyer=buyer, listing=listing, status=OrderStatus.PENDING).first()
        if existing is None:
            raise Conflict("idempotency_key_reused", "This Idempotency-Key was used already.") from None
        return existing


def _order_title(order: Order) -> str:
    if order.listing is not None:
        return order.listing.title
    return f"Tutoring: {Booking.objects.select_related('offer').get(orders=order).offer.title}"


def _open_checkout(order: Order) -> str:
    base = settings.SITE_URL
    request = CheckoutRequest(
        order_id=order.public_id,
        title=_order_title(order),
        amount=order.amount,
        currency=order.currency,
        platform_fee=order.platform_fee,
        destination_account=order.destination_account,
        payment_methods=payment_methods_for(order.currency),
        success_url=f"{base}/payments/return/{order.public_id}/?session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{base}/payments/return/{order.public_id}/?canceled=1",
        idempotency_key=f"checkout:{order.public_id}",
    )
    try:
        created = gateway().create_checkout(request)
    except ProviderError as exc:
        Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.FAILED, failure_reason=f"Checkout could not start ({exc.code})."
        )
        raise ApplicationError(
            "payment_provider_unavailable",
            "The payment provider did not answer; please try again.",
            status_code=503 if exc.transient else 502,
        ) from None
    Order.objects.filter(pk=order.pk).update(checkout_session_id=created.session_id, checkout_url=created.url)
    return created.url


# --- the one fulfilment function -------------------------------------------------------------------


def order_apply_session(*, session: SessionState, event_type: str = "") -> Order | None:
    """Bring an order in line with its checkout session as the provider reports it now.

    Called from webhooks, the reconciliation job and the return page, always with state
    re-retrieved from the provider, never with what a browser sent. Safe to call any number of
    times, concurrently too: the order row is locked and every effect is guarded.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(public_id=session.order_id).first()
        if order is None or (order.checkout_session_id and order.checkout_session_id != session.id):
            logger.warning("payments: session %s does not match order %s", session.id, session.order_id)
            return None
        if session.payment_status in ("paid", "no_payment_required"):
            _order_paid(order, session)
        elif event_type == "checkout.session.async_payment_failed":
            _order_closed(order, OrderStatus.FAILED, "The payment did not go through.")
        elif session.status == "expired":
            _order_closed(order, OrderStatus.EXPIRED, "The checkout expired before payment.")
        return order


def _order_closed(order: Order, status: str, reason: str) -> None:
    if order.status == OrderStatus.PENDING:
        order.status, order.failure_reason = status, reason
        order.save(update_fields=["status", "failure_reason", "updated_at"])
        if order.booking_id is not None:  # the checkout is over unpaid: free the held slot
            tutoring_services.booking_release(booking_id=order.booking_id)


def _ledger(order: Order, key: str, account: str, kind: str, amount: int, external_id: str = "") -> bool:
    """Record one money movement once; False when it was recorded before."""
    if amount == 0 or LedgerEntry.objects.filter(key=key).exists():
        return False
    with transaction.atomic():
        LedgerEntry.objects.create(
            key=key,
            order=order,
            account=account,
            kind=kind,
            amount=amount,
            currency=order.currency,
            external_id=external_id,
        )
    return True


def _order_paid(order: Order, session: SessionState) -> None:
    if order.status in (OrderStatus.PAID, OrderStatus.REFUNDED):
        return
    order.status = OrderStatus.PAID
    order.payment_intent_id = session.payment_intent_id or order.payment_intent_id
    order.charge_id = session.charge_id or order.charge_id
    order.paid_at = timezone.now()
    order.failure_reason = ""
    order.save()
    _ledger(order, f"sale:{order.pk}", LedgerAccount.SELLER, "sale", order.seller_amount, session.id)
    _ledger(
        order, f"commission:{order.pk}", LedgerAccount.PLATFORM, "commission", order.platform_fee, session.id
    )
    if order.listing is None:  # a tutoring booking
        _booking_paid(order)
        return
    if not unlock_grant(buyer=order.buyer, listing=order.listing, order=order):
        # Paid twice (two tabs, a late async payment): keep one unlock, give this money back.
        order.duplicate = True
        order.save(update_fields=["duplicate", "updated_at"])
        order_id = order.pk
        transaction.on_commit(lambda: _refund_duplicate(order_id))


def _refund_duplicate(order_id: int) -> None:
    order = Order.objects.get(pk=order_id)
    order_refund(
        order=order, amount=None, by=None, reason="Duplicate payment: you owned this listing already."
    )


def _booking_paid(order: Order) -> None:
    if tutoring_services.booking_confirm(booking_id=order.booking_id or 0):
        return
    # RELIABILITY 19: the hold lapsed and someone else took the slot (or the buyer cancelled)
    # before the money came. Nothing to deliver: give it back, after commit (a provider call).
    order.failure_reason = "Paid after the slot was no longer available; refunded automatically."
    order.save(update_fields=["failure_reason", "updated_at"])
    order_id = order.pk
    transaction.on_commit(lambda: _refund_unfulfillable_booking(order_id))


def _refund_unfulfillable_booking(order_id: int) -> None:
    order = Order.objects.get(pk=order_id)
    if order.refundable_amount:
        order_refund(order=order, amount=None, by=None, reason="The booked slot was no longer available.")


def unlock_grant(*, buyer: User, listing: Listing, order: Order | None) -> bool:
    """Give the buyer the listing; False when an active unlock exists (the constraint decides)."""
    try:
        with transaction.atomic():
            Unlock.objects.create(buyer=buyer, listing=listing, order=order)
    except IntegrityError:
        return False
    Listing.objects.filter(pk=listing.pk).update(unlock_count=F("unlock_count") + 1)
    activity_record(listing_id=listing.pk, kind="unlock")
    return True


def _revoke(order: Order, reason: str) -> None:
    Unlock.objects.filter(order=order, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )


# --- tutoring bookings ---------------------------------------------------------------------------------
# A booking is paid like a listing: one Order (booking set, listing empty), the same hosted
# checkout and the same fulfilment function. The charge is a destination charge to the tutor's
# connected account, as for prompts; charging on the platform and transferring after the session
# (transfer_group / source_transaction) is the planned change for payout-after-delivery.


def booking_place(
    *, buyer: User, offer: Any, start: datetime, listing: Listing | None = None, idempotency_key: str = ""
) -> CheckoutResult:
    """Hold the slot and open its checkout. A retry with the same Idempotency-Key answers the same."""
    if idempotency_key:
        previous = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if previous is not None:
            booking = previous.booking
            if booking is None or booking.offer_id != offer.pk or booking.starts_at != start:
                raise Conflict(
                    "idempotency_key_reused", "This Idempotency-Key was used for another purchase."
                )
            return CheckoutResult(order=previous, checkout_url=previous.checkout_url or None, unlocked=False)
    if offer.seller_id != buyer.pk:
        _seller_account(offer.seller)  # before holding: a slot nobody can pay for is not held
    if listing is not None and not _has_unlock(buyer, listing):
        raise ApplicationError(
            "listing_not_owned",
            "Link a listing you have bought.",
            fields={"listing": ["You have not unlocked this listing."]},
        )
    booking = tutoring_services.booking_hold(buyer=buyer, offer=offer, start=start, listing=listing)
    return booking_checkout_start(buyer=buyer, booking=booking, idempotency_key=idempotency_key)


def _seller_account(seller: User) -> ConnectedAccount:
    account = ConnectedAccount.objects.filter(user=seller, charges_enabled=True).first()
    if account is None or not seller.can_accept_payments:
        raise Conflict(
            "seller_cannot_accept_payments", "The seller cannot take payments right now; try later."
        )
    return account


def booking_checkout_start(*, buyer: User, booking: Booking, idempotency_key: str = "") -> CheckoutResult:
    """Create the order of a held booking (one pending per booking) and open its checkout."""
    order = Order.objects.filter(booking=booking, status=OrderStatus.PENDING).first()
    try:
        if order is None:
            fee, share = split_fee(booking.price_amount, settings.PLATFORM_FEE_BPS)
            with transaction.atomic():
                order = Order.objects.create(
                    buyer=buyer,
                    booking=booking,
                    seller_id=booking.seller_id,
                    amount=booking.price_amount,
                    currency=booking.price_currency,
                    platform_fee=fee,
                    seller_amount=share,
                    provider=gateway().name,
                    idempotency_key=idempotency_key,
                    destination_account=_seller_account(booking.seller).account_id,
                )
        url = order.checkout_url or _open_checkout(order)
    except (ApplicationError, IntegrityError) as exc:
        tutoring_services.booking_release(booking_id=booking.pk)  # no checkout: no hold
        if isinstance(exc, IntegrityError):  # a concurrent retry with the same Idempotency-Key
            raise Conflict("idempotency_key_reused", "This Idempotency-Key was used already.") from None
        raise
    return CheckoutResult(order=order, checkout_url=url, unlocked=False)


def booking_cancel(*, booking: Booking, by: User) -> Refund | None:
    """Cancel per the offer's policy and refund what it says through the ledger."""
    role = tutoring_services.role_of(booking=booking, user=by)
    full = tutoring_services.cancellation_refund_is_full(booking=booking, role=role, now=timezone.now())
    tutoring_services.booking_cancel(booking_id=booking.pk, role=role)
    order = Order.objects.filter(booking=booking, status=OrderStatus.PAID).first()
    if order is None or not full or not order.refundable_amount:
        return None
    return order_refund(order=order, amount=None, by=by, reason=f"Booking cancelled by the {role}.")


# --- refunds ------------------------------------------------------------------------------------------


def order_refund(*, order: Order, amount: int | None, by: User | None, reason: str = "") -> Refund:
    """Refund part or all of a paid order; the provider call carries refund:<order>:<n> as its key.

    When the provider does not answer, the refund stays pending and is retried with the same
    key (a Celery task, and the reconciliation job), so it happens once.
    """
    refund = _refund_create(order_id=order.pk, amount=amount, by=by, reason=reason)
    try:
        return refund_submit(refund_id=refund.pk)
    except ProviderError:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            from payments.tasks import submit_refund

            submit_refund.apply_async((refund.pk,), countdown=30)
        refund.refresh_from_db()
        return refund


@transaction.atomic
def _refund_create(*, order_id: int, amount: int | None, by: User | None, reason: str) -> Refund:
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != OrderStatus.PAID:
        raise Conflict("not_refundable", "Only paid orders can be refunded.")
    in_flight = order.refunds.filter(status=RefundStatus.PENDING).aggregate(total=Sum("amount"))["total"] or 0
    available = order.amount - order.refunded_amount - in_flight
    amount = available if amount is None else amount
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= available:
        raise ApplicationError(
            "invalid_refund_amount",
            f"Refund between 1 and {available} (minor units) of this order.",
            fields={"amount": [f"At most {available}."]},
        )
    sequence = order.refunds.count() + 1
    return Refund.objects.create(
        order=order, sequence=sequence, amount=amount, requested_by=by, reason=reason[:300]
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
            _apply_refund(locked, result)
    refund.refresh_from_db()
    return refund


def _apply_refund(order: Order, result: RefundState) -> None:
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
    _ledger(
        order,
        f"refund:{result.id}:seller",
        LedgerAccount.SELLER,
        "refund",
        -(result.amount - fee_back),
        result.id,
    )
    _ledger(
        order,
        f"refund:{result.id}:platform",
        LedgerAccount.PLATFORM,
        "commission_refund",
        -fee_back,
        result.id,
    )
    if fully:
        order.status = OrderStatus.REFUNDED
        _revoke(order, "refunded")
    order.save(update_fields=["refunded_amount", "status", "updated_at"])


def order_apply_charge(*, charge: ChargeState, session: SessionState | None) -> Order | None:
    """Apply refunds reported on a charge. The session first, if the order never heard it was paid."""
    if session is not None:
        order_apply_session(session=session)
    with transaction.atomic():
        order = (
            Order.objects.select_for_update().filter(charge_id=charge.id).first()
            or Order.objects.select_for_update().filter(payment_intent_id=charge.payment_intent_id).first()
        )
        if order is None or order.status not in (OrderStatus.PAID, OrderStatus.REFUNDED):
            logger.warning("payments: charge %s has no paid order", charge.id)
            return None
        for refund in charge.refunds:
            if refund.status == "succeeded":
                _apply_refund(order, refund)
        return order


# --- disputes -----------------------------------------------------------------------------------------

DISPUTE_OPEN = {"warning_needs_response", "warning_under_review", "needs_response", "under_review"}


def order_apply_dispute(*, dispute: DisputeState) -> Order | None:
    """A dispute suspends the buyer's access and holds the seller's payout; its outcome settles both."""
    with transaction.atomic():
        order = (
            Order.objects.select_for_update().filter(charge_id=dispute.charge_id).first()
            or Order.objects.select_for_update().filter(payment_intent_id=dispute.payment_intent_id).first()
        )
        if order is None:
            logger.warning("payments: dispute %s has no order", dispute.id)
            return None
        if dispute.status in DISPUTE_OPEN:
            order.disputed, order.payout_held = True, True
            _revoke(order, "disputed")
        elif dispute.status in ("won", "warning_closed"):
            order.disputed, order.payout_held = False, False
            owns_again = Unlock.objects.filter(
                buyer_id=order.buyer_id, listing=order.listing, revoked_at__isnull=True
            ).exists()  # bought again while access was suspended: keep the newer unlock
            if order.status == OrderStatus.PAID and order.refunded_amount < order.amount and not owns_again:
                Unlock.objects.filter(order=order, revoke_reason="disputed").update(
                    revoked_at=None, revoke_reason=""
                )
        elif dispute.status == "lost":
            order.disputed, order.payout_held = True, False
            remaining = order.amount - order.refunded_amount
            fee_back = order.platform_fee - prorate(order.refunded_amount, order.amount, order.platform_fee)
            _ledger(
                order,
                f"dispute:{dispute.id}:seller",
                LedgerAccount.SELLER,
                "dispute_lost",
                -(remaining - fee_back),
                dispute.id,
            )
            _ledger(
                order,
                f"dispute:{dispute.id}:platform",
                LedgerAccount.PLATFORM,
                "dispute_commission",
                -fee_back,
                dispute.id,
            )
            _revoke(order, "dispute_lost")
        order.save()
        return order


# --- sellers' payout accounts ---------------------------------------------------------------------------


def seller_onboarding_link(*, user: User) -> str:
    """Create the seller's Connect account if needed and return where to finish onboarding."""
    account = ConnectedAccount.objects.filter(user=user).first()
    if account is None:
        state = gateway().create_account(email=user.email, user_id=user.pk)
        account, _ = ConnectedAccount.objects.get_or_create(
            user=user, defaults={"provider": gateway().name, "account_id": state.id}
        )
    base = settings.SITE_URL
    url = gateway().account_link(
        account_id=account.account_id,
        refresh_url=f"{base}/payments/onboarding/refresh/",
        return_url=f"{base}/payments/onboarding/done/",
    )
    seller_account_sync(account_id=account.account_id)
    return url


def seller_account_sync(*, account_id: str, state: AccountState | None = None) -> ConnectedAccount | None:
    state = state or gateway().retrieve_account(account_id)
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().filter(account_id=account_id).first()
        if account is None:
            return None
        account.charges_enabled = state.charges_enabled
        account.payouts_enabled = state.payouts_enabled
        account.details_submitted = state.details_submitted
        account.save()
        User.objects.filter(pk=account.user_id).update(can_accept_payments=state.charges_enabled)
        return account
