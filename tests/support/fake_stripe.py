"""An in-process, Stripe-shaped fake served over loopback HTTP, and Stripe-exact webhook signing.

The official ``stripe`` library talks real HTTP to it (STRIPE_API_BASE). It keeps the state
Stripe would keep (sessions, payment intents, charges, refunds, disputes, accounts, events),
replays the first answer for a reused Idempotency-Key and refuses a key reused with other
parameters, as Stripe does. Tests drive what happens at Stripe with its helper methods, which
also record the events Stripe would send.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

WEBHOOK_SECRET = "whsec_test_dimsum_fake"
SECRET_KEY = "sk_test_dimsum_fake"


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: HMAC-SHA256 over "{t}.{payload}", exactly as Stripe signs."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket encoding (a[b][0][c]=v) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for part, following in itertools.zip_longest(parts, parts[1:]):
            last = following is None
            container: Any = [] if not last and following.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    node[index] = node[index] if node[index] is not None else container
                    node = node[index]
            elif last:
                node[part] = value
            else:
                node = node.setdefault(part, container)
    return root


class SessionExpired(Exception):
    """The buyer tried to pay a checkout session that has expired: Stripe's page says so instead."""


def _id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_" + secrets.token_hex(length // 2 + 1)[:length]


class FakeStripe:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.reversals: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.identity_sessions: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.idempotency: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_next: list[tuple[str, int]] = []  # (path prefix, status) answered once each
        self.accounts_enabled_on_create = True

    # --- HTTP ------------------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, body: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        url = urlsplit(raw_path)
        params = decode_form(parse_qsl(url.query if method == "GET" else body, keep_blank_values=True))
        with self.lock:
            self.requests.append({"method": method, "path": url.path, "params": params, "headers": headers})
            if not headers.get("authorization", "").startswith("Bearer sk_test_"):
                return 401, self._error("invalid_request_error", "Invalid API Key provided.")
            for prefix, status in list(self.fail_next):
                if url.path.startswith(prefix):
                    self.fail_next.remove((prefix, status))
                    return status, self._error("api_error", "Simulated failure.")
            key = headers.get("idempotency-key")
            if method == "POST" and key and key in self.idempotency:
                previous_params, status, response = self.idempotency[key]
                if previous_params != params:
                    return 400, self._error(
                        "idempotency_error",
                        "Keys for idempotent requests can only be "
                        "used with the same parameters they were first used with.",
                    )
                return status, response
            status, response = self._route(method, url.path, params)
            if method == "POST" and key:
                self.idempotency[key] = (params, status, response)
            return status, response

    def _error(self, kind: str, message: str, code: str = "") -> dict[str, Any]:
        return {"error": {"type": kind, "message": message, "code": code or None}}

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions", self._list_sessions),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", self._get_session),
            ("POST", r"/v1/checkout/sessions/(?P<id>[^/]+)/expire", self._expire_session),
            ("GET", r"/v1/charges/(?P<id>[^/]+)", self._get_charge),
            ("POST", r"/v1/refunds", self._create_refund),
            ("GET", r"/v1/disputes/(?P<id>[^/]+)", self._get_dispute),
            ("POST", r"/v1/transfers", self._create_transfer),
            ("POST", r"/v1/transfers/(?P<id>[^/]+)/reversals", self._create_transfer_reversal),
            ("POST", r"/v1/accounts", self._create_account),
            ("GET", r"/v1/accounts/(?P<id>[^/]+)", self._get_account),
            ("POST", r"/v1/account_links", self._create_account_link),
            ("GET", r"/v1/events", self._list_events),
            ("POST", r"/v1/identity/verification_sessions", self._create_identity_session),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                return handler(params, **match.groupdict())
        return 404, self._error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _missing(self, what: str, ident: str) -> tuple[int, dict[str, Any]]:
        return 404, self._error("invalid_request_error", f"No such {what}: '{ident}'", "resource_missing")

    # --- Checkout Sessions ----------------------------------------------------------------

    def _create_session(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        # As Stripe does: every line's unit_amount positive, the total over all lines, and an
        # application fee no larger than that total.
        lines = params["line_items"]
        if any(int(line["price_data"]["unit_amount"]) < 1 for line in lines):
            return 400, self._error(
                "invalid_request_error", "unit_amount must be at least 1", "parameter_invalid_integer"
            )
        price = lines[0]["price_data"]
        total = sum(int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1)) for line in lines)
        fee = int((params.get("payment_intent_data") or {}).get("application_fee_amount") or 0)
        if fee > total:
            return 400, self._error(
                "invalid_request_error",
                "application_fee_amount exceeds the amount",
                "parameter_invalid_integer",
            )
        session_id = "cs_test_" + secrets.token_hex(29)[:58]  # 66 characters, as Stripe's
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "payment_intent": None,
            "amount_total": total,
            "currency": price["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "payment_method_types": params.get("payment_method_types", []),
            "created": int(time.time()),
            "_params": params,
        }
        self.sessions[session_id] = session
        return 200, self._session_json(session, [])

    def _session_json(self, session: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        data = {k: v for k, v in session.items() if not k.startswith("_")}
        intent_id = data["payment_intent"]
        if intent_id and any(e.startswith("payment_intent") for e in expand):
            intent = dict(self.intents[intent_id])
            if "payment_intent.latest_charge" in expand and intent["latest_charge"]:
                intent["latest_charge"] = self._charge_json(self.charges[intent["latest_charge"]])
            data["payment_intent"] = intent
        return data

    def _get_session(self, params: dict[str, Any], id: str) -> tuple[int, dict[str, Any]]:
        if id not in self.sessions:
            return self._missing("checkout.session", id)
        return 200, self._session_json(self.sessions[id], list(params.get("expand") or []))

    def _expire_session(self, params: dict[str, Any], id: str) -> tuple[int, dict[str, Any]]:
        """As Stripe: only an open session can be expired (then it sends checkout.session.expired);
        any other is a 400 without a code."""
        session = self.sessions.get(id)
        if session is None:
            return self._missing("checkout.session", id)
        if session["status"] != "open":
            return 400, self._error(
                "invalid_request_error",
                'Only Checkout Sessions with a status in ["open"] can be expired. '
                f"This Checkout Session has a status of `{session['status']}`.",
            )
        session["status"] = "expired"
        self.event("checkout.session.expired", self._session_json(session, []))
        return 200, self._session_json(session, [])

    def _list_sessions(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        items = sorted(self.sessions.values(), key=lambda s: s["created"], reverse=True)
        if "payment_intent" in params:
            items = [s for s in items if s["payment_intent"] == params["payment_intent"]]
        if "created" in params:
            items = [s for s in items if s["created"] >= int(params["created"]["gte"])]
        return 200, self._list([self._session_json(s, []) for s in items], params)

    def _list(self, items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        if "starting_after" in params:
            ids = [item["id"] for item in items]
            items = items[ids.index(params["starting_after"]) + 1 :]
        limit = int(params.get("limit", 10))
        return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": "/v1/list"}

    # --- Charges, refunds, disputes ---------------------------------------------------------

    def _charge_json(self, charge: dict[str, Any]) -> dict[str, Any]:
        refunds = [self.refunds[r] for r in charge["_refunds"]]
        data = {k: v for k, v in charge.items() if not k.startswith("_")}
        data["refunds"] = {"object": "list", "data": refunds, "has_more": False, "url": "/v1/refunds"}
        return data

    def _get_charge(self, params: dict[str, Any], id: str) -> tuple[int, dict[str, Any]]:
        if id not in self.charges:
            return self._missing("charge", id)
        return 200, self._charge_json(self.charges[id])

    def _create_refund(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            return self._missing("payment_intent", params.get("payment_intent", ""))
        charge = self.charges[intent["latest_charge"]]
        if params.get("reverse_transfer") == "true" and not intent.get("transfer_data"):
            # Our reading of Stripe: there is no transfer on a platform charge to reverse.
            return 400, self._error(
                "invalid_request_error", "This charge has no transfer to reverse.", "parameter_invalid"
            )
        amount = int(params.get("amount", charge["amount"] - charge["amount_refunded"]))
        if amount <= 0 or charge["amount_refunded"] + amount > charge["amount"]:
            return 400, self._error(
                "invalid_request_error",
                "Refund amount is greater than unrefunded amount.",
                "amount_too_large",
            )
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "status": "succeeded",
            "currency": charge["currency"],
            "reverse_transfer": params.get("reverse_transfer") == "true",
            "refund_application_fee": params.get("refund_application_fee") == "true",
            "metadata": params.get("metadata", {}),
        }
        self.refunds[refund["id"]] = refund
        charge["_refunds"].append(refund["id"])
        if refund["reverse_transfer"] and charge.get("transfer"):
            self._reverse(self.transfers[charge["transfer"]], amount, source_refund=refund["id"])
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.event("charge.refunded", self._charge_json(charge))
        return 200, refund

    def _get_dispute(self, params: dict[str, Any], id: str) -> tuple[int, dict[str, Any]]:
        return (200, self.disputes[id]) if id in self.disputes else self._missing("dispute", id)

    # --- Transfers (separate charges and transfers) ----------------------------------------------

    def _create_transfer(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """As Stripe: to a known account, funded by source_transaction (same currency, at most
        what the charge has left after refunds and earlier transfers from it)."""
        destination = params.get("destination", "")
        if destination not in self.accounts:
            return self._missing("destination", destination)
        amount, currency = int(params["amount"]), params["currency"]
        source = params.get("source_transaction")
        if source is not None:
            charge = self.charges.get(source)
            if charge is None:
                return self._missing("charge", source)
            sent = sum(t["amount"] for t in self.transfers.values() if t["source_transaction"] == source)
            if currency != charge["currency"] or sent + amount > charge["amount"] - charge["amount_refunded"]:
                return 400, self._error(
                    "invalid_request_error",
                    "Transfer amount exceeds the funds available from the source transaction.",
                    "balance_insufficient",
                )
        transfer = {
            "id": _id("tr"),
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "currency": currency,
            "destination": destination,
            "source_transaction": source,
            "transfer_group": params.get("transfer_group"),
            "metadata": params.get("metadata", {}),
            "reversed": False,
            "created": int(time.time()),
        }
        self.transfers[transfer["id"]] = transfer
        return 200, transfer

    def _create_transfer_reversal(self, params: dict[str, Any], id: str) -> tuple[int, dict[str, Any]]:
        """As Stripe: all or part of what is left of the transfer, taken back from its destination."""
        transfer = self.transfers.get(id)
        if transfer is None:
            return self._missing("transfer", id)
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = int(params.get("amount", left))
        if amount <= 0 or amount > left:
            return 400, self._error(
                "invalid_request_error",
                "Transfer reversal amount is greater than the amount left on the transfer.",
                "amount_too_large",
            )
        return 200, self._reverse(transfer, amount, metadata=params.get("metadata", {}))

    def _reverse(
        self,
        transfer: dict[str, Any],
        amount: int,
        *,
        source_refund: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        reversal = {
            "id": _id("trr"),
            "object": "transfer_reversal",
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer["id"],
            "source_refund": source_refund,
            "metadata": metadata or {},
            "created": int(time.time()),
        }
        self.reversals[reversal["id"]] = reversal
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        return reversal

    def reversals_of(self, transfer_id: str, *, by_refund: bool = False) -> list[dict[str, Any]]:
        """The transfer's reversals: made through the API, or (by_refund) by refunds' reverse_transfer."""
        return [
            r
            for r in self.reversals.values()
            if r["transfer"] == transfer_id and (r["source_refund"] is not None) == by_refund
        ]

    # --- Connect --------------------------------------------------------------------------------

    def _create_account(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        enabled = self.accounts_enabled_on_create
        account = {
            "id": _id("acct", 16),
            "object": "account",
            "type": params.get("type"),
            "email": params.get("email"),
            "charges_enabled": enabled,
            "payouts_enabled": enabled,
            "details_submitted": enabled,
            "metadata": params.get("metadata", {}),
        }
        self.accounts[account["id"]] = account
        return 200, account

    def _get_account(self, params: dict[str, Any], id: str) -> tuple[int, dict[str, Any]]:
        return (200, self.accounts[id]) if id in self.accounts else self._missing("account", id)

    def _create_account_link(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {
            "object": "account_link",
            "url": f"https://connect.stripe.test/setup/{params['account']}",
            "expires_at": int(time.time()) + 300,
        }

    # --- Events ------------------------------------------------------------------------------------

    def _list_events(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        types = set(params.get("types") or [])
        created = params.get("created") or {}
        since = int(created.get("gte", 0))
        after = int(created["gt"]) if "gt" in created else None
        items = [
            e
            for e in reversed(self.events)
            if (not types or e["type"] in types)
            and e["created"] >= since
            and (after is None or e["created"] > after)
        ]
        return 200, self._list(items, params)

    def event(self, type: str, obj: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            event = {
                "id": _id("evt"),
                "object": "event",
                "api_version": "2026-10-28.endive",
                "created": int(time.time()),
                "type": type,
                "livemode": False,
                "data": {"object": json.loads(json.dumps(obj))},
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
            }
            self.events.append(event)
            return event

    # --- what happens at Stripe, driven by tests ----------------------------------------------

    def session_for_order(self, order_id: str) -> dict[str, Any]:
        return next(s for s in self.sessions.values() if s["client_reference_id"] == order_id)

    def complete(self, session_id: str, *, paid: bool = True, late: bool = False) -> dict[str, Any]:
        """The buyer finishes checkout: paid at once (cards) or pending (async methods).

        An expired session cannot be paid, as at Stripe: SessionExpired. ``late`` stages the race
        fulfilment still guards against, a payment that went through as the session expired.
        """
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] == "expired" and not late:
                raise SessionExpired(session_id)
            params = session["_params"]["payment_intent_data"]
            intent = {
                "id": _id("pi"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": session["currency"],
                "status": "succeeded" if paid else "processing",
                "latest_charge": None,
                "metadata": params.get("metadata", {}),
                # A destination charge carries these; a separate charge only its transfer_group.
                "application_fee_amount": int(params.get("application_fee_amount") or 0) or None,
                "transfer_data": params.get("transfer_data"),
                "on_behalf_of": params.get("on_behalf_of"),
                "transfer_group": params.get("transfer_group"),
            }
            self.intents[intent["id"]] = intent
            session.update(
                status="complete", payment_intent=intent["id"], payment_status="paid" if paid else "unpaid"
            )
            if paid:
                self._charge(intent)
            return self.event("checkout.session.completed", self._session_json(session, []))

    def _charge(self, intent: dict[str, Any]) -> dict[str, Any]:
        charge = {
            "id": _id("ch"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": 0,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "refunded": False,
            "paid": True,
            "status": "succeeded",
            "transfer_group": intent.get("transfer_group"),
            "_refunds": [],
        }
        self.charges[charge["id"]] = charge
        intent["latest_charge"] = charge["id"]
        intent["status"] = "succeeded"
        if intent.get("transfer_data"):
            # A destination charge: the whole amount goes to the connected account at once (its
            # application fee comes back to the platform separately), as this transfer.
            transfer = {
                "id": _id("tr"),
                "object": "transfer",
                "amount": charge["amount"],
                "amount_reversed": 0,
                "currency": charge["currency"],
                "destination": intent["transfer_data"]["destination"],
                "source_transaction": charge["id"],
                "transfer_group": None,
                "metadata": {},
                "reversed": False,
                "created": int(time.time()),
            }
            self.transfers[transfer["id"]] = transfer
            charge.update(transfer=transfer["id"], application_fee_amount=intent["application_fee_amount"])
        return charge

    def async_result(self, session_id: str, *, succeeded: bool) -> dict[str, Any]:
        with self.lock:
            session = self.sessions[session_id]
            intent = self.intents[session["payment_intent"]]
            if succeeded:
                self._charge(intent)
                session["payment_status"] = "paid"
                kind = "checkout.session.async_payment_succeeded"
            else:
                intent["status"] = "requires_payment_method"
                kind = "checkout.session.async_payment_failed"
            return self.event(kind, self._session_json(session, []))

    def expire(self, session_id: str) -> dict[str, Any]:
        with self.lock:
            session = self.sessions[session_id]
            session["status"] = "expired"
            return self.event("checkout.session.expired", self._session_json(session, []))

    def refund_in_dashboard(self, charge_id: str, amount: int) -> dict[str, Any]:
        with self.lock:
            charge = self.charges[charge_id]
            self._create_refund({"payment_intent": charge["payment_intent"], "amount": str(amount)})
            return self.events[-1]

    def open_dispute(self, charge_id: str) -> dict[str, Any]:
        with self.lock:
            charge = self.charges[charge_id]
            dispute = {
                "id": _id("dp"),
                "object": "dispute",
                "charge": charge_id,
                "amount": charge["amount"],
                "payment_intent": charge["payment_intent"],
                "status": "needs_response",
                "currency": charge["currency"],
            }
            self.disputes[dispute["id"]] = dispute
            return self.event("charge.dispute.created", dispute)

    def close_dispute(self, dispute_id: str, status: str) -> dict[str, Any]:
        with self.lock:
            dispute = self.disputes[dispute_id]
            dispute["status"] = status
            return self.event("charge.dispute.closed", dispute)

    def update_account(self, account_id: str, *, charges_enabled: bool) -> dict[str, Any]:
        with self.lock:
            account = self.accounts[account_id]
            account.update(charges_enabled=charges_enabled, payouts_enabled=charges_enabled)
            return self.event("account.updated", account)

    # --- Identity -------------------------------------------------------------------------------

    def _create_identity_session(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if params.get("type") not in ("document", "id_number"):
            return 400, self._error("invalid_request_error", "Invalid type.")
        session_id = _id("vs")
        session = {
            "id": session_id,
            "object": "identity.verification_session",
            "type": params["type"],
            "status": "requires_input",
            "last_error": None,
            "metadata": params.get("metadata", {}),
            "options": params.get("options", {}),
            "return_url": params.get("return_url"),
            "url": f"https://verify.stripe.test/start/{session_id}",
            "client_secret": f"{session_id}_secret_{secrets.token_hex(8)}",
            "verified_outputs": None,
            "created": int(time.time()),
        }
        self.identity_sessions[session_id] = session
        return 200, session

    def identity_result(
        self, session_id: str, *, verified: bool, error_code: str = "document_unverified_other"
    ) -> dict[str, Any]:
        """The person finished Stripe's page: the session is verified, or back to requires_input."""
        with self.lock:
            session = self.identity_sessions[session_id]
            if verified:
                session.update(status="verified", last_error=None, url=None)
                return self.event("identity.verification_session.verified", session)
            session.update(last_error={"code": error_code, "reason": "The document could not be verified."})
            return self.event("identity.verification_session.requires_input", session)

    def posts(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, payload = self.fake.handle(method, self.path, body, headers)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", _id("req"))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeStripeServer:
    """The fake on 127.0.0.1, on a free port, in a daemon thread."""

    def __init__(self) -> None:
        self.fake = FakeStripe()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
