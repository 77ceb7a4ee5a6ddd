"""The seller's listing API refuses bad input with a clear 4xx and leaves the data as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prompts.models import Listing, ListingEvent, PromptVersion
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/seller/listings/"

VALID = {
    "title": "Panda emoji pack",
    "description": "Round pandas with twelve moods.",
    "target_model": "midjourney",
    "category": "emoji",
    "tags": ["panda", "emoji"],
    "price": {"amount": 399, "currency": "USD"},
    "prompt_text": "cute [animal] emoji, [mood], thick outline --niji 6",
}


def with_changes(**changes: Any) -> dict[str, Any]:
    return {**VALID, **changes}


PRICE_PARTS = {"price", "price.amount", "price.currency"}


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert error["message"]
    if field is not None:
        assert field in error["fields"], error
        assert all(error["fields"][field])
    if code == "invalid_price":  # one shape, whether the type or the value is wrong
        assert set(error["fields"]) <= PRICE_PARTS, error
        assert error["message"] == error["fields"][field][0], error
    return error


def assert_nothing_created() -> None:
    assert not Listing.objects.exists()
    assert not PromptVersion.objects.exists()
    assert not ListingEvent.objects.exists()


# --- Creating ------------------------------------------------------------------------------------

BAD_CREATE = {
    "price amount as words": (
        with_changes(price={"amount": "abc", "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price amount with a fraction": (
        with_changes(price={"amount": 12.5, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price amount as a decimal string": (
        with_changes(price={"amount": "12.0", "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price amount true": (
        with_changes(price={"amount": True, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price amount null": (
        with_changes(price={"amount": None, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price without currency": (with_changes(price={"amount": 399}), "invalid_price", "price.currency"),
    "price as a number": (with_changes(price=399), "invalid_price", "price"),
    "price null": (with_changes(price=None), "invalid_price", "price"),
    "negative price": (
        with_changes(price={"amount": -100, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "absurd price": (
        with_changes(price={"amount": 10**15, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price just over the USD maximum": (
        with_changes(price={"amount": 1_000_001, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price just over the JPY maximum": (
        with_changes(price={"amount": 1_500_001, "currency": "JPY"}),
        "invalid_price",
        "price.amount",
    ),
    "price below the USD minimum": (
        with_changes(price={"amount": 49, "currency": "USD"}),
        "invalid_price",
        "price.amount",
    ),
    "price below the CNY minimum": (
        with_changes(price={"amount": 399, "currency": "CNY"}),
        "invalid_price",
        "price.amount",
    ),
    "unknown currency": (
        with_changes(price={"amount": 399, "currency": "XYZ"}),
        "invalid_price",
        "price.currency",
    ),
    "two-letter currency": (
        with_changes(price={"amount": 399, "currency": "US"}),
        "invalid_price",
        "price.currency",
    ),
    "currency as a number": (
        with_changes(price={"amount": 399, "currency": 840}),
        "invalid_price",
        "price.currency",
    ),
    "formatted yen amount": (
        with_changes(price={"amount": "¥500", "currency": "JPY"}),
        "invalid_price",
        "price.amount",
    ),
    "tags as a string": (with_changes(tags="panda, emoji"), "invalid", "tags"),
    "tags null": (with_changes(tags=None), "invalid", "tags"),
    "an eleventh tag": (with_changes(tags=[f"tag-{n}" for n in range(11)]), "invalid", "tags"),
    "a tag of 31 characters": (with_changes(tags=["panda", "x" * 31]), "invalid", "tags"),
    "a tag of 61 characters": (with_changes(tags=["x" * 61]), "invalid", "tags"),
    "title of 121 characters": (with_changes(title="x" * 121), "invalid", "title"),
    "title of spaces": (with_changes(title="   "), "invalid", "title"),
    "title true": (with_changes(title=True), "invalid", "title"),
    "title a list": (with_changes(title=["Panda"]), "invalid", "title"),
    "no title": ({k: v for k, v in VALID.items() if k != "title"}, "invalid", "title"),
    "title with a NUL byte": (with_changes(title="Panda\x00pack"), "invalid_characters", "title"),
    "unknown category": (with_changes(category="memes"), "invalid", "category"),
    "unknown model": (with_changes(target_model="gpt-9"), "invalid", "target_model"),
    "unknown language": (with_changes(language="fr"), "invalid", "language"),
    "empty prompt": (with_changes(prompt_text=""), "invalid", "prompt_text"),
    "prompt of whitespace": (with_changes(prompt_text="  \n\t "), "invalid", "prompt_text"),
    "prompt over 20000 characters": (with_changes(prompt_text="x" * 20_001), "invalid", "prompt_text"),
    "description over 5000 characters": (with_changes(description="x" * 5001), "invalid", "description"),
    "six example outputs": (with_changes(example_outputs=["x"] * 6), "invalid", "example_outputs"),
}


@pytest.mark.parametrize(("payload", "code", "field"), list(BAD_CREATE.values()), ids=list(BAD_CREATE))
def test_bad_create_is_refused_and_creates_nothing(seller_api, payload, code, field):
    response = seller_api.post(LISTINGS, payload, format="json")
    assert_error(response, 400, code, field)
    assert_nothing_created()


def test_price_errors_say_what_is_allowed(seller_api):
    too_cheap = seller_api.post(
        LISTINGS, with_changes(price={"amount": 49, "currency": "USD"}), format="json"
    )
    assert "$0.50" in too_cheap.json()["error"]["message"]
    too_dear = seller_api.post(
        LISTINGS, with_changes(price={"amount": 1_000_001, "currency": "USD"}), format="json"
    )
    assert "$10,000.00" in too_dear.json()["error"]["message"]
    unknown = seller_api.post(LISTINGS, with_changes(price={"amount": 399, "currency": "XYZ"}), format="json")
    assert "USD" in unknown.json()["error"]["message"]
    assert_nothing_created()


LARGE_AMOUNTS = {
    "2**63": 2**63,
    "2**64": 2**64,
    "24 digits": 10**23,
    "23 digits as a string": "99999999999999999999999",
    "401 digits": 10**400,
    "5000 digits as a string": "9" * 5000,
}


@pytest.mark.parametrize("amount", LARGE_AMOUNTS.values(), ids=LARGE_AMOUNTS.keys())
def test_any_amount_past_the_largest_price_is_too_large_however_long(seller_api, amount):
    response = seller_api.post(
        LISTINGS, with_changes(price={"amount": amount, "currency": "USD"}), format="json"
    )
    error = assert_error(response, 400, "invalid_price", "price.amount")
    assert error["fields"] == {"price.amount": ["The largest price in USD is $10,000.00."]}
    assert_nothing_created()


def test_a_long_negative_amount_is_negative(seller_api):
    response = seller_api.post(
        LISTINGS, with_changes(price={"amount": -(10**23), "currency": "JPY"}), format="json"
    )
    error = assert_error(response, 400, "invalid_price", "price.amount")
    assert error["message"] == "Price cannot be negative."


def test_a_wrong_amount_and_currency_are_both_named(seller_api):
    response = seller_api.post(
        LISTINGS, with_changes(price={"amount": "4.99", "currency": "usd!"}), format="json"
    )
    error = assert_error(response, 400, "invalid_price", "price.amount")
    assert error["fields"]["price.amount"] == ["Must be a whole number of minor units (e.g. 499 for $4.99)."]
    assert error["fields"]["price.currency"][0].startswith("Unsupported currency 'usd!'.")


def test_a_bad_price_beside_another_bad_field_keeps_its_path(seller_api):
    response = seller_api.post(
        LISTINGS, with_changes(title="", price={"amount": "abc", "currency": "USD"}), format="json"
    )
    error = assert_error(response, 400, "invalid", "title")
    assert set(error["fields"]) == {"title", "price.amount"}
    assert error["fields"]["price.amount"] == ["Must be a whole number of minor units (e.g. 499 for $4.99)."]
    assert_nothing_created()


def test_price_errors_speak_the_visitors_language(seller_api):
    response = seller_api.post(
        LISTINGS,
        with_changes(price={"amount": "abc", "currency": "USD"}),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    error = assert_error(response, 400, "invalid_price", "price.amount")
    assert error["message"] == "必须是以最小货币单位计的整数（例如 $4.99 写作 499）。"


@pytest.mark.parametrize(
    ("price", "display"),
    [
        ({"amount": 1_000_000, "currency": "USD"}, "$10,000.00"),
        ({"amount": 50, "currency": "USD"}, "$0.50"),
        ({"amount": 0, "currency": "USD"}, "$0.00"),
        ({"amount": 500, "currency": "jpy"}, "JP¥500"),
        ({"amount": "1500", "currency": "CNY"}, "CN¥15.00"),
    ],
)
def test_prices_at_the_limits_are_accepted(seller_api, price, display):
    response = seller_api.post(LISTINGS, with_changes(price=price), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["price"]["display"] == display
    assert Listing.objects.get().price_amount == int(price["amount"])


def test_a_numeric_title_is_taken_as_text(seller_api):
    response = seller_api.post(LISTINGS, with_changes(title=2024), format="json")
    assert response.status_code == 201, response.json()
    assert Listing.objects.get().title == "2024"


def test_ten_tags_of_thirty_characters_are_accepted(seller_api):
    tags = [f"{n}" * 30 for n in range(10)]
    response = seller_api.post(LISTINGS, with_changes(tags=tags), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["tags"] == sorted(tags)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"title": "Panda", ', "application/json", 400, "malformed_request"),
        ("not json at all", "application/json", 400, "malformed_request"),
        ("[]", "application/json", 400, "invalid"),
        ("null", "application/json", 400, "invalid"),
        ('"Panda emoji pack"', "application/json", 400, "invalid"),
        ("title=Panda", "text/plain", 415, "unsupported_media_type"),
        (json.dumps(with_changes(title="pan\ud800da")), "application/json", 400, "malformed_request"),
    ],
)
def test_unreadable_body_is_refused(seller_api, body, content_type, status, code):
    response = seller_api.post(LISTINGS, body, content_type=content_type)
    assert_error(response, status, code)
    assert_nothing_created()


def test_huge_body_is_refused_with_an_envelope(seller_api):
    response = seller_api.post(LISTINGS, with_changes(title="x" * 10 * 1024 * 1024), format="json")
    assert_error(response, 413, "request_too_large")
    assert_nothing_created()


# --- Editing -------------------------------------------------------------------------------------


def snapshot(listing: Listing) -> dict[str, Any]:
    listing = Listing.objects.get(pk=listing.pk)
    return {
        "row": {
            field: getattr(listing, field)
            for field in (
                "title",
                "description",
                "category",
                "target_model",
                "language",
                "price_amount",
                "price_currency",
                "status",
                "variables",
                "updated_at",
            )
        },
        "tags": sorted(listing.tags.values_list("slug", flat=True)),
        "versions": list(listing.versions.values_list("number", "text", "usage_notes")),
        "events": listing.events.count(),
    }


BAD_EDIT = {
    "price amount as words": ({"price": {"amount": "abc"}}, "invalid_price", "price.amount"),
    "price amount with a fraction": ({"price": {"amount": 12.5}}, "invalid_price", "price.amount"),
    "price amount true": ({"price": {"amount": True}}, "invalid_price", "price.amount"),
    "price amount null": ({"price": {"amount": None}}, "invalid_price", "price.amount"),
    "price null": ({"price": None}, "invalid_price", "price"),
    "price amount of 24 digits": ({"price": {"amount": 10**23}}, "invalid_price", "price.amount"),
    "negative price": ({"price": {"amount": -1}}, "invalid_price", "price.amount"),
    "absurd price": ({"price": {"amount": 10**15}}, "invalid_price", "price.amount"),
    "price just over the maximum": ({"price": {"amount": 1_000_001}}, "invalid_price", "price.amount"),
    "price below the minimum": ({"price": {"amount": 1}}, "invalid_price", "price.amount"),
    "unknown currency": ({"price": {"currency": "XYZ"}}, "invalid_price", "price.currency"),
    "formatted yen amount": (
        {"price": {"amount": "¥500", "currency": "JPY"}},
        "invalid_price",
        "price.amount",
    ),
    "tags as a string": ({"tags": "neon"}, "invalid", "tags"),
    "an eleventh tag": ({"tags": [f"tag-{n}" for n in range(11)]}, "invalid", "tags"),
    "a tag of 31 characters": ({"tags": ["x" * 31]}, "invalid", "tags"),
    "title of 121 characters": ({"title": "x" * 121}, "invalid", "title"),
    "empty title": ({"title": ""}, "invalid", "title"),
    "unknown category": ({"category": "memes"}, "invalid", "category"),
    "unknown model": ({"target_model": "gpt-9"}, "invalid", "target_model"),
    "empty prompt": ({"prompt_text": ""}, "invalid", "prompt_text"),
    "prompt of whitespace": ({"prompt_text": "   "}, "invalid", "prompt_text"),
    "several fields, one bad": (
        {"title": "Renamed", "tags": ["new"], "price": {"amount": -5}},
        "invalid_price",
        "price.amount",
    ),
    "valid title, tag too long": ({"title": "Renamed", "tags": ["y" * 31]}, "invalid", "tags"),
}


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
@pytest.mark.parametrize(("changes", "code", "field"), list(BAD_EDIT.values()), ids=list(BAD_EDIT))
def test_bad_edit_is_refused_and_changes_nothing(seller, seller_api, published, changes, code, field):
    listing = make_listing(seller, publish=published, target_model="chatgpt", example_outputs=["An example."])
    before = snapshot(listing)
    response = seller_api.patch(f"{LISTINGS}{listing.public_id}/", changes, format="json")
    assert_error(response, 400, code, field)
    assert snapshot(listing) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [('{"title": ', "malformed_request"), ("[1, 2]", "invalid"), ('"title"', "invalid")],
)
def test_unreadable_edit_is_refused(seller, seller_api, body, code):
    listing = make_listing(seller, publish=True)
    before = snapshot(listing)
    response = seller_api.patch(f"{LISTINGS}{listing.public_id}/", body, content_type="application/json")
    assert_error(response, 400, code)
    assert snapshot(listing) == before


def test_edit_of_the_price_alone_keeps_the_currency(seller, seller_api):
    listing = make_listing(seller, price_amount=499, price_currency="EUR")
    response = seller_api.patch(f"{LISTINGS}{listing.public_id}/", {"price": {"amount": 999}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["price"] == {"amount": 999, "currency": "EUR", "display": "€9.99"}


# --- The seller's own list -----------------------------------------------------------------------


def test_seller_list_shows_own_listings_with_status_and_counters(seller, other_seller, seller_api):
    draft = make_listing(seller, title="My draft")
    published = make_listing(seller, publish=True, title="My published")
    Listing.objects.filter(pk=published.pk).update(view_count=17, unlock_count=3)
    make_listing(other_seller, publish=True, title="Not mine")

    response = seller_api.get(LISTINGS)
    assert response.status_code == 200, response.json()
    rows = {row["id"]: row for row in response.json()["results"]}
    assert list(rows) == [published.public_id, draft.public_id]
    assert rows[draft.public_id]["status"] == "draft"
    assert rows[draft.public_id]["counters"] == {"views": 0, "unlocks": 0}
    assert rows[published.public_id]["status"] == "published"
    assert rows[published.public_id]["counters"] == {"views": 17, "unlocks": 3}
    assert rows[published.public_id]["prompt_text"] == "glowing [animal] in a neon pond, 8k wallpaper"
    assert "Not mine" not in response.content.decode()


def test_seller_list_filters_by_status(seller, seller_api):
    make_listing(seller, title="Draft one")
    make_listing(seller, title="Draft two")
    make_listing(seller, publish=True, title="On sale")

    def listed(query: str) -> list[str]:
        response = seller_api.get(f"{LISTINGS}{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert listed("?status=draft") == ["Draft two", "Draft one"]
    assert listed("?status=published") == ["On sale"]
    assert listed("?status=archived") == []
    assert listed("") == ["On sale", "Draft two", "Draft one"]
    error = assert_error(seller_api.get(f"{LISTINGS}?status=sold"), 400, "invalid_parameter", "status")
    assert "draft" in error["message"]


def test_seller_list_costs_the_same_queries_for_3_or_12_listings(seller, seller_api):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = seller_api.get(LISTINGS)
        assert response.status_code == 200
        return len(queries)

    def add(count: int) -> None:
        for n in range(count):
            make_listing(seller, publish=n % 2 == 0, title=f"Listing {n}", tags=[f"tag-{n}", "shared"])

    add(3)
    seller_api.get(LISTINGS)  # the first call with a token records its use; later calls do not
    few = count_queries()
    add(9)
    many = count_queries()
    assert len(seller_api.get(LISTINGS).json()["results"]) == 12
    assert many == few
    assert few <= 5


def test_a_garbage_seller_list_cursor_is_a_4xx_envelope(seller_api):
    response = seller_api.get(f"{LISTINGS}?cursor=garbage")
    assert response.status_code in (400, 404), response.content
    assert response.json()["error"]["code"] in ("invalid_cursor", "not_found")


# --- Authentication ------------------------------------------------------------------------------


def test_without_credentials_the_seller_api_is_401(anon):
    listed = anon.get(LISTINGS)
    assert_error(listed, 401, "not_authenticated")
    assert listed["WWW-Authenticate"].startswith("Bearer")
    assert_error(anon.post(LISTINGS, VALID, format="json"), 401, "not_authenticated")
    assert_nothing_created()


@pytest.mark.parametrize(
    "header",
    ["Bearer dms_not-a-real-token", "Bearer", "Bearer two words", "bearer dms_nope"],
)
def test_a_bogus_bearer_token_is_401(anon, header):
    anon.credentials(HTTP_AUTHORIZATION=header)
    assert_error(anon.get(LISTINGS), 401, "authentication_failed")
    assert_error(anon.post(LISTINGS, VALID, format="json"), 401, "authentication_failed")
    assert_nothing_created()


def test_a_session_cookie_alone_does_not_authenticate_the_api(seller):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(seller)
    assert_error(browser.get(LISTINGS), 401, "not_authenticated")
    created = browser.post(LISTINGS, VALID, content_type="application/json")
    assert_error(created, 401, "not_authenticated")
    assert_nothing_created()
