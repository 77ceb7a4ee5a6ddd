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


# 1. A second checkout on other terms


def test_a_second_checkout_with_a_code_replaces_the_open_order_at_the_new_price(
    stripe_fake, seller, listing, buyer_api
):
    DiscountCode.objects.create(seller=seller, code="HALF", kind="percent", percent=50)
    url = f"/api/v1/listings/{listing.public_id}/checkout/"
    first = buyer_api.post(url, {}, format="json")
    assert first.status_code == 201
    again = buyer_api.post(url, {}, format="json")  # same terms: the same order, as before
    assert again.json()["order_id"] == first.json()["order_id"]

    with_code = buyer_api.post(url, {"code": "half"}, format="json")
    assert with_code.status_code == 201, with_code.json()
    assert with_code.json()["order_id"] != first.json()["order_id"]
    new = Order.objects.get(public_id=with_code.json()["order_id"])
    assert (new.amount, new.status, new.discount_code.code) == (995, OrderStatus.PENDING, "HALF")
    old = Order.objects.get(public_id=first.json()["order_id"])
    assert old.status == OrderStatus.EXPIRED
    assert DiscountCode.objects.get().uses == 1
    sessions = stripe_fake.posts("/v1/checkout/sessions")
    assert sessions[-1]["params"]["line_items"][0]["price_data"]["unit_amount"] == "995"

    # Changing their mind back: the code's use goes back with the order that held it.
    without = buyer_api.post(url, {}, format="json")
    assert Order.objects.get(public_id=without.json()["order_id"]).amount == 1990
    assert DiscountCode.objects.get().uses == 0
    assert Order.objects.filter(status=OrderStatus.PENDING).count() == 1
    paid = _complete(stripe_fake, without.json()["order_id"])
    assert paid.status == OrderStatus.PAID


def test_a_second_bundle_checkout_with_a_code_replaces_the_open_order(
    stripe_fake, seller, seller_api, buyer_api
):
    listings = [
        make_listing(seller, publish=True, price_amount=price, price_currency="CNY") for price in (1000, 2000)
    ]
    bundle = _bundle(seller_api, listings)
    DiscountCode.objects.create(seller=seller, code="HALF", kind="percent", percent=50, scope="bundles")
    url = f"/api/v1/bundles/{bundle.public_id}/checkout/"
    first = buyer_api.post(url, {}, format="json")
    assert first.status_code == 201, first.json()
    with_code = buyer_api.post(url, {"code": "HALF"}, format="json")
    assert with_code.status_code == 201, with_code.json()
    assert with_code.json()["order_id"] != first.json()["order_id"]
    assert Order.objects.get(public_id=with_code.json()["order_id"]).amount == 1200  # 2400 less half
    assert Order.objects.get(public_id=first.json()["order_id"]).status == OrderStatus.EXPIRED
    assert DiscountCode.objects.get().uses == 1


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


# 3. Manual statements and tutoring sessions


def test_a_manual_rail_session_is_paid_in_a_statement_only_after_it_ended(
    manual_rail, stripe_fake, manual_seller, buyer_api
):
    offer = make_offer(manual_seller)
    with time_machine.travel(week(1), tick=False):
        booked = book(buyer_api, offer, "2026-03-11T09:00:00+08:00")  # Wednesday of week 2
        assert booked.status_code == 201, booked.json()
        order = _complete(stripe_fake, booked.json()["order_id"])
    assert (order.status, order.payout_rail) == (OrderStatus.PAID, "manual")
    assert _close_at(week(2, hours=1)) == 0  # the session is still to come
    assert not PayoutStatement.objects.exists()
    assert _close_at(week(3, hours=1)) == 1  # it ended, and the payout delay passed, last week
    statement = PayoutStatement.objects.get()
    assert statement.amount == order.seller_amount


def test_a_duplicate_payment_is_never_in_a_statement(manual_rail, stripe_fake, manual_seller, buyer_api):
    listing = make_listing(manual_seller, publish=True, price_amount=1990, price_currency="CNY")
    with time_machine.travel(week(1), tick=False):
        order_id = buyer_api.post(f"/api/v1/listings/{listing.public_id}/checkout/").json()["order_id"]
        order = _complete(stripe_fake, order_id)
    Order.objects.filter(pk=order.pk).update(duplicate=True)  # its refund is on its way
    assert _close_at(week(2, hours=1)) == 0


# 4. Bundles on the manual rail


def test_a_manual_rail_sellers_bundle_accrues_per_line_and_closes_in_a_statement(
    manual_rail, stripe_fake, manual_seller, client_for, buyer_api
):
    listings = [
        make_listing(manual_seller, publish=True, price_amount=price, price_currency="CNY")
        for price in (1000, 2590)
    ]
    bundle = _bundle(client_for(manual_seller), listings)
    with time_machine.travel(week(1), tick=False):
        response = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/")
        assert response.status_code == 201, response.json()
        order = _complete(stripe_fake, response.json()["order_id"])
    assert (order.status, order.payout_rail, order.destination_account) == (OrderStatus.PAID, "manual", "")
    (session,) = stripe_fake.posts("/v1/checkout/sessions")
    assert not any("transfer_data" in key for key in session["params"])
    rows = LedgerEntry.objects.filter(order=order, account=LedgerAccount.SELLER)
    assert rows.count() == 2 and sum(row.amount for row in rows) == order.seller_amount
    assert _close_at(week(2, hours=1)) == 1
    statement = PayoutStatement.objects.get()
    assert statement.amount == order.seller_amount
    assert statement.ledger_entries.count() == 2


def test_a_connect_sellers_bundle_still_pays_their_account(stripe_fake, seller, seller_api, buyer_api):
    listings = [
        make_listing(seller, publish=True, price_amount=p, price_currency="CNY") for p in (1000, 2000)
    ]
    bundle = _bundle(seller_api, listings)
    order_id = buyer_api.post(f"/api/v1/bundles/{bundle.public_id}/checkout/").json()["order_id"]
    order = Order.objects.get(public_id=order_id)
    account = ConnectedAccount.objects.get(user=seller)
    assert (order.payout_rail, order.destination_account) == ("connect", account.account_id)


# 5. Deleting an account with a balance below the minimum


def test_deleting_an_account_closes_a_final_statement_below_the_minimum_then_goes_once_paid(
    manual_rail, settings, stripe_fake, manual_seller, buyer_api, staff
):
    from marketplace.core.errors import Conflict
    from marketplace.privacy.deletion import account_delete

    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 5000}  # one sale's share, 15.92, never reaches it
    listing = make_listing(manual_seller, publish=True, price_amount=1990, price_currency="CNY")
    with time_machine.travel(week(1), tick=False):
        order_id = buyer_api.post(f"/api/v1/listings/{listing.public_id}/checkout/").json()["order_id"]
        order = _complete(stripe_fake, order_id)
    assert _close_at(week(2, hours=1)) == 0
    with time_machine.travel(week(2), tick=False), pytest.raises(Conflict) as refused:
        account_delete(user=manual_seller, password=PASSWORD, address="203.0.113.9")
    assert "final statement" in refused.value.message
    statement = PayoutStatement.objects.get()
    assert statement.amount == order.seller_amount
    batch = statements.payout_batch_create(statement_ids=[statement.pk], by=staff)
    statements.payout_batch_mark_paid(batch_id=batch.pk, reference="R-1", by=staff)
    account_delete(user=manual_seller, password=PASSWORD, address="203.0.113.9")
    manual_seller.refresh_from_db()
    assert not manual_seller.is_active


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


# 7. MANUAL_PAYOUT_MINIMUM


def test_the_payout_minimum_is_kept_in_minor_units_and_a_bad_pair_refuses_to_start():
    from marketplace.settings.compliance import _minor_units_per_currency

    assert _minor_units_per_currency("M", "CNY=100,JPY=3000,USD=20.5") == {
        "CNY": 10000,
        "JPY": 3000,
        "USD": 2050,
    }
    with pytest.raises(ImproperlyConfigured, match="XYZ=10"):
        _minor_units_per_currency("M", "CNY=100,XYZ=10")
    with pytest.raises(ImproperlyConfigured, match=r"JPY=10\.5"):
        _minor_units_per_currency("M", "JPY=10.5")
    with pytest.raises(ImproperlyConfigured, match=r"USD=1\.001"):
        _minor_units_per_currency("M", "USD=1.001")


def test_one_sellers_failing_statement_does_not_stop_the_others(
    manual_rail, stripe_fake, manual_seller, buyer_api, monkeypatch, caplog
):
    other = UserFactory(handle="lan-prints")
    rails.payout_details_set(
        user=other, method="alipay", holder_name="李兰", account="13800000000", bank_name=""
    )
    other.refresh_from_db()
    with time_machine.travel(week(1), tick=False):
        for seller in (manual_seller, other):
            listing = make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")
            order_id = buyer_api.post(f"/api/v1/listings/{listing.public_id}/checkout/").json()["order_id"]
            _complete(stripe_fake, order_id)
    real = statements.statement_close

    def failing(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["seller_id"] == manual_seller.pk:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(statements, "statement_close", failing)
    with caplog.at_level(logging.ERROR):
        assert _close_at(week(2, hours=1)) == 1
    assert PayoutStatement.objects.get().seller_id == other.pk
    assert f"seller {manual_seller.pk}" in caplog.text


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
