"""Races, with real threads and one PostgreSQL connection each: the constraints and row locks decide."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from marketplace.accounts.services import token_create
from payments import services
from payments.models import LedgerEntry, Order, OrderStatus, Unlock, WebhookEvent
from payments.tasks import count_unlocks
from prompts.models import Listing
from tests.conftest import requires_postgres
from tests.factories import make_listing
from tests.payments.helpers import checkout, deliver

pytestmark = [pytest.mark.slow, requires_postgres, pytest.mark.django_db(transaction=True)]


def _at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in `count` threads released together; each thread uses and closes its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert not errors, errors
    return results


def _session_of(fake, order_id: str) -> str:
    return fake.session_for_order(order_id)["id"]


def test_the_same_event_from_eight_threads_unlocks_once(stripe_fake, listing, buyer, buyer_api):
    order_id = checkout(buyer_api, listing)["order_id"]
    event = stripe_fake.complete(_session_of(stripe_fake, order_id))

    responses = _at_once(8, lambda _: deliver(event, client=Client(raise_request_exception=False)))

    assert [r.status_code for r in responses] == [200] * 8
    assert sorted(r.json()["duplicate"] for r in responses) == [False] + [True] * 7
    assert Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True).count() == 1
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert sorted(LedgerEntry.objects.values_list("kind", "amount")) == [("commission", 398), ("sale", 1592)]
    count_unlocks()
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1
    assert buyer_api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code == 200


def test_twenty_checkouts_at_once_by_one_buyer_are_one_order_and_one_session(stripe_fake, listing, buyer):
    _, raw = token_create(user=buyer)

    def buy(_: int):
        api = APIClient(raise_request_exception=False)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api.post(f"/api/v1/listings/{listing.public_id}/checkout/")

    responses = _at_once(20, buy)

    assert [r.status_code for r in responses] == [201] * 20, [r.content for r in responses]
    bodies = [r.json() for r in responses]
    assert len({b["order_id"] for b in bodies}) == 1
    assert len({b["checkout_url"] for b in bodies}) == 1
    assert Order.objects.filter(buyer=buyer, listing=listing).count() == 1
    assert Order.objects.get().status == OrderStatus.PENDING
    assert len(stripe_fake.sessions) == 1
    assert bodies[0]["checkout_url"] == next(iter(stripe_fake.sessions.values()))["url"]


def test_two_paid_orders_for_one_listing_applied_at_once_keep_one_unlock_and_refund_the_other(
    stripe_fake, listing, buyer, buyer_api
):
    first = checkout(buyer_api, listing)["order_id"]
    first_session = _session_of(stripe_fake, first)
    deliver(stripe_fake.expire(first_session))
    assert Order.objects.get(public_id=first).status == OrderStatus.EXPIRED
    second = checkout(buyer_api, listing)["order_id"]
    assert second != first
    # Both end up paid at Stripe (a late payment on the first tab, then the second).
    events = [
        stripe_fake.complete(first_session, late=True),
        stripe_fake.complete(_session_of(stripe_fake, second)),
    ]

    responses = _at_once(2, lambda i: deliver(events[i], client=Client(raise_request_exception=False)))

    assert [r.status_code for r in responses] == [200, 200]
    assert Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True).count() == 1
    kept = Order.objects.get(duplicate=False, buyer=buyer, public_id__in=[first, second])
    duplicate = Order.objects.get(duplicate=True)
    assert Unlock.objects.get(buyer=buyer, listing=listing).order == kept
    assert kept.status == OrderStatus.PAID
    assert (duplicate.status, duplicate.refunded_amount) == (OrderStatus.REFUNDED, 1990)
    (refund_post,) = stripe_fake.posts("/v1/refunds")
    assert refund_post["headers"]["idempotency-key"] == f"refund:{duplicate.public_id}:1"
    assert refund_post["params"]["payment_intent"] == duplicate.payment_intent_id
    assert sum(LedgerEntry.objects.filter(order=duplicate).values_list("amount", flat=True)) == 0
    assert buyer_api.get(f"/api/v1/listings/{listing.public_id}/prompt/").status_code == 200
    count_unlocks()
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1


def test_twenty_threads_granting_the_same_unlock_grant_it_once(listing, buyer):
    granted = _at_once(20, lambda _: services.unlock_grant(buyer=buyer, listing=listing, order=None))

    assert sorted(granted) == [False] * 19 + [True]
    assert Unlock.objects.filter(buyer=buyer, listing=listing).count() == 1
    count_unlocks()
    assert Listing.objects.get(pk=listing.pk).unlock_count == 1


def test_a_dropped_connection_is_replaced_and_the_delivery_applies(stripe_fake, listing, buyer_api, caplog):
    # The paid-event statement skips Django's per-request health check (services.fulfilment):
    # when the server has dropped the persistent connection, it reconnects and tries once more.
    order_id = checkout(buyer_api, listing)["order_id"]
    event = stripe_fake.complete(_session_of(stripe_fake, order_id))
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid

    def terminate(_: int) -> bool:
        with connection.cursor() as cursor:  # this thread's own connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
            return bool(cursor.fetchone()[0])

    assert _at_once(1, terminate) == [True]
    delivered = deliver(event, client=Client(raise_request_exception=False))
    assert delivered.status_code == 200 and delivered.json()["duplicate"] is False
    assert "database connection lost; reconnecting once" in caplog.text
    assert connection.connection.info.backend_pid != backend
    assert Unlock.objects.filter(order__public_id=order_id).count() == 1
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert deliver(event).json()["duplicate"] is True


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _commit_modes_of(work: Callable[[], Any]) -> list[str]:
    """The synchronous_commit each paid-event statement's own transaction commits with.

    The statement runs outside a transaction block, so its transaction ends with it: here it runs
    inside an explicit BEGIN on the same connection, which keeps any SET LOCAL it made readable
    until the COMMIT that follows."""
    modes: list[str] = []

    def observe(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "WITH paid AS" not in sql:
            return execute(sql, params, many, context)
        raw = context["connection"].connection
        raw.execute("BEGIN")
        result = execute(sql, params, many, context)
        modes.append(raw.execute("SELECT current_setting('synchronous_commit')").fetchone()[0])
        raw.execute("COMMIT")
        return result

    with connection.execute_wrapper(observe):
        work()
    return modes


def test_a_paid_event_is_on_disk_before_its_200_unless_the_operator_opts_out(
    stripe_fake, listing, buyer_api, settings
):
    # services.fulfilment: by default the paid-event statement's commit waits for the WAL flush,
    # as every payment write does. PAYMENTS_WEBHOOK_ASYNC_COMMIT skips the wait for that one
    # transaction only: the connection's later transactions wait as before.
    event = stripe_fake.complete(_session_of(stripe_fake, checkout(buyer_api, listing)["order_id"]))
    responses: list[Any] = []
    assert _commit_modes_of(lambda: responses.append(deliver(event))) == ["on"]
    assert responses[0].status_code == 200 and responses[0].json()["duplicate"] is False

    second = make_listing(listing.seller, publish=True, price_amount=990, price_currency="CNY")
    order_id = checkout(buyer_api, second)["order_id"]
    settings.PAYMENTS_WEBHOOK_ASYNC_COMMIT = True
    assert _commit_modes_of(lambda: deliver(stripe_fake.complete(_session_of(stripe_fake, order_id)))) == [
        "off"
    ]
    assert _synchronous_commit() == "on"
    assert Unlock.objects.filter(order__listing__in=[listing, second]).count() == 2


def test_a_paid_event_the_database_forgot_after_the_200_is_applied_by_reconciliation(
    stripe_fake, listing, buyer, buyer_api
):
    # What a database crash inside the flush window leaves: the whole statement gone, the order
    # pending, the event unrecorded, while Stripe had its 200. Stripe keeps the paid session.
    from payments import tasks

    order_id = checkout(buyer_api, listing)["order_id"]
    event = stripe_fake.complete(_session_of(stripe_fake, order_id))
    assert deliver(event).json()["duplicate"] is False
    order = Order.objects.get(public_id=order_id)
    Unlock.objects.filter(order=order).delete()
    LedgerEntry.objects.filter(order=order).delete()
    WebhookEvent.objects.filter(event_id=event["id"]).delete()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING, paid_at=None)

    tasks.reconcile()
    tasks.reconcile()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Unlock.objects.filter(buyer=buyer, listing=listing, revoked_at__isnull=True).count() == 1
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        ("commission", 398),
        ("sale", 1592),
    ]
    assert deliver(event).json()["duplicate"] is True
