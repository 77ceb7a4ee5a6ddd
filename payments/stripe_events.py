"""The shape of a signed Stripe event, checked before anything acts on it.

A correctly signed body can still be unusable: not JSON, not an object, an event without id,
type or data.object, or fields of the wrong type. Such a body is refused with MalformedEvent
(the webhook answers 400, which Stripe does not retry) instead of failing later in a handler
with a 500, which Stripe would retry for three days. Only the fields our handlers read are
checked, so new fields Stripe adds never make an event malformed.
"""

from __future__ import annotations

from typing import Any

from marketplace.core.text import has_control_character
from payments.gateway import Event, MalformedEvent

MAX_ID = 255  # WebhookEvent.event_id and object_id
MAX_TYPE = 100  # WebhookEvent.type
# Every handler of these looks its object up by id.
NEEDS_OBJECT_ID = ("checkout.session.", "charge.", "account.", "identity.")
_SESSION_STRINGS = ("client_reference_id", "status", "payment_status", "currency")


def _identifier(value: Any, what: str, event_id: str, *, limit: int = MAX_ID) -> str:
    if not isinstance(value, str) or not value or len(value) > limit or has_control_character(value):
        raise MalformedEvent(f"{what} is not a non-empty string of at most {limit} characters", event_id)
    return value


def _optional(data: dict[str, Any], name: str, kinds: type | tuple[type, ...], event_id: str) -> None:
    value = data.get(name)
    if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
        raise MalformedEvent(f"data.object.{name} has the wrong type", event_id)
    if isinstance(value, str) and has_control_character(value):
        raise MalformedEvent(f"data.object.{name} holds a control character", event_id)


def _check_session(session: dict[str, Any], event_id: str) -> None:
    """What SessionState is built from (payments.stripe_client._session)."""
    for name in _SESSION_STRINGS:
        _optional(session, name, str, event_id)
    _optional(session, "amount_total", int, event_id)
    _optional(session, "metadata", dict, event_id)
    _optional(session.get("metadata") or {}, "order_id", str, event_id)
    _optional(session, "payment_intent", (str, dict), event_id)
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        _identifier(intent.get("id"), "data.object.payment_intent.id", event_id)
        _optional(intent, "latest_charge", (str, dict), event_id)
        charge = intent.get("latest_charge")
        if isinstance(charge, dict):
            _identifier(charge.get("id"), "data.object.payment_intent.latest_charge.id", event_id)


def event_from_webhook(data: Any) -> Event:
    """The Event of a parsed webhook body, or MalformedEvent saying what is wrong."""
    if not isinstance(data, dict):
        raise MalformedEvent("the body is not a JSON object", "")
    raw_id = data.get("id")
    event_id = raw_id if isinstance(raw_id, str) and not has_control_character(raw_id) else ""
    if data.get("object") != "event":
        raise MalformedEvent("object is not \"event\" (a thin or foreign payload)", event_id)
    _identifier(raw_id, "id", event_id)
    event_type = _identifier(data.get("type"), "type", event_id, limit=MAX_TYPE)
    payload = data.get("data")
    obj = payload.get("object") if isinstance(payload, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object is not an object", event_id)
    object_id = obj.get("id", "")
    if event_type.startswith(NEEDS_OBJECT_ID) or object_id != "":
        object_id = _identifier(object_id, "data.object.id", event_id)
    if event_type.startswith("checkout.session."):
        _check_session(obj, event_id)
    created = data.get("created", 0)
    if not isinstance(created, int) or isinstance(created, bool):
        raise MalformedEvent("created is not an integer", event_id)
    return Event(id=event_id, type=event_type, object_id=object_id, object=obj, created=created)
