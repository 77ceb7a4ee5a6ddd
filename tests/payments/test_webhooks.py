"""The webhook's hot path: a signed paid checkout session, recorded and applied in one statement.

It must leave exactly what the general fulfilment path leaves (the return page, reconciliation),
and hand everything it does not cover back to that path in the same transaction.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments.models import LedgerEntry, Order, OrderStatus, Unlock, WebhookEvent
from payments.tasks import count_unlocks
from prompts.models import Listing, ListingActivity
from tests.conftest import requires_postgres
from tests.factories import UserFactory
from tests.payments.helpers import checkout, deliver
from tests.support.fake_stripe import sign

pytestmark = pytest.mark.django_db


def _session(fake, order_id: str) -> str:
    return fake.session_for_order(order_id)["id"]


def _what_a_sale_leaves(order: Order) -> dict:
    """Everything a paid order writes, with its own ids replaced by placeholders."""
    order.refresh_from_db()
    return {
        "order": (order.status, order.failure_reason, order.duplicate, order.paid_at is not None),
        "ledger": sorted(
            (e.key.replace(str(order.pk), "<order>"), e.account, e.kind, e.amount, e.currency, e.external_id)
            for e in LedgerEntry.objects.filter(order=order)
        ),
        "unlocks": [
            (u.buyer_id == order.buyer_id, u.listing_id, u.revoked_at, u.revoke_reason)
            for u in Unlock.objects.filter(order=order)
        ],
    }


@requires_postgres
def test_the_one_statement_leaves_what_the_general_path_leaves(stripe_fake, listing, client_for):
    by_webhook = checkout(client_for(UserFactory()), listing)["order_id"]
    by_return_page = checkout(client_for(UserFactory()), listing)["order_id"]
    deliver(stripe_fake.complete(_session(stripe_fake, by_webhook)))
    stripe_fake.complete(_session(stripe_fake, by_return_page))  # its webhook has not come yet
    Client().get(f"/payments/return/{by_return_page}/")  # order_apply_session, state from Stripe

    fast, general = (Order.objects.get(public_id=public_id) for public_id in (by_webhook, by_return_page))
    expected = _what_a_sale_leaves(general)
    expected["ledger"] = [(*row[:5], fast.checkout_session_id) for row in expected["ledger"]]
    assert _what_a_sale_leaves(fast) == expected
    assert expected["order"] == (OrderStatus.PAID, "", False, True)
    assert [row[2:4] for row in expected["ledger"]] == [("commission", 398), ("sale", 1592)]
    assert fast.payment_intent_id == stripe_fake.sessions[fast.checkout_session_id]["payment_intent"]
    count_unlocks()  # counted off the payment path, the same for both
    assert Listing.objects.get(pk=listing.pk).unlock_count == 2
    assert ListingActivity.objects.get(listing=listing, day=timezone.now().date()).unlocks == 2
    recorded = WebhookEvent.objects.get()
    assert (recorded.type, recorded.object_id, recorded.source) == (
        "checkout.session.completed",
        fast.checkout_session_id,
        "webhook",
    )


@requires_postgres
def test_a_paid_event_is_one_sql_statement(stripe_fake, listing, buyer_api):
    event = stripe_fake.complete(_session(stripe_fake, checkout(buyer_api, listing)["order_id"]))
    with CaptureQueriesContext(connection) as queries:
        assert deliver(event).status_code == 200
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 1, statements
    assert deliver(event).json()["duplicate"] is True  # the same statement says "seen before"
    assert Unlock.objects.count() == 1


@requires_postgres
def test_the_paid_event_statement_is_planned_once_per_connection(stripe_fake, listing, client_for):
    def prepared() -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE %s",
                ["%WITH paid AS%"],
            )
            return cursor.fetchall()

    for _ in range(3):
        order_id = checkout(client_for(UserFactory()), listing)["order_id"]
        assert deliver(stripe_fake.complete(_session(stripe_fake, order_id))).json()["duplicate"] is False
    [(name, executions)] = prepared()  # one server-side statement, run three times
    assert executions == 3
    with connection.cursor() as cursor:  # Django's own cursors still bind on the client
        cursor.execute("SELECT %s::int", [1])
    assert [row[0] for row in prepared()] == [name]


def test_a_late_payment_for_a_listing_owned_meanwhile_is_refunded_once(
    stripe_fake, listing, buyer, buyer_api, django_capture_on_commit_callbacks
):
    first = checkout(buyer_api, listing)["order_id"]
    deliver(stripe_fake.expire(_session(stripe_fake, first)))
    second = checkout(buyer_api, listing)["order_id"]
    deliver(stripe_fake.complete(_session(stripe_fake, second)))
    late = stripe_fake.complete(_session(stripe_fake, first), late=True)  # the first tab paid after all

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(late).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(late).json()["duplicate"] is True

    duplicate = Order.objects.get(public_id=first)
    assert duplicate.duplicate
    assert (duplicate.status, duplicate.refunded_amount) == (OrderStatus.REFUNDED, 1990)
    (refund,) = stripe_fake.posts("/v1/refunds")
    assert refund["headers"]["idempotency-key"] == f"refund:{first}:1"
    assert sum(LedgerEntry.objects.filter(order=duplicate).values_list("amount", flat=True)) == 0
    assert Unlock.objects.get(buyer=buyer, listing=listing, revoked_at__isnull=True).order.public_id == second
    count_unlocks()
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1


def test_a_paid_session_that_is_not_the_orders_changes_nothing(stripe_fake, listing, buyer_api):
    order_id = checkout(buyer_api, listing)["order_id"]
    event = stripe_fake.complete(_session(stripe_fake, order_id))
    event["data"]["object"]["id"] = "cs_test_" + "f" * 58  # signed, but another session
    response = deliver(event)
    assert response.status_code == 200
    assert Order.objects.get(public_id=order_id).status == OrderStatus.PENDING
    assert not Unlock.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_paid_event_for_an_order_paid_already_grants_nothing_more(stripe_fake, listing, buyer_api):
    session_id = _session(stripe_fake, checkout(buyer_api, listing)["order_id"])
    completed = stripe_fake.complete(session_id)
    assert deliver(completed).status_code == 200
    again = stripe_fake.event("checkout.session.completed", completed["data"]["object"])  # a new id
    response = deliver(again)
    assert response.status_code == 200 and response.json()["duplicate"] is False
    assert WebhookEvent.objects.count() == 2
    assert Unlock.objects.count() == 1
    assert LedgerEntry.objects.count() == 2
    count_unlocks()
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1


def test_a_signed_body_that_is_not_an_event_snapshot_is_400(stripe_fake, listing, buyer_api):
    checkout(buyer_api, listing)
    body = json.dumps({"id": "evt_thin_1", "object": "v2.core.event", "type": "checkout.session.completed"})
    response = Client().post(
        "/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_event"  # signed, so not a signature problem
    assert not WebhookEvent.objects.exists()


@pytest.mark.slow
def test_the_old_commit_mode_variable_stops_start_up_naming_the_new_one():
    # Durable is the default; a deployment still setting the old variable must learn that its
    # meaning changed rather than run with whatever it assumed.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "DJANGO_SETTINGS_MODULE": "marketplace.settings", "PAYMENTS_WEBHOOK_SYNC_COMMIT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "PAYMENTS_WEBHOOK_ASYNC_COMMIT=1" in result.stderr
