"""JSON bodies nested absurdly deep are a 400 envelope from every endpoint, signed in or not.

Python's json module fails with a RecursionError (a 500) past its recursion limit, and orjson
stops at 1024 levels; the API parser refuses anything past 64 levels before a serializer walks it.
"""

from __future__ import annotations

import pytest

from marketplace.accounts.models import User
from marketplace.core.parsers import MAX_INTEGER_DIGITS, MAX_JSON_DEPTH, load_json
from marketplace.tutoring.models import Booking, TutoringOffer
from prompts.models import Listing
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def in_a_field(depth: int) -> str:
    return '{"title": "Deep", "languages": ' + nested_lists(depth - 1) + "}"


TOO_DEEP = {
    "65 lists": nested_lists(MAX_JSON_DEPTH + 1),
    "65 objects": nested_objects(MAX_JSON_DEPTH + 1),
    "65 levels inside a field": in_a_field(MAX_JSON_DEPTH + 1),
    "1025 lists": nested_lists(1025),
    "100000 lists": nested_lists(100_000),
    "100000 objects": nested_objects(100_000),
}


def assert_too_deep(response) -> None:
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "too_deeply_nested"
    assert error["message"] == (
        "The request body nests lists and objects more than 64 levels deep; flatten it."
    )


@pytest.mark.parametrize("body", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_signed_out_endpoints_refuse_deep_bodies(anon, body):
    for url in ("/api/v1/auth/token/", "/api/v1/auth/register/"):
        assert_too_deep(anon.post(url, body, content_type="application/json"))
    assert not User.objects.exists()


@pytest.mark.parametrize("body", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_signed_in_endpoints_refuse_deep_bodies_and_write_nothing(
    seller, seller_api, buyer, client_for, body
):
    offer = make_offer(seller)
    for url in ("/api/v1/seller/listings/", "/api/v1/seller/tutoring/offers/"):
        assert_too_deep(seller_api.post(url, body, content_type="application/json"))
    assert_too_deep(
        seller_api.patch(
            f"/api/v1/seller/tutoring/offers/{offer.public_id}/", body, content_type="application/json"
        )
    )
    buyer_api = client_for(buyer)
    assert_too_deep(
        buyer_api.post(
            f"/api/v1/tutoring/offers/{offer.public_id}/bookings/", body, content_type="application/json"
        )
    )
    assert not Listing.objects.exists()
    assert TutoringOffer.objects.get().title == "Prompt craft 1:1"
    assert not Booking.objects.exists()


def test_sixty_four_levels_reach_the_fields_rules(seller_api):
    response = seller_api.post(
        "/api/v1/seller/tutoring/offers/", in_a_field(MAX_JSON_DEPTH), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "languages" in response.json()["error"]["fields"]


LONG = "9" * 23  # past 64 bits: orjson alone would read it as the float 1e+23
UNREADABLE = [
    '"\\ud800"',
    '{"title": "\\udfff"}',
    "NaN",
    '{"a": Infinity}',
    "{",
    # Bodies with a long integer are read again exactly, and refused the same way.
    f'["\\ud800", {LONG}]',
    f"[NaN, {LONG}]",
    f"[1e400, {LONG}]",
    "[1e400]",
    f'[1{"0" * 400}, "\\udfff"]',
    f"[{LONG}, ",
]


@pytest.mark.parametrize("body", UNREADABLE)
def test_unreadable_json_is_a_400_envelope(anon, body):
    response = anon.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_the_refusals_speak_the_visitors_language(anon):
    body = nested_lists(MAX_JSON_DEPTH + 1)
    response = anon.post(
        "/api/v1/auth/token/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["error"]["message"] == "请求体中的列表和对象嵌套超过 64 层；请减少嵌套。"
    response = anon.post(
        "/api/v1/auth/token/", {"email": "a\x00"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["error"]["message"] == "email 含有控制字符（例如 NUL 字节）；请删除后重试。"


def test_a_json_body_past_the_upload_limit_is_a_413_and_writes_nothing(seller_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = '{"title": "Big", "description": "' + "x" * 5000 + '"}'
    response = seller_api.post("/api/v1/seller/listings/", body, content_type="application/json")
    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"]["code"] == "request_too_large"
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("body", "value"),
    [
        (f'{{"amount": {LONG}}}', {"amount": int(LONG)}),
        ("[18446744073709551616, -9223372036854775809]", [2**64, -(2**63) - 1]),
        (f"[1{'0' * 400}, -{'9' * 5000}]", [10**MAX_INTEGER_DIGITS, -(10**MAX_INTEGER_DIGITS)]),
        (f'{{"title": "{LONG}", "ratio": 1.5, "big": 1e30}}', {"title": LONG, "ratio": 1.5, "big": 1e30}),
    ],
    ids=["23 digits", "just past 64 bits", "past a double's range", "digits in a string"],
)
def test_integers_are_read_exactly_however_long(body, value):
    assert load_json(body) == value
    assert load_json(body.encode()) == value


def test_a_long_integer_before_deep_nesting_is_still_too_deep(anon):
    body = f"[1{'0' * 400}, " + nested_lists(100_000) + "]"  # orjson stops at the number first
    assert_too_deep(anon.post("/api/v1/auth/token/", body, content_type="application/json"))
