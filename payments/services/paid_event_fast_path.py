"""The webhook's fast path: a signed "paid" checkout session applied in one SQL statement.

A pending listing order whose checkout session the signed event reports as paid is the common
case of every payment. On PostgreSQL it is recorded and applied here in one statement, outside
any transaction block: one round trip, committed by the server, all or nothing. It writes only
when the order is pending (or unpaid and without a code), its session matches, it is not a
licence upgrade, the buyer holds no active unlock and the event is new (as of the statement's
snapshot). Otherwise it writes nothing and returns False, and the webhook runs the general path
(services.fulfilment.order_apply_session), which knows every other case: bookings, upgrades,
code orders paid after they expired, orders paid or refunded already, foreign sessions,
duplicates, SQLite.

The buyer's receipt and the seller's sale email are claimed in the same statement (Notification
rows, ON CONFLICT DO NOTHING) and their send tasks enqueued once it commits.

The ledger rows are built from services.ledger's constants (kinds, accounts, key format), the
same the general path records with; tests/payments compare the two paths row for row.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import psycopg
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from marketplace.notifications.models import Notification, NotificationStatus
from marketplace.notifications.services import notifications_enqueue_on_commit
from payments.gateway import SessionState
from payments.models import LedgerEntry, Licence, Order, OrderStatus, Unlock, WebhookEvent
from payments.services.ledger import PAYMENT_KEY_SEPARATOR, PAYMENT_MOVEMENTS

logger = logging.getLogger(__name__)

# A concurrent delivery of the same event waits on the order row and then finds it paid; a race
# the snapshot cannot see (two orders for one listing unlocking at once, the event recorded
# meanwhile) hits a unique key with a plain INSERT: the statement fails whole and the general path
# decides. Unlock counts and activity buckets are not written here: payments.count_unlocks recounts
# them from the unlocks (services.unlock_counts).
#
# Its commit waits for the WAL flush, as every payment write does: a 200 to Stripe means the
# event's effects are on disk. PAYMENTS_WEBHOOK_ASYNC_COMMIT turns the wait off for this one
# transaction (synchronous_commit off; PostgreSQL then flushes within 3 x wal_writer_delay, 0.6 s
# by default, and any later durable commit flushes it first). A database crash inside that window
# forgets the event whole, order, ledger and unlock together, as if Stripe had never delivered it:
# the buyer's return page asks Stripe again and payments.reconcile applies what is missing.
_PAID_EVENT_SQL = """
WITH paid AS (
    UPDATE {order} AS o
    SET status = {paid},
        payment_intent_id = COALESCE(%(payment_intent_id)s, o.payment_intent_id),
        charge_id = COALESCE(%(charge_id)s, o.charge_id),
        paid_at = %(now)s, failure_reason = '', updated_at = %(now)s
    WHERE o.public_id = %(order_id)s
      AND o.listing_id IS NOT NULL
      AND o.upgrade_from = ''
      AND (o.status = {pending_order} OR o.discount_code_id IS NULL)
      AND o.status NOT IN ({paid}, {refunded})
      AND (o.checkout_session_id IS NULL OR o.checkout_session_id = %(session_id)s)
      AND NOT EXISTS (SELECT 1 FROM {event} WHERE event_id = %(event_id)s)
      AND NOT EXISTS (
          SELECT 1 FROM {unlock} AS u
          WHERE u.buyer_id = o.buyer_id AND u.listing_id = o.listing_id AND u.revoked_at IS NULL
      )
    RETURNING o.id, o.buyer_id, o.seller_id, o.listing_id, o.currency, o.seller_amount, o.platform_fee,
              o.licence
), event AS (
    INSERT INTO {event} (event_id, type, object_id, source, received_at)
    SELECT %(event_id)s, %(event_type)s, %(object_id)s, %(source)s, %(now)s FROM paid
), ledger AS (
    INSERT INTO {ledger} (key, order_id, account, kind, amount, currency, external_id, created_at)
    SELECT movement.kind || {key_separator} || paid.id, paid.id, movement.account, movement.kind,
           movement.amount, paid.currency, %(session_id)s, %(now)s
    FROM paid, LATERAL (VALUES {movements}) AS movement (kind, account, amount)
    WHERE movement.amount <> 0
), unlock AS (
    INSERT INTO {unlock} (buyer_id, listing_id, order_id, granted_at, revoke_reason, licence)
    SELECT buyer_id, listing_id, id, %(now)s, '', COALESCE(NULLIF(licence, ''), {personal}) FROM paid
), notice AS (
    INSERT INTO {notification} (kind, key, recipient_id, email, language, data, status, attempts,
                                last_error, created_at)
    SELECT notice.kind, paid.id::text, notice.recipient_id, '', '', '{{}}'::jsonb, {pending}, 0, '',
           %(now)s
    FROM paid, LATERAL (VALUES ('purchase', paid.buyer_id), ('sale', paid.seller_id))
        AS notice (kind, recipient_id)
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM paid), ARRAY(SELECT id FROM notice){flush}
"""


@cache
def _paid_event_sql(*, wait_for_flush: bool) -> str:
    tables = {
        "event": WebhookEvent,
        "order": Order,
        "ledger": LedgerEntry,
        "unlock": Unlock,
        "notification": Notification,
    }
    constants = {  # plain words, written into the text rather than bound on every call
        "paid": OrderStatus.PAID,
        "refunded": OrderStatus.REFUNDED,
        "pending": NotificationStatus.PENDING,
        "personal": Licence.PERSONAL,
        "pending_order": OrderStatus.PENDING,
        "key_separator": PAYMENT_KEY_SEPARATOR,
    }
    movements = ", ".join(  # the paid row's RETURNING columns are named as Order's fields
        f"('{kind}', '{account}', paid.{field})" for kind, account, field in PAYMENT_MOVEMENTS
    )
    return _PAID_EVENT_SQL.format(
        **{name: connection.ops.quote_name(model._meta.db_table) for name, model in tables.items()},
        **{name: f"'{value}'" for name, value in constants.items()},
        movements=movements,
        # Local to the statement's own transaction; is_local=true, as SET LOCAL.
        flush="" if wait_for_flush else ", set_config('synchronous_commit', 'off', true)",
    )


def order_apply_paid_event(
    *, session: SessionState, event_id: str, event_type: str, source: str = "webhook"
) -> bool:
    """Record and apply an event whose signed session says "paid" in one statement (PostgreSQL).

    True when it did; False when it wrote nothing (a booking, an order paid or refunded already, a
    session that is not the order's, an unknown order, a buyer who owns the listing already, an
    event seen before): the caller then takes the general path, which handles each of those.
    """
    now = timezone.now()
    params = {
        "event_id": event_id,
        "event_type": event_type,
        "source": source,
        "now": now,
        "order_id": session.order_id,
        "session_id": session.id,
        "object_id": session.id[:255],
        "payment_intent_id": session.payment_intent_id,
        "charge_id": session.charge_id,
    }
    if connection.in_atomic_block:  # a savepoint keeps a failed statement from aborting the caller's
        return _apply_paid_event(params, savepoint=True)
    try:
        return _apply_paid_event(params, savepoint=False)
    except (OperationalError, InterfaceError):
        # The persistent connection died (a restart, a failover, an idle drop): this path skips
        # Django's per-request health check, so reconnect here and try once more. Safe if the
        # first try did commit: the order is paid then, and the second writes nothing.
        logger.warning("payments: database connection lost; reconnecting once")
        connection.close()
        return _apply_paid_event(params, savepoint=False)


def _apply_paid_event(params: dict[str, Any], *, savepoint: bool) -> bool:
    try:
        if savepoint:  # inside the caller's transaction, whose commit is the caller's to make
            with transaction.atomic():
                applied, notices = _execute_prepared(_paid_event_sql(wait_for_flush=True), params)
        else:
            sql = _paid_event_sql(wait_for_flush=not settings.PAYMENTS_WEBHOOK_ASYNC_COMMIT)
            applied, notices = _execute_prepared(sql, params)
    except IntegrityError:
        return False  # a race the snapshot could not see: the general path sorts it out
    # The receipt and the sale email were claimed by the statement; send them once it commits
    # (at once outside a transaction). A crash before this leaves them to the beat's re-queue.
    notifications_enqueue_on_commit(notices)
    return applied


def _execute_prepared(sql: str, params: dict[str, Any]) -> tuple[bool, list[int]]:
    """One statement as a server-side prepared statement: parsed and planned once per connection.

    Django's cursors bind parameters on the client, which re-plans every call; this statement
    runs on every payment, so it goes through a psycopg cursor of Django's connection that
    prepares, wrapped as Django wraps its own (errors, execute_wrappers). It skips the per-request
    connection health check (a round trip per event); order_apply_paid_event reconnects and
    retries once instead when the connection turns out to be dead.
    """
    connection.ensure_connection()
    if connection.queries_logged:
        # The query log (DEBUG, CaptureQueriesContext) wants the text, which psycopg does not
        # keep for a prepared statement: a logged connection sends the text, as Django does.
        with connection.cursor() as logged:
            logged.execute(sql, params)
            applied, notices = logged.fetchone()[:2]
            return bool(applied), list(notices or [])
    psycopg_connection = connection.connection
    if psycopg_connection.prepare_threshold is None:
        # Django sets psycopg's prepare_threshold to None, which turns preparing off altogether,
        # prepare=True included. A threshold never reached prepares only what asks; Django's own
        # cursors bind on the client, and psycopg never prepares those.
        psycopg_connection.prepare_threshold = _PREPARE_ONLY_WHEN_ASKED
    raw: Any = _PreparedCursor(psycopg_connection)
    with connection.make_cursor(raw) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (bool(row[0]), list(row[1] or [])) if row else (False, [])


_PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


class _PreparedCursor(psycopg.Cursor[Any]):
    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)
