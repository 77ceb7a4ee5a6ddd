"""The manual payout rail: sales charged on the platform accrue in the ledger, statements close on
a schedule above a minimum, staff pay batches, and money taken back later carries over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.db import connection
from django.db.models import Sum

from marketplace.core.errors import ApplicationError, Conflict
from marketplace.notifications.models import Notification
from payments import sealing
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderStatus,
    PayoutProfile,
    PayoutStatement,
    Refund,
    StatementStatus,
    TransferReversal,
)
from payments.services import rails, statements
from payments.tasks import close_payout_statements
from tests.factories import UserFactory, make_listing
from tests.payments.conftest import ACCOUNT_NUMBER
from tests.payments.helpers import checkout, deliver

pytestmark = pytest.mark.django_db

PRICE, SHARE = 1990, 1592  # CNY 19.90 at the 20% commission
WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # week 1; statements close on Mondays (weekly)


def week(n: int, *, hours: int = 0) -> datetime:
    """Wednesday noon of week n (1-based), or `hours` after the Monday that starts it."""
    if hours:
        return WEDNESDAY + timedelta(days=7 * (n - 1) - 2, hours=hours - 12)
    return WEDNESDAY + timedelta(days=7 * (n - 1))


@pytest.fixture(autouse=True)
def manual_rail(settings):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    settings.MANUAL_PAYOUT_SCHEDULE = "weekly"
    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 1000}  # minor units
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()


def _listing(seller, price=PRICE):
    return make_listing(seller, publish=True, price_amount=price, price_currency="CNY")


def _pay(fake, api, listing) -> Order:
    order_id = checkout(api, listing)["order_id"]
    assert deliver(fake.complete(fake.session_for_order(order_id)["id"])).status_code == 200
    order = Order.objects.get(public_id=order_id)
    assert order.status == OrderStatus.PAID
    return order


def _balance(seller) -> int:
    return sum(statements.unsettled_rows(seller_id=seller.pk).values_list("amount", flat=True))


def _close_at(when: datetime) -> int:
    with time_machine.travel(when, tick=False):
        return close_payout_statements()


def _refund(api, order, **body):
    return api.post(f"/api/v1/seller/orders/{order.public_id}/refund/", body, format="json")


def test_a_manual_rail_sale_is_charged_on_the_platform_and_accrues_to_the_seller(
    stripe_fake, manual_seller, buyer_api
):
    assert manual_seller.can_accept_payments
    with time_machine.travel(week(1)):
        order = _pay(stripe_fake, buyer_api, _listing(manual_seller))
    assert (order.payout_rail, order.destination_account, order.transfer_group) == ("manual", "", "")
    (session,) = stripe_fake.posts("/v1/checkout/sessions")
    assert not any("transfer_data" in key or "on_behalf_of" in key for key in session["params"])
    assert not any("application_fee" in key for key in session["params"])
    sale = LedgerEntry.objects.get(order=order, account=LedgerAccount.SELLER)
    assert (sale.kind, sale.amount, sale.statement) == ("sale", SHARE, None)
    assert _balance(manual_seller) == SHARE


def test_a_manual_rail_seller_without_payout_details_cannot_take_payments(stripe_fake, buyer_api, settings):
    seller = UserFactory(handle="no-details")
    assert rails.payout_rail_for(user=seller) == "manual"
    assert not rails.seller_payments_refresh(user=seller)
    with pytest.raises(ApplicationError) as refused:  # a paid listing needs a way to pay the seller
        _listing(seller)
    assert refused.value.status_code == 409, refused.value.code


def test_statements_close_above_the_minimum_once_and_below_it_the_money_waits(
    stripe_fake, manual_seller, buyer_api, settings, client_for
):
    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 2000}  # one sale's share (15.92) is below it
    listing = _listing(manual_seller)
    with time_machine.travel(week(1)):
        _pay(stripe_fake, buyer_api, listing)
    assert _close_at(week(2, hours=1)) == 0
    assert not PayoutStatement.objects.exists()
    second_buyer = UserFactory(handle="second-buyer")
    with time_machine.travel(week(2)):
        _pay(stripe_fake, client_for(second_buyer), listing)
    assert _close_at(week(3, hours=1)) == 1
    assert _close_at(week(3, hours=2)) == 0  # beat's next hourly run: nothing new
    (statement,) = PayoutStatement.objects.all()
    assert (statement.amount, statement.opening_balance, statement.status) == (
        2 * SHARE,
        SHARE,  # the first week's share was carried over
        StatementStatus.CLOSED,
    )
    assert statement.period_end == week(3, hours=1).replace(hour=0)
    assert statement.ledger_entries.count() == 2
    assert _balance(manual_seller) == 0


def test_a_refund_after_a_statement_closed_carries_over_as_a_negative_balance(
    stripe_fake, manual_seller, buyer_api, seller_api, client_for
):
    seller_api = client_for(manual_seller)
    with time_machine.travel(week(1)):
        order = _pay(stripe_fake, buyer_api, _listing(manual_seller))
    assert _close_at(week(2, hours=1)) == 1
    first = PayoutStatement.objects.get()
    assert first.amount == SHARE

    with time_machine.travel(week(2)):
        assert _refund(seller_api, order).status_code == 201
    (refund_post,) = stripe_fake.posts("/v1/refunds")
    assert "reverse_transfer" not in refund_post["params"]  # charged on the platform: no transfer
    assert _balance(manual_seller) == -SHARE
    assert _close_at(week(3, hours=1)) == 0  # a statement never closes negative
    assert PayoutStatement.objects.count() == 1

    with time_machine.travel(week(3)):
        _pay(stripe_fake, client_for(UserFactory(handle="later-buyer")), _listing(manual_seller, price=9900))
    assert _close_at(week(4, hours=1)) == 1
    second = PayoutStatement.objects.exclude(pk=first.pk).get()
    assert second.opening_balance == -SHARE
    assert second.amount == 7920 - SHARE  # the next statement is reduced by the refund
    first.refresh_from_db()
    assert first.amount == SHARE  # what closed stays closed


def test_a_lost_dispute_after_a_statement_closed_carries_over_without_a_transfer_reversal(
    stripe_fake, manual_seller, buyer_api
):
    with time_machine.travel(week(1)):
        order = _pay(stripe_fake, buyer_api, _listing(manual_seller))
    assert _close_at(week(2, hours=1)) == 1
    charge = stripe_fake.intents[order.payment_intent_id]["latest_charge"]
    with time_machine.travel(week(2)):
        opened = stripe_fake.open_dispute(charge)
        assert deliver(opened).status_code == 200
        assert deliver(stripe_fake.close_dispute(opened["data"]["object"]["id"], "lost")).status_code == 200
    assert not TransferReversal.objects.exists()
    assert stripe_fake.posts("/v1/transfers") == []
    assert _balance(manual_seller) == -SHARE
    assert _close_at(week(3, hours=1)) == 0


def test_money_with_a_refund_in_flight_or_an_open_dispute_is_not_paid_out(
    stripe_fake, manual_seller, buyer_api
):
    with time_machine.travel(week(1)):
        order = _pay(stripe_fake, buyer_api, _listing(manual_seller))
    refund = Refund.objects.create(order=order, sequence=1, amount=500)  # the provider has not answered
    assert _close_at(week(2, hours=1)) == 0
    Refund.objects.filter(pk=refund.pk).update(status="failed")
    Order.objects.filter(pk=order.pk).update(payout_held=True)  # an open dispute
    assert _close_at(week(2, hours=2)) == 0
    Order.objects.filter(pk=order.pk).update(payout_held=False)
    assert _close_at(week(2, hours=3)) == 1


def _closed_statement(fake, seller, buyer_api) -> PayoutStatement:
    with time_machine.travel(week(1)):
        _pay(fake, buyer_api, _listing(seller))
    assert _close_at(week(2, hours=1)) == 1
    return PayoutStatement.objects.get(seller=seller)


def test_the_batch_file_has_the_decrypted_account_and_no_formula(
    stripe_fake, manual_seller, buyer_api, staff
):
    rails.payout_details_set(
        user=manual_seller, method="alipay", holder_name="=HYPERLINK(1)", account="13800000000"
    )
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    batch = statements.payout_batch_create(statement_ids=[statement.pk], by=staff)
    lines = statements.payout_batch_csv(batch=batch).splitlines()
    assert lines[0] == "payee,verified_name,account_reference,amount,currency,statement_id"
    assert (
        lines[1] == f"mei-prints <mei@example.com>,'=HYPERLINK(1),alipay 13800000000,15.92,CNY,{statement.pk}"
    )
    statement.refresh_from_db()
    assert (statement.status, statement.batch) == (StatementStatus.IN_BATCH, batch)
    with pytest.raises(Conflict):  # a statement is in one batch
        statements.payout_batch_create(statement_ids=[statement.pk], by=staff)


def test_a_batch_pays_one_currency(stripe_fake, manual_seller, buyer_api, staff):
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    other = PayoutStatement.objects.create(
        seller=manual_seller,
        currency="USD",
        period_start=statement.period_start,
        period_end=statement.period_end,
        amount=500,
    )
    with pytest.raises(ApplicationError) as refused:
        statements.payout_batch_create(statement_ids=[statement.pk, other.pk], by=staff)
    assert refused.value.code == "one_currency_per_batch"


def test_marking_a_batch_paid_twice_records_the_payout_once(stripe_fake, manual_seller, buyer_api, staff):
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    batch = statements.payout_batch_create(statement_ids=[statement.pk], by=staff)
    with pytest.raises(ApplicationError):
        statements.payout_batch_mark_paid(batch_id=batch.pk, reference=" ", by=staff)
    for _ in range(2):
        statements.payout_batch_mark_paid(batch_id=batch.pk, reference="ICBC-2026-03-09-001", by=staff)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID and statement.paid_at is not None
    paid_out = LedgerEntry.objects.filter(account=LedgerAccount.PAID_OUT)
    assert list(paid_out.values_list("amount", "external_id")) == [(SHARE, "ICBC-2026-03-09-001")]
    assert Notification.objects.filter(kind="payout_sent", recipient=manual_seller).count() == 1
    batch.refresh_from_db()
    assert batch.reference == "ICBC-2026-03-09-001"


def test_ledger_sums_sales_less_refunds_less_paid_out_is_the_open_balance(
    stripe_fake, manual_seller, buyer_api, staff, client_for
):
    seller_api = client_for(manual_seller)
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    statements.payout_batch_mark_paid(
        batch_id=statements.payout_batch_create(statement_ids=[statement.pk], by=staff).pk,
        reference="R1",
        by=staff,
    )
    with time_machine.travel(week(2)):
        later = _pay(stripe_fake, client_for(UserFactory(handle="b2")), _listing(manual_seller, price=9900))
        assert _refund(seller_api, later, amount=1000).status_code == 201
        order = Order.objects.filter(seller=manual_seller).order_by("pk").first()
        assert _refund(seller_api, order).status_code == 201

    def total(**filters) -> int:
        rows = LedgerEntry.objects.filter(order__seller=manual_seller, **filters)
        return rows.aggregate(total=Sum("amount"))["total"] or 0

    sales = total(account=LedgerAccount.SELLER, kind="sale")
    taken_back = -total(account=LedgerAccount.SELLER, kind__in=["refund", "dispute_lost"])
    paid_out = total(account=LedgerAccount.PAID_OUT)
    assert (sales, paid_out) == (SHARE + 7920, SHARE)
    assert sales - taken_back - paid_out == _balance(manual_seller)


# --- encryption at rest ------------------------------------------------------------------------------


def test_payout_details_are_encrypted_at_rest_and_shown_masked(manual_seller):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_payoutprofile WHERE user_id = %s", [manual_seller.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert ACCOUNT_NUMBER not in raw and "张三丰" not in raw
    assert ACCOUNT_NUMBER[4:-4] not in raw  # the mask shows the first and last four digits only
    profile = PayoutProfile.objects.get(user=manual_seller)
    assert (profile.masked_account, profile.masked_holder) == ("6222 **** **** 0123", "张**")
    assert sealing.unseal(profile.details_ciphertext)["account"] == ACCOUNT_NUMBER


def test_a_wrong_key_fails_clearly_and_a_rotated_key_still_reads(manual_seller, settings):
    profile = PayoutProfile.objects.get(user=manual_seller)
    old_key = settings.PAYOUT_DETAILS_KEY
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()
    with pytest.raises(sealing.PayoutDetailsUnreadable, match="PAYOUT_DETAILS_KEY"):
        sealing.unseal(profile.details_ciphertext)
    new_key = settings.PAYOUT_DETAILS_KEY
    settings.PAYOUT_DETAILS_KEY = f"{new_key},{old_key}"  # rotation: the new key first, the old one kept
    assert sealing.unseal(profile.details_ciphertext)["account"] == ACCOUNT_NUMBER
    assert rails.payout_details_reseal() == 1
    settings.PAYOUT_DETAILS_KEY = new_key  # the old key can go once every row is resealed
    profile.refresh_from_db()
    assert sealing.unseal(profile.details_ciphertext)["account"] == ACCOUNT_NUMBER


@pytest.mark.parametrize(
    ("method", "account", "field"),
    [("bank", "12ab", "account"), ("alipay", "not-an-account", "account"), ("cash", "1", "method")],
)
def test_malformed_payout_details_name_the_field(manual_seller, method, account, field):
    with pytest.raises(ApplicationError) as refused:
        rails.payout_details_set(
            user=manual_seller, method=method, holder_name="张三", account=account, bank_name="x"
        )
    assert field in refused.value.fields


@pytest.mark.slow
def test_production_with_the_manual_rail_refuses_to_start_without_a_details_key():
    from tests.core.test_health_and_settings import _check_settings

    production = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 64,
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
        "PAYOUT_RAIL_DEFAULT": "manual",
    }
    refused = _check_settings(**production)
    assert refused.returncode != 0
    assert "PAYOUT_DETAILS_KEY must be set" in refused.stderr
    assert _check_settings(**production, PAYOUT_DETAILS_KEY=Fernet.generate_key().decode()).returncode == 0


def test_under_verification_a_manual_rail_seller_takes_payments_once_verified(settings):
    from tests.verification.conftest import verify_seller

    settings.VERIFICATION_REQUIRED = True
    settings.COMPLIANCE_PROFILE = "cn"
    settings.PAYOUT_RAIL_DEFAULT = "country"
    seller = UserFactory(handle="cn-seller")
    rails.payout_details_set(user=seller, method="alipay", holder_name="张三", account="13800000000")
    seller.refresh_from_db()
    assert not seller.can_accept_payments  # details alone are not enough where verification is required
    verify_seller(seller)  # the sandbox's phone and ID steps
    seller.refresh_from_db()
    assert seller.verification.country == "CN"
    assert rails.payout_rail_for(user=seller) == "manual"  # Connect does not pay out in CN
    assert seller.can_accept_payments


def test_deleting_the_account_waits_for_unpaid_earnings_then_wipes_the_payout_details(
    stripe_fake, manual_seller, buyer_api, staff
):
    from marketplace.privacy.deletion import _account_anonymise, account_delete_blockers

    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    assert any("bank or Alipay" in blocker for blocker in account_delete_blockers(user=manual_seller))
    batch = statements.payout_batch_create(statement_ids=[statement.pk], by=staff)
    statements.payout_batch_mark_paid(batch_id=batch.pk, reference="R-9", by=staff)
    assert account_delete_blockers(user=manual_seller) == []
    _account_anonymise(user_id=manual_seller.pk)
    profile = PayoutProfile.objects.get(user=manual_seller)
    assert (profile.details_ciphertext, profile.masked_account, profile.masked_holder) == ("", "", "")


def test_with_the_connect_default_a_verified_chinese_seller_stays_on_connect(settings):
    from tests.factories import onboard
    from tests.verification.conftest import verify_seller

    settings.PAYOUT_RAIL_DEFAULT = "connect"
    settings.COMPLIANCE_PROFILE = "cn"
    seller = onboard(UserFactory(handle="connect-cn"))
    assert seller.can_accept_payments  # onboarded to Connect (the sandbox)
    verify_seller(seller)
    seller.refresh_from_db()
    assert rails.payout_rails_allowed(user=seller) == ["connect"]
    assert seller.can_accept_payments


@pytest.mark.parametrize(
    ("schedule", "now", "closes"),
    [
        ("daily", datetime(2026, 3, 4, 12, 0, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)),
        ("weekly", datetime(2026, 3, 4, 12, 0, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)),
        ("weekly", datetime(2026, 3, 9, 0, 30, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC)),
        ("monthly", datetime(2026, 1, 31, 12, 0, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)),
        ("monthly", datetime(2026, 12, 31, 23, 0, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_the_next_statement_closes_when_the_running_period_ends(settings, schedule, now, closes):
    settings.MANUAL_PAYOUT_SCHEDULE = schedule
    assert statements.statement_next_close(now) == closes
    assert statements.statement_period(closes)[1] == closes  # the period that then closes
    assert statements.statement_period(closes)[0] <= now
