"""A discount code's amounts and a licence tier's price are refused as a listing's price is: one
invalid_price error whose message sits on the part that is wrong, whether its type or its value is."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.core.money import CURRENCIES
from payments.models import DiscountCode, ListingLicence

pytestmark = pytest.mark.django_db

CODES = "/api/v1/seller/codes/"
FIXED = {"code": "TENOFF", "kind": "fixed", "amount": 1000, "currency": "USD"}
WHOLE_MINOR_UNITS = "Must be a whole number of minor units (e.g. 499 for $4.99)."
ABOVE_ZERO = "Give an amount above zero, in minor units (cents, fen)."


def unsupported(code: str) -> str:
    return f"Unsupported currency '{code}'. Use one of: {', '.join(CURRENCIES)}."


def assert_price_error(response: Any, field: str, message: str) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"] == {
        "code": "invalid_price",
        "message": message,
        "fields": {field: [message]},
    }


BAD_CODES = {
    "amount in words": ({"amount": "ten"}, "amount", WHOLE_MINOR_UNITS),
    "amount with a fraction": ({"amount": 9.5}, "amount", WHOLE_MINOR_UNITS),
    "amount of 24 digits": ({"amount": 10**23}, "amount", "The largest amount in USD is $10,000.00."),
    "amount just past the largest": (
        {"amount": 1_000_001},
        "amount",
        "The largest amount in USD is $10,000.00.",
    ),
    "amount zero": ({"amount": 0}, "amount", ABOVE_ZERO),
    "no amount": ({"amount": None}, "amount", ABOVE_ZERO),
    "unknown currency": ({"currency": "XYZ"}, "currency", unsupported("XYZ")),
    "no currency": ({"currency": ""}, "currency", unsupported("")),
    "minimum order in words": (
        {"min_order_amount": "lots", "min_order_currency": "USD"},
        "min_order_amount",
        WHOLE_MINOR_UNITS,
    ),
    "minimum order of 24 digits": (
        {"min_order_amount": "99999999999999999999999", "min_order_currency": "USD"},
        "min_order_amount",
        "The largest amount in USD is $10,000.00.",
    ),
    "minimum order in an unknown currency": (
        {"min_order_amount": 500, "min_order_currency": "XYZ"},
        "min_order_currency",
        unsupported("XYZ"),
    ),
}


@pytest.mark.parametrize(("change", "field", "message"), BAD_CODES.values(), ids=BAD_CODES.keys())
def test_a_codes_bad_amount_is_one_invalid_price_error(seller_api, change, field, message):
    response = seller_api.post(CODES, {**FIXED, **change}, format="json")
    assert_price_error(response, field, message)
    assert not DiscountCode.objects.exists()


def test_a_fixed_code_at_the_largest_amount_is_created(seller_api):
    response = seller_api.post(CODES, {**FIXED, "amount": "1000000", "currency": "usd"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == {"amount": 1_000_000, "currency": "USD", "display": "$10,000.00"}


BAD_TIERS = {
    "amount in words": ({"commercial": {"amount": "ten"}}, "commercial.amount", WHOLE_MINOR_UNITS),
    "amount of 24 digits": (
        {"extended": {"amount": 10**23}},
        "extended.amount",
        "The largest price in CNY is CN¥70,000.00.",
    ),
    "amount below the smallest price": (
        {"commercial": {"amount": 1}},
        "commercial.amount",
        "The smallest non-zero price in CNY is CN¥4.00.",
    ),
    "amount zero": ({"commercial": {"amount": 0}}, "commercial.amount", ABOVE_ZERO),
    "multiple below 1x": (
        {"commercial": {"multiple_bps": 5000}},
        "commercial.multiple_bps",
        "Give a multiple from 1x (10000) to 100x (1000000).",
    ),
    "multiple in words": (
        {"commercial": {"multiple_bps": "lots"}},
        "commercial.multiple_bps",
        "A valid integer is required.",
    ),
    "an amount and a multiple": (
        {"extended": {"amount": 9900, "multiple_bps": 20000}},
        "extended.amount",
        "Give an amount or a multiple of the base price, not both.",
    ),
    "a tier that is not an object": (
        {"commercial": 9900},
        "commercial",
        "Invalid data. Expected a dictionary, but got int.",
    ),
}


@pytest.mark.parametrize(("tiers", "field", "message"), BAD_TIERS.values(), ids=BAD_TIERS.keys())
def test_a_bad_licence_tier_is_one_invalid_price_error(seller_api, listing, tiers, field, message):
    ListingLicence.objects.create(listing=listing, licence="commercial", multiple_bps=30000)
    response = seller_api.put(f"/api/v1/seller/listings/{listing.public_id}/licences/", tiers, format="json")
    assert_price_error(response, field, message)
    assert list(ListingLicence.objects.values_list("licence", "amount", "multiple_bps")) == [
        ("commercial", None, 30000)
    ]
