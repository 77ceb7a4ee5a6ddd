"""The OpenAPI schema tells the truth: what a client generated from it meets is what it says."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.accounts.services import token_create
from tests.factories import make_listing
from tests.support.openapi import RAW_SCHEMA, checked_call
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db

OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in RAW_SCHEMA["paths"].items()
    for method, operation in operations.items()
]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = RAW_SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _body_schema(method: str, path: str, status: str) -> dict[str, Any]:
    content = RAW_SCHEMA["paths"][path][method.lower()]["responses"][status]["content"]
    return _resolve(content["application/json"]["schema"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/library/",
        "/api/v1/seller/sales/",
        "/api/v1/seller/tutoring/offers/",
        "/api/v1/me/bookings/",
        "/api/v1/seller/bookings/",
        "/api/v1/seller/bundles/",
        "/api/v1/bundles/",
        "/api/v1/seller/codes/",
        "/api/v1/seller/statements/",
    ],
)
def test_a_cursor_this_api_never_gave_is_a_400_not_a_404(path: str, seller: Any) -> None:
    _, token = token_create(user=seller)
    response = checked_call("GET", path, token, query={"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_a_bad_cursor_on_public_offer_reviews_is_a_400(seller: Any) -> None:
    offer = make_offer(seller)
    response = checked_call(
        "GET",
        "/api/v1/tutoring/offers/{public_id}/reviews/",
        path_parameters={"public_id": offer.public_id},
        query={"cursor": "garbage"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cursor": ["Not a cursor returned by this API."]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/seller/listings/"),
        ("GET", "/api/v1/me/library/"),
        ("GET", "/api/v1/seller/sales/"),
        ("GET", "/api/v1/me/bookings/"),
        ("GET", "/api/v1/seller/bookings/"),
        ("GET", "/api/v1/seller/tutoring/offers/"),
        ("GET", "/api/v1/tutoring/offers/{public_id}/reviews/"),
        ("GET", "/api/v1/me/favourites/"),
    ],
)
def test_lists_are_documented_as_the_pages_they_are(method: str, path: str) -> None:
    page = _body_schema(method, path, "200")
    assert page["type"] == "object"
    assert page["properties"]["results"]["type"] == "array"
    assert {"next", "results"} <= set(page["required"])


def test_the_catalogs_relative_next_link_is_not_declared_a_uri(seller: Any, anon: Any) -> None:
    make_listing(seller, publish=True)
    make_listing(seller, publish=True, title="Second")
    response = checked_call("GET", "/api/v1/listings/", query={"page_size": 1})
    assert response.json()["next"].startswith("/api/v1/listings/?")
    assert "format" not in _body_schema("GET", "/api/v1/listings/", "200")["properties"]["next"]


def test_every_operation_documents_its_failures_as_the_envelope() -> None:
    for method, path, operation in OPERATIONS:
        codes = set(operation["responses"])
        if "{" in path:
            assert "404" in codes, (method, path)
        if method in ("POST", "PUT", "PATCH"):
            assert "400" in codes, (method, path)
        if any(requirement for requirement in operation.get("security", [])):
            assert "401" in codes, (method, path)
        for code in codes - {"200", "201", "202", "204"}:
            schema = _body_schema(method, path, code)
            detail = _resolve(schema["properties"]["error"])
            assert set(detail["required"]) >= {"code", "message", "fields"}, (method, path, code)


def test_public_reads_are_documented_without_a_required_token() -> None:
    operation = RAW_SCHEMA["paths"]["/api/v1/listings/{public_id}/reviews/"]["get"]
    assert {} in operation["security"]


def test_onboarding_answers_the_status_it_documents(seller: Any) -> None:
    _, token = token_create(user=seller)
    response = checked_call("POST", "/api/v1/seller/payouts/onboarding/", token)
    assert response.status_code == 201
    assert response.json()["account"]["id"]


def test_facet_counts_match_their_documented_shape(seller: Any) -> None:
    make_listing(seller, publish=True)
    response = checked_call("GET", "/api/v1/listings/", query={"facets": "true"})
    assert response.json()["facets"]["capped"] is False


def test_a_draft_listing_matches_the_documented_shape(seller: Any) -> None:
    _, token = token_create(user=seller)
    draft = make_listing(seller)
    response = checked_call(
        "GET", "/api/v1/seller/listings/{public_id}/", token, path_parameters={"public_id": draft.public_id}
    )
    assert response.json()["published_at"] is None


def test_registering_a_taken_email_is_the_documented_409(seller: Any) -> None:
    body = {"email": seller.email, "password": "a-long-password-42", "handle": "someone-new"}
    response = checked_call("POST", "/api/v1/auth/register/", body=body, media_type="application/json")
    assert response.status_code == 409


def _property(schema_name: str, name: str) -> dict[str, Any]:
    node = RAW_SCHEMA["components"]["schemas"][schema_name]["properties"][name]
    return _resolve(node["allOf"][0] if "allOf" in node else node)


@pytest.mark.parametrize(
    ("schema_name", "field"),
    [
        ("ListingInputRequest", "price"),
        ("PatchedListingUpdateInputRequest", "price"),
        ("OfferInputRequest", "price"),
        ("PatchedOfferInputRequest", "price"),
    ],
)
def test_a_price_input_is_documented_with_its_refusal(schema_name: str, field: str) -> None:
    price = _property(schema_name, field)
    assert price["properties"]["amount"]["type"] == "integer"
    assert price["properties"]["currency"] == {
        "type": "string",
        "minLength": 3,
        "maxLength": 3,
        "description": "ISO 4217, one of USD, CNY, EUR, GBP, JPY, HKD, SGD, AUD, CAD, CHF, KRW.",
    }
    assert "`invalid_price`" in price["description"] and "`price.amount`" in price["description"]


def test_licence_tiers_are_documented_with_their_refusal() -> None:
    tier = _property("LicencesInputRequest", "commercial")
    assert set(tier["properties"]) == {"amount", "multiple_bps"}
    assert tier["properties"]["amount"]["type"] == "integer"
    assert "`invalid_price`" in tier["description"]
