"""Retention deletes the audit trail past six months and pseudonymises transactions past three
years: only older rows, never a younger one, never a change to what the ledger sums to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from django.utils import timezone

from marketplace.accounts.models import SignInEvent, SignInFailure
from marketplace.privacy.retention import retention_apply
from marketplace.privacy.tasks import apply_retention
from marketplace.verification.models import VerificationEvent
from payments.models import LedgerEntry, Order, Refund
from prompts.models import Complaint, ListingEvent, ListingFlag
from tests.factories import UserFactory, make_listing

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(days: int, hours: int = 0) -> object:
    return NOW - timedelta(days=days, hours=hours)


def make_order(listing, buyer, *, created_at, n: int) -> Order:  # type: ignore[no-untyped-def]
    order = Order.objects.create(
        buyer=buyer,
        listing=listing,
        seller=listing.seller,
        amount=1000,
        currency="CNY",
        platform_fee=200,
        seller_amount=800,
        status="paid",
        provider="sandbox",
        idempotency_key=f"key-{n}",
        checkout_url=f"https://pay.example/{n}",
        failure_reason="card of Zhang San declined",
        created_at=created_at,
    )
    LedgerEntry.objects.create(
        key=f"sale:{n}:s",
        order=order,
        account="seller",
        kind="sale",
        amount=800,
        currency="CNY",
        created_at=created_at,
    )
    LedgerEntry.objects.create(
        key=f"sale:{n}:p",
        order=order,
        account="platform",
        kind="fee",
        amount=200,
        currency="CNY",
        created_at=created_at,
    )
    Refund.objects.create(
        order=order,
        sequence=1,
        amount=300,
        reason="buyer Zhang San asked",
        request_key=f"r-{n}",
        requested_by=buyer,
        status="succeeded",
        created_at=created_at,
    )
    LedgerEntry.objects.create(
        key=f"refund:{n}",
        order=order,
        account="seller",
        kind="refund",
        amount=-240,
        currency="CNY",
        created_at=created_at,
    )
    return order


def ledger_sums() -> dict[int, int]:
    return dict(
        LedgerEntry.objects.values("order").annotate(total=Sum("amount")).values_list("order", "total")
    )


@pytest.fixture
def rows():  # type: ignore[no-untyped-def]
    seller, buyer = UserFactory(), UserFactory()
    listing = make_listing(seller)
    made = {}
    # One day either side of each boundary: 180 days for the audit trail, 1095 for transactions.
    for name, age in {"old": 181, "young": 179}.items():
        made[f"event_{name}"] = ListingEvent.objects.create(
            listing=listing, action="x", created_at=days_ago(age)
        )
        made[f"flag_{name}"] = ListingFlag.objects.create(
            listing=listing, reason=f"r-{name}", status="dismissed", resolved_at=days_ago(age)
        )
        made[f"complaint_{name}"] = Complaint.objects.create(
            listing=listing,
            reason="other",
            status="dismissed",
            contact_email="a@example.com",
            resolved_at=days_ago(age),
        )
        made[f"failure_{name}"] = SignInFailure.objects.create(
            account="a" * 64, address="1.2.3.4", at=days_ago(age)
        )
        made[f"sign_in_{name}"] = SignInEvent.objects.create(
            user=buyer, kind="sign_in", door="website", address="1.2.3.4", at=days_ago(age)
        )
        made[f"verification_{name}"] = VerificationEvent.objects.create(
            user=seller, action="verified", at=days_ago(age)
        )
        made[f"admin_log_{name}"] = LogEntry.objects.create(
            user=seller, action_flag=CHANGE, object_repr="x", action_time=days_ago(age)
        )
    made["flag_open"] = ListingFlag.objects.create(listing=listing, reason="open", created_at=days_ago(400))
    made["order_old"] = make_order(listing, buyer, created_at=days_ago(1096), n=1)
    made["order_young"] = make_order(listing, buyer, created_at=days_ago(1094), n=2)
    return made


def exists(row) -> bool:  # type: ignore[no-untyped-def]
    return type(row).objects.filter(pk=row.pk).exists()


def test_audit_rows_past_six_months_go_and_younger_ones_stay(rows) -> None:  # type: ignore[no-untyped-def]
    retention_apply(now=NOW)
    for kind in ("event", "flag", "complaint", "failure", "sign_in", "verification", "admin_log"):
        assert not exists(rows[f"{kind}_old"]), kind
        assert exists(rows[f"{kind}_young"]), kind
    assert exists(rows["flag_open"])  # an open flag is unfinished work, whatever its age


def test_old_transactions_are_pseudonymised_not_deleted_and_young_ones_untouched(rows) -> None:  # type: ignore[no-untyped-def]
    sums_before = ledger_sums()
    young_before = Order.objects.values().get(pk=rows["order_young"].pk)
    retention_apply(now=NOW)

    old = Order.objects.get(pk=rows["order_old"].pk)
    assert (old.checkout_url, old.idempotency_key, old.failure_reason) == ("", "", "")
    assert (old.amount, old.seller_amount, old.currency, old.buyer_id) == (
        1000,
        800,
        "CNY",
        rows["order_old"].buyer_id,
    )
    refund = old.refunds.get()
    assert (refund.reason, refund.request_key, refund.requested_by_id, refund.amount) == ("", "", None, 300)
    assert Order.objects.values().get(pk=rows["order_young"].pk) == young_before
    assert rows["order_young"].refunds.get().reason == "buyer Zhang San asked"
    assert ledger_sums() == sums_before
    assert LedgerEntry.objects.count() == 6


def test_a_rerun_changes_nothing(rows, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    first = apply_retention()
    assert first["listing_events"] == 1 and first["orders"] == 1
    snapshot = list(Order.objects.values()), list(Refund.objects.values()), list(LedgerEntry.objects.values())
    assert set(apply_retention().values()) == {0}
    assert (
        list(Order.objects.values()),
        list(Refund.objects.values()),
        list(LedgerEntry.objects.values()),
    ) == snapshot


def test_batches_cover_every_old_row(rows, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RETENTION_BATCH_SIZE = 1
    listing = rows["event_old"].listing
    for _ in range(3):
        ListingEvent.objects.create(listing=listing, action="y", created_at=days_ago(200))
    assert retention_apply(now=NOW)["listing_events"] == 4
    assert ListingEvent.objects.filter(created_at__lt=days_ago(180)).count() == 0


@pytest.mark.parametrize(
    ("name", "value"), [("RETENTION_AUDIT_DAYS", "179"), ("RETENTION_TRANSACTIONS_DAYS", "1094")]
)
def test_periods_shorter_than_the_law_are_refused(monkeypatch, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    import importlib

    import marketplace.settings.compliance as compliance

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        importlib.reload(compliance)
    monkeypatch.delenv(name)
    importlib.reload(compliance)
