"""A webhook body with a valid signature that is not a usable event is a 400, logged with its id.

Stripe retries any 5xx for three days, so a malformed but signed body must never be one; a bad
signature is checked first and stays the 400 it was.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from payments.models import WebhookEvent
from tests.support.fake_stripe import sign

pytestmark = pytest.mark.django_db


def post_signed(raw: str | bytes, *, signature: str | None = None) -> Any:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return Client().post(
        "/webhooks/stripe/",
        data=raw,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(text),
    )


def event(type: str = "checkout.session.completed", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "evt_malformed_1",
        "object": "event",
        "created": 1_790_000_000,
        "type": type,
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid"}},
    }
    body.update(changes)
    return body


def with_object(**fields: Any) -> dict[str, Any]:
    return event(data={"object": {"id": "cs_test_1", "object": "checkout.session", **fields}})


MALFORMED = {
    "not json": "this is not json",
    "truncated json": '{"id": "evt_1", "object": "event"',
    "a list": "[1, 2, 3]",
    "a string": '"evt_1"',
    "no id": json.dumps({k: v for k, v in event().items() if k != "id"}),
    "no type": json.dumps({k: v for k, v in event().items() if k != "type"}),
    "no data": json.dumps({k: v for k, v in event().items() if k != "data"}),
    "no data.object": json.dumps(event(data={})),
    "data is a list": json.dumps(event(data=[{"object": {}}])),
    "data.object is a string": json.dumps(event(data={"object": "cs_test_1"})),
    "id is a number": json.dumps(event(id=12345)),
    "id holds a NUL": json.dumps(event(id="evt_\x00_1")),
    "id is 10k long": json.dumps(event(id="evt_" + "x" * 10_000)),
    "type is a list": json.dumps(event(type=["checkout.session.completed"])),
    "created is text": json.dumps(event(created="yesterday")),
    "session without id": json.dumps(event(data={"object": {"object": "checkout.session"}})),
    "session id is a number": json.dumps(event(data={"object": {"id": 7}})),
    "charge without id": json.dumps(event("charge.refunded", data={"object": {"object": "charge"}})),
    "metadata is a list": json.dumps(with_object(metadata=["order_id"])),
    "order id is a number": json.dumps(with_object(metadata={"order_id": 5})),
    "amount_total is text": json.dumps(with_object(amount_total="1990")),
    "payment_status is an object": json.dumps(with_object(payment_status={"paid": True})),
    "payment_intent is a number": json.dumps(with_object(payment_intent=42)),
    "payment_intent without id": json.dumps(with_object(payment_intent={"latest_charge": "ch_1"})),
    "client_reference_id holds a NUL": json.dumps(with_object(client_reference_id="ord\x00")),
    "100 levels deep": json.dumps(
        event(data={"object": {"id": "cs_1", "x": json.loads("[" * 100 + "]" * 100)}})
    ),
    "100000 levels deep": '{"id": "evt_deep", "object": "event", "data": '
    + "[" * 100_000
    + "]" * 100_000
    + "}",
    "thin event": json.dumps({"id": "evt_thin_1", "object": "v2.core.event", "type": "x"}),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_malformed_body_is_a_400_and_records_nothing(stripe_fake, raw):
    response = post_signed(raw)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_event"
    assert response.json()["error"]["message"].startswith("The event is not usable: ")
    assert not WebhookEvent.objects.exists()


def test_the_refusal_is_logged_at_warning_with_the_event_id(stripe_fake, caplog):
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        post_signed(json.dumps(event(created="yesterday")))
    [record] = [r for r in caplog.records if r.name == "payments.views"]
    assert record.levelno == logging.WARNING
    assert "evt_malformed_1" in record.getMessage() and "created" in record.getMessage()


def test_a_body_without_an_id_is_logged_as_such(stripe_fake, caplog):
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        post_signed("[]")
    assert "webhook (no id): malformed event refused" in caplog.text


@pytest.mark.parametrize("raw", ["this is not json", json.dumps(event(data={}))])
def test_the_signature_is_still_checked_first(stripe_fake, raw):
    response = post_signed(raw, signature=sign("something else"))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_signature")


def test_an_event_type_we_do_not_handle_needs_no_object_id(stripe_fake):
    response = post_signed(json.dumps(event("balance.available", data={"object": {"object": "balance"}})))
    assert response.status_code == 200
