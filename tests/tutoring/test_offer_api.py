from __future__ import annotations

from typing import Any

from tests.tutoring.helpers import make_offer


def _patch(api: Any, offer: Any, body: dict[str, Any]) -> Any:
    return api.patch(f"/api/v1/seller/tutoring/offers/{offer.public_id}/", body, format="json")


def test_a_patch_can_change_the_price_amount_alone(seller: Any, seller_api: Any) -> None:
    offer = make_offer(seller, price_amount=19900, price_currency="CNY")
    response = _patch(seller_api, offer, {"price": {"amount": 25000}})
    assert response.status_code == 200, response.content
    assert response.json()["price"]["amount"] == 25000
    assert response.json()["price"]["currency"] == "CNY"


def test_a_patch_can_change_the_price_currency_alone(seller: Any, seller_api: Any) -> None:
    offer = make_offer(seller, price_amount=19900, price_currency="CNY")
    response = _patch(seller_api, offer, {"price": {"currency": "usd"}})
    assert response.status_code == 200, response.content
    assert response.json()["price"] == {"amount": 19900, "currency": "USD", "display": "$199.00"}
