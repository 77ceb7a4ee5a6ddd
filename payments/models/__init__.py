"""Orders, unlocks, refunds, disputes, the ledger, and processed provider events.

Invariants live in database constraints, the last guard when code is wrong or races:
one active unlock per buyer and listing, one pending order per buyer and listing, fee plus
seller share equals the amount, refunds never exceed the charge, unique provider ids,
unique ledger keys (a money movement is recorded once), unique event ids.
"""

from __future__ import annotations

from payments.models.ledger import LedgerAccount, LedgerEntry
from payments.models.manual import (
    PayoutBatch,
    PayoutMethod,
    PayoutProfile,
    PayoutRail,
    PayoutStatement,
    StatementStatus,
)
from payments.models.orders import Order, OrderLine, OrderStatus, Refund, RefundStatus, Unlock, UnlockQuerySet
from payments.models.payouts import ConnectedAccount, Payout, PayoutStatus, ReversalStatus, TransferReversal
from payments.models.pricing import (
    LICENCE_RANK,
    CodeKind,
    CodeScope,
    DiscountCode,
    DiscountCodeBuyer,
    Licence,
    ListingLicence,
)
from payments.models.provider import ReconcileCursor, SandboxSession, WebhookEvent

__all__ = [
    "LICENCE_RANK",
    "CodeKind",
    "CodeScope",
    "ConnectedAccount",
    "DiscountCode",
    "DiscountCodeBuyer",
    "LedgerAccount",
    "LedgerEntry",
    "Licence",
    "ListingLicence",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Payout",
    "PayoutBatch",
    "PayoutMethod",
    "PayoutProfile",
    "PayoutRail",
    "PayoutStatement",
    "PayoutStatus",
    "ReconcileCursor",
    "Refund",
    "RefundStatus",
    "ReversalStatus",
    "SandboxSession",
    "StatementStatus",
    "TransferReversal",
    "Unlock",
    "UnlockQuerySet",
    "WebhookEvent",
]
