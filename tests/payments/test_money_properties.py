"""Properties of the money a real paid order moves: the split, partial refunds, and a full refund.

The pure fee split (fee + share == amount for any amount and rate) is a property of
marketplace.core.money and lives in tests/core/test_money.py; here it is checked on orders
created by a real checkout, together with what refunds write to the ledger.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from marketplace.accounts.models import User
from marketplace.core.money import prorate, split_fee
from payments import services
from payments.models import LedgerAccount, LedgerEntry, OrderStatus, Unlock
from payments.sandbox import SandboxGateway
from prompts.models import Listing
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

_buyers = itertools.count()


@pytest.fixture
def usd_listing(seller):
    return make_listing(seller, publish=True, price_amount=500, price_currency="USD")


def _paid_order(listing: Listing, amount: int):
    """A fresh buyer pays `amount` for the listing through the sandbox: checkout, Pay, fulfilment."""
    Listing.objects.filter(pk=listing.pk).update(price_amount=amount)
    listing.refresh_from_db()
    n = next(_buyers)
    buyer = User.objects.create(email=f"property-{n}@example.com", handle=f"property-{n}")
    order = services.checkout_start(buyer=buyer, listing=listing).order
    assert order is not None
    order.refresh_from_db()
    services.order_apply_session(session=SandboxGateway().pay(order.checkout_session_id))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def _sum(order, **filters) -> int:
    return sum(LedgerEntry.objects.filter(order=order, **filters).values_list("amount", flat=True))


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amount=st.integers(50, 1_000_000), basis_points=st.integers(0, 10_000), data=st.data())
def test_partial_refunds_take_back_exactly_what_was_refunded(
    usd_listing, seller, settings, amount, basis_points, data
):
    settings.PLATFORM_FEE_BPS = basis_points
    order = _paid_order(usd_listing, amount)
    fee, share = split_fee(amount, basis_points)
    assert (order.amount, order.platform_fee, order.seller_amount) == (amount, fee, share)
    assert _sum(order, kind="sale") + _sum(order, kind="commission") == amount

    parts: list[int] = []
    for _ in range(data.draw(st.integers(1, 4), label="number of partial refunds")):
        left = amount - sum(parts)
        if left == 0:
            break
        parts.append(data.draw(st.integers(1, left), label="refund"))
        services.order_refund(order=order, amount=parts[-1], by=seller)
        order.refresh_from_db()
        refunded = sum(parts)
        assert order.refunded_amount == refunded
        seller_back = _sum(order, account=LedgerAccount.SELLER, kind="refund")
        platform_back = _sum(order, account=LedgerAccount.PLATFORM, kind="commission_refund")
        assert seller_back + platform_back == -refunded
        expected_fee_back = fee if refunded == amount else prorate(refunded, amount, fee)
        assert platform_back == -expected_fee_back  # the commission comes back in proportion
        assert LedgerEntry.objects.filter(order=order, amount__gt=0).count() <= 2  # only sale, commission

    if sum(parts) < amount and data.draw(st.booleans(), label="refund the rest"):
        services.order_refund(order=order, amount=None, by=seller)
        parts.append(amount - sum(parts))
        order.refresh_from_db()

    refunded = sum(parts)
    assert order.refunded_amount == refunded
    assert _sum(order, kind__in=["refund", "commission_refund"]) == -refunded
    active = Unlock.objects.filter(order=order, revoked_at__isnull=True).exists()
    if refunded == amount:
        assert order.status == OrderStatus.REFUNDED and not active
        assert _sum(order) == 0
        assert _sum(order, account=LedgerAccount.SELLER) == 0
        assert _sum(order, account=LedgerAccount.PLATFORM) == 0
    else:
        assert order.status == OrderStatus.PAID and active
        assert _sum(order) == amount - refunded
