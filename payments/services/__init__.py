"""Every write in payments: checkout, the one fulfilment function, refunds, disputes, Connect.

Provider calls happen outside database transactions; state changes happen inside one, under a
row lock on the order, and database constraints are the final guard against doubles.
"""

from __future__ import annotations

from payments.services.accounts import seller_account_sync, seller_onboarding_link
from payments.services.bookings import booking_cancel, booking_checkout_start, booking_place
from payments.services.checkout import CheckoutResult, checkout_start
from payments.services.disputes import order_apply_dispute
from payments.services.fulfilment import order_apply_charge, order_apply_session, unlock_grant
from payments.services.provider import _gateway_for, gateway
from payments.services.refunds import order_refund, refund_submit

__all__ = [
    "CheckoutResult",
    "_gateway_for",
    "booking_cancel",
    "booking_checkout_start",
    "booking_place",
    "checkout_start",
    "gateway",
    "order_apply_charge",
    "order_apply_dispute",
    "order_apply_session",
    "order_refund",
    "refund_submit",
    "seller_account_sync",
    "seller_onboarding_link",
    "unlock_grant",
]
