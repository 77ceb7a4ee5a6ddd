"""Every call to Stripe. The only module that imports ``stripe``.

One function per call, the API version pinned, idempotency keys derived from our rows, and
Stripe's errors mapped to ProviderError (transient or not) so services never see ``stripe``.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings

from marketplace.core.parsers import load_json
from payments.gateway import (
    AccountState,
    ChargeState,
    CheckoutCreated,
    CheckoutLine,
    CheckoutRequest,
    DisputeState,
    Event,
    MalformedEvent,
    ProviderError,
    RefundState,
    SessionState,
    SignatureError,
    TransferReversalState,
    TransferState,
)
from payments.stripe_events import event_from_webhook

API_VERSION = "2026-10-28.endive"
_TRANSIENT = (stripe.APIConnectionError, stripe.RateLimitError)


def _plain(obj: Any) -> dict[str, Any]:
    # stripe 16 objects are not dicts; to_dict() gives plain nested data.
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _id(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.get("id")


def _mapped(exc: stripe.StripeError) -> ProviderError:
    transient = isinstance(exc, _TRANSIENT) or (getattr(exc, "http_status", None) or 0) >= 500
    code = getattr(exc, "code", None) or type(exc).__name__
    # Keep Stripe's own message out: it can echo request parameters back.
    return ProviderError(f"Stripe request failed ({code}).", transient=transient, code=str(code))


def _intent_data(request: CheckoutRequest) -> dict[str, Any]:
    if request.transfer_group:
        # Separate charge and transfer: the platform charges now; create_transfer pays the seller
        # later, from this charge (source_transaction), in the same transfer group.
        return {"transfer_group": request.transfer_group, "metadata": {"order_id": request.order_id}}
    if not request.destination_account:
        # Charged on the platform (the manual payout rail): the seller's share accrues in our ledger.
        return {"metadata": {"order_id": request.order_id}}
    return {  # destination charge: the seller is paid at once, less our application fee
        "application_fee_amount": request.platform_fee,
        "transfer_data": {"destination": request.destination_account},
        "on_behalf_of": request.destination_account,
        "metadata": {"order_id": request.order_id},
    }


def _line_items(request: CheckoutRequest) -> list[dict[str, Any]]:
    lines = request.lines or (CheckoutLine(title=request.title, amount=request.amount),)
    items = []
    for line in lines:
        product: dict[str, Any] = {"name": line.title[:250]}
        if line.description:
            product["description"] = line.description[:500]
        items.append(
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.currency.lower(),
                    "unit_amount": line.amount,
                    "product_data": product,
                },
            }
        )
    return items


class StripeGateway:
    name = "stripe"

    def __init__(self, http_client: Any = None) -> None:
        base = settings.STRIPE_API_BASE or None
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            stripe_version=API_VERSION,
            base_addresses={"api": base, "connect": base} if base else None,
            http_client=http_client,
            max_network_retries=2,
        )

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return _plain(method(*args, **kwargs))
        except stripe.StripeError as exc:
            raise _mapped(exc) from None

    def create_checkout(self, request: CheckoutRequest) -> CheckoutCreated:
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": request.order_id,
            "metadata": {"order_id": request.order_id},
            "line_items": _line_items(request),
            "payment_method_types": request.payment_methods,
            "payment_intent_data": _intent_data(request),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        if request.description and not request.lines:
            params["line_items"][0]["price_data"]["product_data"]["description"] = request.description[:500]
        if "wechat_pay" in request.payment_methods:
            params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
        session = self._call(
            self.client.v1.checkout.sessions.create, params, {"idempotency_key": request.idempotency_key}
        )
        return CheckoutCreated(session_id=session["id"], url=session["url"])

    def _session(self, data: dict[str, Any]) -> SessionState:
        intent = data.get("payment_intent")
        charge = intent.get("latest_charge") if isinstance(intent, dict) else None
        return SessionState(
            id=data["id"],
            order_id=data.get("client_reference_id") or (data.get("metadata") or {}).get("order_id", ""),
            status=data.get("status") or "open",
            payment_status=data.get("payment_status") or "unpaid",
            payment_intent_id=_id(intent),
            charge_id=_id(charge),
            amount_total=data.get("amount_total"),
            currency=(data.get("currency") or "").upper() or None,
        )

    def session_from_event(self, data: dict[str, Any]) -> SessionState:
        return self._session(data)

    def retrieve_session(self, session_id: str) -> SessionState:
        data = self._call(
            self.client.v1.checkout.sessions.retrieve,
            session_id,
            {"expand": ["payment_intent.latest_charge"]},
        )
        return self._session(data)

    def expire_session(self, session_id: str) -> SessionState:
        # No idempotency key of ours: expiring twice changes nothing, and Stripe would answer a
        # key's first failure (a 500) again to every retry that reused it.
        try:
            return self._session(self._call(self.client.v1.checkout.sessions.expire, session_id))
        except ProviderError as exc:
            if exc.transient:
                raise
            # Stripe refuses to expire a session that is no longer open (paid, or expired
            # already) with a 400 that has no code of its own: ask how the session stands.
            session = self.retrieve_session(session_id)
            if session.status == "open":
                raise
            return session

    def session_for_payment_intent(self, payment_intent_id: str) -> SessionState | None:
        page = self._call(
            self.client.v1.checkout.sessions.list, {"payment_intent": payment_intent_id, "limit": 1}
        )
        if not page.get("data"):
            return None
        return self.retrieve_session(page["data"][0]["id"])

    def recent_sessions(self, created_since: int) -> list[SessionState]:
        sessions = []
        params: dict[str, Any] = {"created": {"gte": created_since}, "limit": 100}
        while True:
            page = self._call(self.client.v1.checkout.sessions.list, params)
            sessions += [self._session(item) for item in page.get("data", [])]
            if not page.get("has_more") or not page.get("data"):
                return sessions
            params["starting_after"] = page["data"][-1]["id"]

    def retrieve_charge(self, charge_id: str) -> ChargeState:
        data = self._call(self.client.v1.charges.retrieve, charge_id, {"expand": ["refunds"]})
        refunds = (data.get("refunds") or {}).get("data", [])
        return ChargeState(
            id=data["id"],
            payment_intent_id=_id(data.get("payment_intent")),
            amount=data["amount"],
            amount_refunded=data.get("amount_refunded", 0),
            currency=data["currency"].upper(),
            refunds=[
                RefundState(
                    id=r["id"],
                    amount=r["amount"],
                    status=r["status"],
                    key=(r.get("metadata") or {}).get("refund_key", ""),
                )
                for r in refunds
            ],
            transfer_id=_id(data.get("transfer")),
        )

    def retrieve_dispute(self, dispute_id: str) -> DisputeState:
        data = self._call(self.client.v1.disputes.retrieve, dispute_id)
        return DisputeState(
            id=data["id"],
            charge_id=_id(data.get("charge")) or "",
            payment_intent_id=_id(data.get("payment_intent")),
            status=data["status"],
            amount=data["amount"],
        )

    def create_refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, reverse_transfer: bool = True
    ) -> RefundState:
        params: dict[str, Any] = {
            "payment_intent": payment_intent_id,
            "amount": amount,
            "metadata": {"refund_key": idempotency_key},
        }
        if reverse_transfer:
            # Destination charges: take the seller's share back and return our fee in proportion.
            # A separate charge (tutoring) has neither transfer nor fee on it to reverse.
            params.update(reverse_transfer=True, refund_application_fee=True)
        data = self._call(self.client.v1.refunds.create, params, {"idempotency_key": idempotency_key})
        return RefundState(id=data["id"], amount=data["amount"], status=data["status"], key=idempotency_key)

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
        data = self._call(
            self.client.v1.transfers.create,
            {
                "amount": amount,
                "currency": currency.lower(),
                "destination": destination,
                # Funded by this charge: the transfer waits for its funds instead of failing on
                # an empty available balance, and cannot outgrow the charge.
                "source_transaction": source_transaction,
                "transfer_group": transfer_group,
                "metadata": {"payout_key": idempotency_key},
            },
            {"idempotency_key": idempotency_key},
        )
        return TransferState(
            id=data["id"],
            amount=data["amount"],
            currency=data["currency"].upper(),
            destination=_id(data.get("destination")) or destination,
            transfer_group=data.get("transfer_group") or "",
        )

    def create_transfer_reversal(
        self, *, transfer_id: str, amount: int, idempotency_key: str
    ) -> TransferReversalState:
        # Takes back from the seller's account what a lost dispute took from ours. The platform
        # fee is already settled in the amount (the seller's share only), so none is refunded.
        data = self._call(
            self.client.v1.transfers.reversals.create,
            transfer_id,
            {"amount": amount, "metadata": {"reversal_key": idempotency_key}},
            {"idempotency_key": idempotency_key},
        )
        return TransferReversalState(
            id=data["id"], amount=data["amount"], transfer_id=_id(data.get("transfer")) or transfer_id
        )

    def _account(self, data: dict[str, Any]) -> AccountState:
        return AccountState(
            id=data["id"],
            charges_enabled=bool(data.get("charges_enabled")),
            payouts_enabled=bool(data.get("payouts_enabled")),
            details_submitted=bool(data.get("details_submitted")),
        )

    def create_account(self, *, email: str, user_id: int) -> AccountState:
        data = self._call(
            self.client.v1.accounts.create,
            {
                "type": "express",
                "email": email,
                "metadata": {"user_id": str(user_id)},
                "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            },
            {"idempotency_key": f"account:{user_id}"},
        )
        return self._account(data)

    def account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        data = self._call(
            self.client.v1.account_links.create,
            {
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            },
        )
        return str(data["url"])

    def retrieve_account(self, account_id: str) -> AccountState:
        return self._account(self._call(self.client.v1.accounts.retrieve, account_id))

    def parse_event(self, payload: bytes, signature: str) -> Event:
        # The library's own check on the raw body (HMAC-SHA256 over "{t}.{body}", 300 s), then
        # plain JSON: Webhook.construct_event would build StripeObjects only for _plain() to turn
        # them back into dicts, 0.5 ms per event, more than the rest of the webhook's Python.
        # A body that is signed but unusable is MalformedEvent, never an exception that would be a 5xx.
        try:
            body = payload.decode("utf-8")
            stripe.WebhookSignature.verify_header(
                body, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=300
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:  # UnicodeDecodeError
            raise SignatureError(str(exc)) from None
        try:
            data = load_json(payload)
        except ValueError as exc:
            raise MalformedEvent(f"not JSON: {exc}", "") from None
        return event_from_webhook(data)

    def _event(self, data: dict[str, Any]) -> Event:
        obj = data["data"]["object"]
        return Event(
            id=data["id"],
            type=data["type"],
            object_id=obj.get("id", ""),
            object=obj,
            created=data.get("created", 0),
        )

    def recent_events(self, created_after: int, types: list[str]) -> list[Event]:
        """Events created after `created_after` (Unix seconds), newest first, every page."""
        events: list[Event] = []
        params: dict[str, Any] = {"created": {"gt": created_after}, "types": types, "limit": 100}
        while True:
            page = self._call(self.client.v1.events.list, params)
            events += [self._event(item) for item in page.get("data", [])]
            if not page.get("has_more") or not page.get("data"):
                return events
            params["starting_after"] = page["data"][-1]["id"]

    def create_identity_session(
        self, *, user_id: int, return_url: str, idempotency_key: str
    ) -> tuple[str, str]:
        """A Stripe Identity VerificationSession (a document and a matching selfie): its id and url."""
        data = self._call(
            self.client.v1.identity.verification_sessions.create,
            {
                "type": "document",
                "metadata": {"user_id": str(user_id)},
                "options": {"document": {"require_matching_selfie": True}},
                "return_url": return_url,
            },
            {"idempotency_key": idempotency_key},
        )
        return str(data["id"]), str(data["url"])
