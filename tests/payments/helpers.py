from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.support.fake_stripe import WEBHOOK_SECRET, sign


def deliver(
    event: dict[str, Any],
    *,
    timestamp: int | None = None,
    secret: str = WEBHOOK_SECRET,
    body: str | None = None,
    client: Client | None = None,
) -> Any:
    """POST an event to the webhook exactly as Stripe does: raw JSON body, signed header."""
    payload = json.dumps(event) if body is None else body
    return (client or Client()).post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(json.dumps(event), secret, timestamp),
    )


def checkout(api: Any, listing: Any, key: str | None = None) -> dict[str, Any]:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = api.post(f"/api/v1/listings/{listing.public_id}/checkout/", **headers)
    assert response.status_code == 201, response.json()
    return response.json()
