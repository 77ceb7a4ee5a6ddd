"""The sandbox payment provider: the embedded default. No money moves.

It keeps what Stripe would keep (a session per order, refunds) in SandboxSession rows and
serves it through the same Gateway interface, so the rest of payments runs unchanged: the
sandbox checkout page's Pay and Cancel buttons drive the same fulfilment function as a real
webhook. It refuses to run with DEBUG off (see settings).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from payments.gateway import (
    AccountState,
    ChargeState,
    CheckoutCreated,
    CheckoutRequest,
    DisputeState,
    Event,
    ProviderError,
    RefundState,
    SessionState,
    SignatureError,
    TransferReversalState,
    TransferState,
)
from payments.models import Order, SandboxSession


def _origin(url: str) -> str:
    """The scheme and host the buyer returns to: the sandbox's checkout page sits beside it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else settings.SITE_URL


def _token(prefix: str) -> str:
    return f"{prefix}_sandbox_{secrets.token_hex(12)}"


def _state(session: SandboxSession) -> SessionState:
    return SessionState(
        id=session.session_id,
        order_id=session.order.public_id,
        status=session.status,
        payment_status=session.payment_status,
        payment_intent_id=session.payment_intent_id or None,
        charge_id=session.charge_id or None,
        amount_total=session.order.amount,
        currency=session.order.currency,
    )


class SandboxGateway:
    name = "sandbox"

    def create_checkout(self, request: CheckoutRequest) -> CheckoutCreated:
        order = Order.objects.get(public_id=request.order_id)
        session, _ = SandboxSession.objects.get_or_create(order=order, defaults={"session_id": _token("cs")})
        return CheckoutCreated(
            session_id=session.session_id,
            url=f"{_origin(request.success_url)}/payments/sandbox/checkout/{session.session_id}/",
        )

    def _get(self, **lookup: object) -> SandboxSession:
        session = SandboxSession.objects.select_related("order").filter(**lookup).first()
        if session is None:
            raise ProviderError("No such sandbox object.", transient=False, code="resource_missing")
        return session

    def session_from_event(self, data: dict[str, object]) -> SessionState:
        return self.retrieve_session(str(data["id"]))

    def retrieve_session(self, session_id: str) -> SessionState:
        return _state(self._get(session_id=session_id))

    def expire_session(self, session_id: str) -> SessionState:
        self._get(session_id=session_id)  # an unknown one is resource_missing, as at Stripe
        return self.cancel(session_id)  # the page's Cancel: open becomes expired, nothing else changes

    def session_for_payment_intent(self, payment_intent_id: str) -> SessionState | None:
        session = (
            SandboxSession.objects.select_related("order").filter(payment_intent_id=payment_intent_id).first()
        )
        return _state(session) if session else None

    def recent_sessions(self, created_since: int) -> list[SessionState]:
        since = datetime.fromtimestamp(created_since, tz=UTC)
        return [
            _state(s) for s in SandboxSession.objects.select_related("order").filter(created_at__gte=since)
        ]

    def retrieve_charge(self, charge_id: str) -> ChargeState:
        session = self._get(charge_id=charge_id)
        return ChargeState(
            id=charge_id,
            payment_intent_id=session.payment_intent_id,
            amount=session.order.amount,
            amount_refunded=session.amount_refunded,
            currency=session.order.currency,
            refunds=[
                RefundState(id=r["id"], amount=r["amount"], status=r["status"], key=r.get("key", ""))
                for r in session.refunds
            ],
        )

    def retrieve_dispute(self, dispute_id: str) -> DisputeState:
        raise ProviderError("The sandbox has no disputes.", transient=False, code="resource_missing")

    def create_refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, reverse_transfer: bool = True
    ) -> RefundState:
        with transaction.atomic():
            session = (
                SandboxSession.objects.select_for_update()
                .select_related("order")
                .get(payment_intent_id=payment_intent_id)
            )
            for refund in session.refunds:  # same key, same answer, as Stripe does
                if refund.get("key") == idempotency_key:
                    return RefundState(
                        id=refund["id"], amount=refund["amount"], status=refund["status"], key=idempotency_key
                    )
            if session.amount_refunded + amount > session.order.amount:
                raise ProviderError("Refund exceeds the charge.", transient=False, code="amount_too_large")
            refund = {"id": _token("re"), "amount": amount, "status": "succeeded"}
            session.refunds.append({**refund, "key": idempotency_key})
            session.amount_refunded += amount
            session.save(update_fields=["refunds", "amount_refunded"])
        return RefundState(id=str(refund["id"]), amount=amount, status="succeeded", key=idempotency_key)

    def create_transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        source_transaction: str,
        transfer_group: str,
        idempotency_key: str,
    ) -> TransferState:
        session = self._get(charge_id=source_transaction)
        if currency.upper() != session.order.currency or amount > session.order.amount:
            raise ProviderError("Transfer exceeds its charge.", transient=False, code="amount_too_large")
        # No money moves; the id follows from the key, so a repeat answers the same, as Stripe does.
        transfer_id = "tr_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return TransferState(
            id=transfer_id,
            amount=amount,
            currency=currency.upper(),
            destination=destination,
            transfer_group=transfer_group,
        )

    def create_transfer_reversal(
        self, *, transfer_id: str, amount: int, idempotency_key: str
    ) -> TransferReversalState:
        # No money moves (and the sandbox has no disputes that would ask); a repeat answers the same.
        reversal_id = "trr_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return TransferReversalState(id=reversal_id, amount=amount, transfer_id=transfer_id)

    def create_account(self, *, email: str, user_id: int) -> AccountState:
        return AccountState(
            id=f"acct_sandbox_{user_id}", charges_enabled=True, payouts_enabled=True, details_submitted=True
        )

    def account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        return return_url  # onboarding in the sandbox is instant

    def retrieve_account(self, account_id: str) -> AccountState:
        return AccountState(id=account_id, charges_enabled=True, payouts_enabled=True, details_submitted=True)

    def parse_event(self, payload: bytes, signature: str) -> Event:
        raise SignatureError("The sandbox provider receives no webhooks.")

    def recent_events(self, created_after: int, types: list[str]) -> list[Event]:
        return []

    # --- what the sandbox checkout page's buttons do -------------------------------------------

    def pay(self, session_id: str) -> SessionState:
        with transaction.atomic():
            session = (
                SandboxSession.objects.select_for_update().select_related("order").get(session_id=session_id)
            )
            if session.status == "open":
                session.status, session.payment_status = "complete", "paid"
                session.payment_intent_id, session.charge_id = _token("pi"), _token("ch")
                session.save()
        return _state(session)

    def cancel(self, session_id: str) -> SessionState:
        with transaction.atomic():
            session = (
                SandboxSession.objects.select_for_update().select_related("order").get(session_id=session_id)
            )
            if session.status == "open":
                session.status = "expired"
                session.save(update_fields=["status"])
        return _state(session)
