from __future__ import annotations

from datetime import time
from typing import Any

from marketplace.accounts.models import User
from marketplace.tutoring import services
from marketplace.tutoring.models import TutoringOffer

EVERY_DAY = range(7)


def make_offer(
    seller: User,
    *,
    tz: str = "Asia/Shanghai",
    windows: list[tuple[int, str, str]] | None = None,
    **fields: Any,
) -> TutoringOffer:
    """An offer with weekly windows [(weekday, "09:00", "12:00")]; by default every day 09-12."""
    defaults: dict[str, Any] = {
        "title": "Prompt craft 1:1",
        "duration_minutes": 60,
        "price_amount": 19900,
        "price_currency": "CNY",
        "min_notice_minutes": 0,
        "max_days_ahead": 60,
        "timezone": tz,
        "meeting_link": "https://meet.example.com/tutor",
    }
    offer = services.offer_create(seller=seller, **{**defaults, **fields})
    rules = windows if windows is not None else [(day, "09:00", "12:00") for day in EVERY_DAY]
    services.availability_set(
        offer=offer,
        weekly=[services.Rule(day, time.fromisoformat(a), time.fromisoformat(b)) for day, a, b in rules],
        overrides=[],
    )
    return offer


def book(api: Any, offer: TutoringOffer, start: str, key: str = "", **body: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    url = f"/api/v1/tutoring/offers/{offer.public_id}/bookings/"
    return api.post(url, {"start": start, **body}, format="json", **headers)


def slots(api: Any, offer: TutoringOffer, **params: str) -> Any:
    return api.get(f"/api/v1/tutoring/offers/{offer.public_id}/slots/", params)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def pay_in_sandbox(order_id: str, *, commit: bool = True) -> None:
    """The sandbox checkout's Pay button, then the one fulfilment function, as the page does.

    commit=False leaves on-commit work (the confirmation email task) unrun, as if it were lost.
    """
    from django.test import TestCase

    from payments import services
    from payments.models import Order
    from payments.sandbox import SandboxGateway

    order = Order.objects.get(public_id=order_id)
    state = SandboxGateway().pay(order.checkout_session_id or "")
    with TestCase.captureOnCommitCallbacks(execute=commit):
        services.order_apply_session(session=state)


def booked_and_paid(api: Any, offer: TutoringOffer, start: str, **body: Any) -> dict[str, Any]:
    response = book(api, offer, start, **body)
    assert response.status_code == 201, response.json()
    pay_in_sandbox(response.json()["order_id"])
    return dict(response.json())
