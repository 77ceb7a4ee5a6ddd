"""Fixes from the review of the manual rail, codes, licences and bundles: each test here failed
before its fix (a second checkout on new terms, the payout form, manual statements of sessions and
bundles, deleting an account with a small balance, a free unlock losing a race, a bad minimum)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from marketplace.core.errors import ApplicationError
from payments.models import (
    ConnectedAccount,
    DiscountCode,
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderStatus,
    PayoutStatement,
    Unlock,
)
from payments.services import checkout as checkout_service
from payments.services import rails, statements
from payments.tasks import close_payout_statements
from prompts.models import Bundle
from tests.factories import PASSWORD, UserFactory, make_listing
from tests.payments.helpers import deliver
from tests.tutoring.helpers import book, make_offer

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # statements close on Mondays (weekly)


def week(n: int, *, hours: int = 0) -> datetime:
    """Wednesday noon of week n, or `hours` after the Monday midnight that starts it."""
    if hours:
        return WEDNESDAY + timedelta(days=7 * (n - 1) - 2, hours=hours - 12)
    return WEDNESDAY + timedelta(days=7 * (n - 1))


@pytest.fixture
def manual_rail(settings):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    settings.MANUAL_PAYOUT_SCHEDULE = "weekly"
    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 1000}
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()


def _complete(stripe_fake, order_id: str) -> Order:
    assert deliver(stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])).status_code == 200
    return Order.objects.get(public_id=order_id)


def _close_at(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return close_payout_statements()


def _bundle(api, listings) -> Bundle:
    body = {"title": "Three moods", "discount_percent": 20, "listings": [x.public_id for x in listings]}
    created = api.post("/api/v1/seller/bundles/", body, format="json")
    assert created.status_code == 201, created.json()
    assert api.post(f"/api/v1/seller/bundles/{created.json()['id']}/publish/").status_code == 200
    return Bundle.objects.get(public_id=created.json()["id"])


# 2. The payout form


def test_rejected_details_leave_the_rail_and_payments_as_they_were(settings, seller, seller_api):
    settings.PAYOUT_RAIL_DEFAULT = "country"
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()
    seller.refresh_from_db()
    assert rails.payout_rail_for(user=seller) == "connect" and seller.can_accept_payments
    body = {"rail": "manual", "method": "bank", "holder_name": "张三", "account": "12ab", "bank_name": "x"}
    refused = seller_api.put("/api/v1/seller/payout-details/", body, format="json")
    assert refused.status_code == 400, refused.json()
    assert "account" in refused.json()["error"]["fields"]
    seller.refresh_from_db()
    assert rails.payout_rail_for(user=seller) == "connect"
    assert seller.can_accept_payments
    with pytest.raises(ApplicationError):
        rails.payout_setup_save(user=seller, rail="manual", details=True, method="bank", account="1")
    assert rails.payout_rail_for(user=seller) == "connect"
