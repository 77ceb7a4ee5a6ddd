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


# 6. A free unlock that loses a race


def test_a_free_unlock_that_grants_nothing_keeps_the_codes_use(seller, listing, buyer, monkeypatch):
    from marketplace.core.errors import Conflict

    DiscountCode.objects.create(seller=seller, code="FREE", kind="percent", percent=100)
    real_grant = checkout_service.unlock_grant

    def losing_grant(**kwargs):  # type: ignore[no-untyped-def]
        real_grant(**kwargs)  # a concurrent request's grant lands between the quote and ours
        return real_grant(**kwargs)

    monkeypatch.setattr(checkout_service, "unlock_grant", losing_grant)
    with pytest.raises(Conflict) as refused:
        checkout_service.checkout_start(buyer=buyer, listing=listing, code="FREE")
    assert refused.value.code == "already_unlocked"
    assert DiscountCode.objects.get().uses == 0
    assert not Unlock.objects.filter(buyer=buyer).exists()  # rolled back with it: nothing half-done


# 9. The verification signal


def test_saving_a_verification_refreshes_payments_only_when_status_or_country_changed(seller, monkeypatch):
    from marketplace.verification.models import Verification

    calls = []
    monkeypatch.setattr(rails, "seller_payments_refresh", lambda *, user: calls.append(user.pk))
    verification = Verification.objects.create(user=seller, provider="test")
    assert calls == [seller.pk]
    verification.failure_reason = "blurred"
    verification.save()
    Verification.objects.get(pk=verification.pk).save()
    assert calls == [seller.pk]
    verification.country = "CN"
    verification.save()
    assert calls == [seller.pk, seller.pk]
    loaded = Verification.objects.get(pk=verification.pk)
    loaded.status = "failed"
    loaded.save(update_fields=["status"])
    assert calls == [seller.pk] * 3
