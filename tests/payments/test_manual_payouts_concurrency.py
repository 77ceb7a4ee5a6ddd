"""Closing manual payout statements from several workers at once: one statement, each ledger row once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from cryptography.fernet import Fernet

from payments.models import LedgerEntry, PayoutStatement
from payments.services import rails, statements
from payments.tasks import close_payout_statements
from tests.conftest import requires_postgres
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import checkout, deliver
from tests.payments.test_concurrency import _at_once

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_closing_runs_close_one_statement(stripe_fake, buyer_api, settings):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    settings.MANUAL_PAYOUT_SCHEDULE = "daily"
    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 1000}  # minor units
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()
    seller = UserFactory(handle="race-seller")
    rails.payout_details_set(user=seller, method="alipay", holder_name="李四", account="13900000000")
    seller.refresh_from_db()
    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC)):
        listing = make_listing(seller, publish=True, price_amount=1990, price_currency="CNY")
        order_id = checkout(buyer_api, listing)["order_id"]
        assert deliver(stripe_fake.complete(stripe_fake.session_for_order(order_id)["id"])).status_code == 200

    with time_machine.travel(datetime(2026, 3, 5, 1, tzinfo=UTC), tick=False):
        results = _at_once(8, lambda _: close_payout_statements())

    assert sorted(results) == [0] * 7 + [1]
    statement = PayoutStatement.objects.get()
    assert statement.amount == 1592
    assert list(LedgerEntry.objects.filter(statement__isnull=False).values_list("statement", flat=True)) == [
        statement.pk
    ]
    assert statements.unsettled_rows(seller_id=seller.pk).count() == 0
