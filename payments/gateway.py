"""What payments need from a payment provider, in our own types.

Two providers implement it: payments.stripe_client (Stripe, the only module that imports
``stripe``) and payments.sandbox (the embedded default: no money moves). Services never see
provider objects, only these dataclasses. Alipay and WeChat Pay are payment methods inside a
Stripe Checkout Session, not providers of their own: what is done to the session (expiring it)
is done to them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# Which payment methods Stripe accepts for each charge currency.
ALIPAY_CURRENCIES = frozenset({"AUD", "CAD", "EUR", "GBP", "HKD", "JPY", "NZD", "SGD", "USD", "MYR"})
WECHAT_PAY_CURRENCIES = frozenset(
    {"CNY", "USD", "EUR", "HKD", "JPY", "SGD", "GBP", "AUD", "CAD", "CHF", "DKK", "NOK", "SEK"}
)


def payment_methods_for(currency: str) -> list[str]:
    """Cards everywhere; Alipay and WeChat Pay where Stripe supports them for the currency."""
    methods = ["card"]
    if currency.upper() in ALIPAY_CURRENCIES:
        methods.append("alipay")
    if currency.upper() in WECHAT_PAY_CURRENCIES:
        methods.append("wechat_pay")
    return methods


class ProviderError(Exception):
    """The provider failed; ``transient`` says whether retrying later may succeed."""

    def __init__(self, message: str, *, transient: bool, code: str = "") -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class SignatureError(Exception):
    pass


class MalformedEvent(Exception):
    """A correctly signed webhook body that is not a usable event; ``event_id`` is "" if unknown."""

    def __init__(self, reason: str, event_id: str) -> None:
        super().__init__(reason)
        self.event_id = event_id


@dataclass(frozen=True)
class CheckoutLine:
    """One line item of a checkout with several (a bundle: one per listing)."""

    title: str
    amount: int
    description: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    order_id: str
    title: str
    amount: int
    currency: str
    platform_fee: int
    destination_account: str
    payment_methods: list[str]
    success_url: str
    cancel_url: str
    idempotency_key: str
    # Set: a separate charge on the platform, paid to the seller later by a transfer in this group
    # (tutoring, after the session). Empty: a destination charge with the fee (listings).
    transfer_group: str = ""
    # The line item's description: the licence and the discount code, when there are any.
    description: str = ""
    # Several line items adding up to ``amount`` (a bundle); empty: one line, ``title``.
    lines: tuple[CheckoutLine, ...] = ()


@dataclass(frozen=True)
class CheckoutCreated:
    session_id: str
    url: str


@dataclass(frozen=True)
class SessionState:
    id: str
    order_id: str  # ours, from client_reference_id / metadata
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    payment_intent_id: str | None = None
    charge_id: str | None = None
    amount_total: int | None = None
    currency: str | None = None


@dataclass(frozen=True)
class RefundState:
    id: str
    amount: int
    status: str  # pending | succeeded | failed | canceled
    key: str = ""  # our refund:<order>:<n>, echoed back in the refund's metadata


@dataclass(frozen=True)
class ChargeState:
    id: str
    payment_intent_id: str | None
    amount: int
    amount_refunded: int
    currency: str
    refunds: list[RefundState] = field(default_factory=list)
    # A destination charge's transfer to the seller's account (what a lost dispute reverses).
    transfer_id: str | None = None


@dataclass(frozen=True)
class DisputeState:
    id: str
    charge_id: str
    payment_intent_id: str | None
    status: str  # warning_needs_response, needs_response, under_review, won, lost, ...
    amount: int


@dataclass(frozen=True)
class TransferState:
    id: str
    amount: int
    currency: str
    destination: str
    transfer_group: str = ""


@dataclass(frozen=True)
class TransferReversalState:
    id: str
    amount: int
    transfer_id: str


@dataclass(frozen=True)
class AccountState:
    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object_id: str
    object: dict[str, Any]
    created: int


class Gateway(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> CheckoutCreated: ...
    def session_from_event(self, data: dict[str, Any]) -> SessionState: ...
    def retrieve_session(self, session_id: str) -> SessionState: ...
    # Close an open session so that it can no longer be paid; one already complete or expired is
    # answered as it is now. ProviderError for anything else.
    def expire_session(self, session_id: str) -> SessionState: ...
    def session_for_payment_intent(self, payment_intent_id: str) -> SessionState | None: ...
    def recent_sessions(self, created_since: int) -> list[SessionState]: ...
    def retrieve_charge(self, charge_id: str) -> ChargeState: ...
    def retrieve_dispute(self, dispute_id: str) -> DisputeState: ...
    def create_refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, reverse_transfer: bool = True
    ) -> RefundState: ...
    def create_transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        source_transaction: str,
        transfer_group: str,
        idempotency_key: str,
    ) -> TransferState: ...
    def create_transfer_reversal(
        self, *, transfer_id: str, amount: int, idempotency_key: str
    ) -> TransferReversalState: ...
    def create_account(self, *, email: str, user_id: int) -> AccountState: ...
    def account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str: ...
    def retrieve_account(self, account_id: str) -> AccountState: ...
    def parse_event(self, payload: bytes, signature: str) -> Event: ...
    def recent_events(self, created_after: int, types: list[str]) -> list[Event]: ...
