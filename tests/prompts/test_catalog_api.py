"""The public catalog: filters, sorts, cursor pages, visibility and the secrecy of prompt text."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from prompts import services
from prompts.models import Listing, ListingStatus
from prompts.moderation.decisions import listing_reject
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

CATALOG = "/api/v1/listings/"
PROMPT_CANARY = "CANARY-7f3a secret prompt"
NOTES_CANARY = "NOTES-CANARY-91c2 swap the subject"


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [card["title"] for card in response.json()["results"]]


def text_listing(seller: Any, **fields: Any) -> Listing:
    """A published listing for a text model: no image to render, so it is cheap to build."""
    defaults = {"target_model": "chatgpt", "category": "product", "example_outputs": ["An example."]}
    return make_listing(seller, publish=True, **{**defaults, **fields})


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# --- Filters -------------------------------------------------------------------------------------


@pytest.fixture
def shelf(seller, other_seller) -> None:
    """Six published listings that differ in every filterable way, plus a draft that matches many."""
    make_listing(
        seller,
        publish=True,
        title="熊猫表情包",
        description="圆滚滚的熊猫，十二种心情。",
        language="zh-hans",
        target_model="midjourney",
        category="emoji",
        tags=["熊猫", "emoji"],
        price_amount=900,
        price_currency="CNY",
    )
    make_listing(seller, publish=True, title="Neon koi wallpaper", tags=["neon", "koi"], price_amount=499)
    make_listing(
        other_seller,
        publish=True,
        title="Retro sunset T-shirt",
        description="Eighties sunset with palm trees.",
        target_model="flux",
        category="t-shirt",
        tags=["retro", "sunset"],
        price_amount=1500,
    )
    make_listing(
        other_seller,
        publish=True,
        title="Minimal fox logo",
        description="A geometric fox head.",
        target_model="sdxl",
        category="logo",
        tags=["fox", "minimal"],
        price_amount=0,
    )
    text_listing(
        seller,
        title="Product copy writer",
        description="Writes shop descriptions.",
        tags=["copywriting"],
        price_amount=500,
        price_currency="JPY",
    )
    make_listing(
        seller,
        publish=True,
        title="Cherry blossom press-on nails",
        description="Pink petals on a nude base.",
        target_model="midjourney",
        category="press-on-nails",
        tags=["sakura", "nails"],
        price_amount=50,
    )
    make_listing(seller, title="熊猫草稿 neon koi draft", tags=["熊猫", "neon"], price_amount=0)


# Grouped by filter so that the shelf is built once per group, not once per query.
FILTER_CASES: dict[str, dict[str, list[str]]] = {
    "q": {
        "q=熊猫": ["熊猫表情包"],
        "q=心情": ["熊猫表情包"],
        "q=KOI": ["Neon koi wallpaper"],
        "q=sakura": ["Cherry blossom press-on nails"],
        "q=chatgpt": ["Product copy writer"],
        "q=palm trees": ["Retro sunset T-shirt"],
        "q=no such thing": [],
    },
    "model": {
        "model=midjourney": ["Cherry blossom press-on nails", "熊猫表情包"],
        "model=chatgpt": ["Product copy writer"],
        "model=dall-e": [],
    },
    "category": {
        "category=emoji": ["熊猫表情包"],
        "category=logo": ["Minimal fox logo"],
    },
    "tag": {
        "tag=neon": ["Neon koi wallpaper"],
        "tag=Neon": ["Neon koi wallpaper"],
        "tag=熊猫": ["熊猫表情包"],
        "tag=kois": [],
    },
    "language": {
        "language=zh-hans": ["熊猫表情包"],
        "language=en": [
            "Cherry blossom press-on nails",
            "Minimal fox logo",
            "Neon koi wallpaper",
            "Product copy writer",
            "Retro sunset T-shirt",
        ],
    },
    "currency and price": {
        "currency=CNY": ["熊猫表情包"],
        "currency=jpy": ["Product copy writer"],
        "currency=USD&min_price=100&max_price=1000": ["Neon koi wallpaper"],
        "currency=USD&min_price=50&max_price=50": ["Cherry blossom press-on nails"],
        "currency=USD&min_price=1500": ["Retro sunset T-shirt"],
        "currency=USD&max_price=0": ["Minimal fox logo"],
        "currency=CNY&min_price=901": [],
    },
    "free": {
        "free=true": ["Minimal fox logo"],
        "free=false": [
            "Cherry blossom press-on nails",
            "Neon koi wallpaper",
            "Product copy writer",
            "Retro sunset T-shirt",
            "熊猫表情包",
        ],
    },
    "seller": {
        "seller=seller-two": ["Minimal fox logo", "Retro sunset T-shirt"],
        "seller=SELLER-TWO": ["Minimal fox logo", "Retro sunset T-shirt"],
        "seller=nobody": [],
    },
    "combined": {
        "model=midjourney&category=emoji&tag=emoji&language=zh-hans": ["熊猫表情包"],
        "model=midjourney&free=true": [],
    },
}


@pytest.mark.parametrize("group", list(FILTER_CASES))
def test_filter_returns_exactly_the_matching_listings(shelf, anon, group):
    found = {query: sorted(titles(anon.get(f"{CATALOG}?{query}"))) for query in FILTER_CASES[group]}
    assert found == {query: sorted(expected) for query, expected in FILTER_CASES[group].items()}


def test_without_filters_every_published_listing_is_listed_newest_first(shelf, anon):
    assert titles(anon.get(CATALOG)) == [
        "Cherry blossom press-on nails",
        "Product copy writer",
        "Minimal fox logo",
        "Retro sunset T-shirt",
        "Neon koi wallpaper",
        "熊猫表情包",
    ]


def test_a_card_shows_price_seller_and_tags(shelf, anon):
    (card,) = anon.get(f"{CATALOG}?q=熊猫").json()["results"]
    assert card["price"] == {"amount": 900, "currency": "CNY", "display": "CN¥9.00"}
    assert card["is_free"] is False
    assert card["seller"]["handle"] == "seller-one"
    assert card["tags"] == ["emoji", "熊猫"]
    assert anon.get(card["url"]).json()["title"] == "熊猫表情包"


# --- Sorts and cursor pages ----------------------------------------------------------------------

T1 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
T3 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

# Built in this order (so ids rise from A to G); published at, price in cents, unlocks.
RACK = {
    "A": (T2, 500, 5),
    "B": (T1, 300, 0),
    "C": (T2, 500, 5),
    "D": (T3, 0, 2),
    "E": (T1, 1200, 5),
    "F": (T3, 500, 1),
    "G": (T2, 800, 0),
}
# Ties in the sort key fall back to the id, in the direction of the sort.
EXPECTED_ORDER = {
    "newest": ["F", "D", "G", "C", "A", "E", "B"],
    "price": ["D", "B", "A", "C", "F", "G", "E"],
    "-price": ["E", "G", "F", "C", "A", "B", "D"],
    "popular": ["E", "C", "A", "D", "F", "G", "B"],
}


@pytest.fixture
def rack(seller) -> None:
    for title, (published, price, unlocks) in RACK.items():
        with time_machine.travel(published, tick=False):
            listing = text_listing(seller, title=title, price_amount=price)
        Listing.objects.filter(pk=listing.pk).update(unlock_count=unlocks, trending_score=unlocks)


def walk(client: Any, query: str, next_cursor: str | None = None) -> list[str]:
    """Every title, page after page, following next_cursor until it runs out."""
    seen: list[str] = []
    cursor = f"&cursor={next_cursor}" if next_cursor else ""
    for _ in range(20):
        body = client.get(f"{CATALOG}?{query}{cursor}").json()
        assert 1 <= len(body["results"]) <= 2
        seen += [card["title"] for card in body["results"]]
        if body["next_cursor"] is None:
            assert body["next"] is None
            return seen
        cursor = f"&cursor={body['next_cursor']}"
    raise AssertionError(f"pages never ended: {seen}")


@pytest.mark.parametrize("sort", list(EXPECTED_ORDER))
def test_sort_orders_the_whole_catalog(rack, anon, sort):
    assert titles(anon.get(f"{CATALOG}?sort={sort}")) == EXPECTED_ORDER[sort]


@pytest.mark.parametrize("sort", list(EXPECTED_ORDER))
def test_walking_pages_yields_each_listing_once_in_order(rack, anon, sort):
    assert walk(anon, f"sort={sort}&page_size=2") == EXPECTED_ORDER[sort]


def test_a_listing_published_while_paging_does_not_shift_later_pages(rack, seller, anon):
    first = anon.get(f"{CATALOG}?page_size=2").json()
    assert [card["title"] for card in first["results"]] == ["F", "D"]
    text_listing(seller, title="Just published")
    rest = walk(anon, "page_size=2", first["next_cursor"])
    assert rest == EXPECTED_ORDER["newest"][2:]
    assert titles(anon.get(f"{CATALOG}?page_size=1")) == ["Just published"]


def test_a_page_that_holds_the_rest_has_no_next_page(rack, anon):
    body = anon.get(f"{CATALOG}?page_size=7").json()
    assert len(body["results"]) == 7
    assert body["next_cursor"] is None


def test_the_next_link_keeps_the_filters_and_sort(rack, anon):
    first = anon.get(f"{CATALOG}?sort=-price&currency=USD&min_price=500&page_size=2").json()
    assert [card["title"] for card in first["results"]] == ["E", "G"]
    second = anon.get(first["next"]).json()
    assert [card["title"] for card in second["results"]] == ["F", "C"]
    assert [card["title"] for card in anon.get(second["next"]).json()["results"]] == ["A"]


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("", 1),
        ("&sort=popular", 1),
        # A search page is one statement; relevance finds its candidates, then ranks them.
        ("&tag=neon&q=koi&currency=USD&min_price=1&sort=newest", 1),
        ("&q=koi", 2),
    ],
)
def test_a_page_costs_the_same_queries_whatever_its_size(
    rack, anon, django_assert_num_queries, query, queries
):
    anon.get(f"{CATALOG}?q=koi&category=emoji")  # search reads token statistics once per process
    # The first page also counts the matches (one capped statement), kept a minute for the others.
    with django_assert_num_queries(queries + 1):
        small = anon.get(f"{CATALOG}?page_size=2{query}")
    with django_assert_num_queries(queries):
        anon.get(f"{CATALOG}?page_size=50{query}")
    next_cursor = small.json()["next_cursor"]
    if next_cursor:
        with django_assert_num_queries(queries):
            anon.get(f"{CATALOG}?page_size=2{query}&cursor={next_cursor}")


# --- Visibility ----------------------------------------------------------------------------------


@pytest.fixture
def hidden(seller, staff, settings) -> dict[str, Listing]:
    """One listing in each state that buyers must never see, all titled 'Hidden ...'."""
    draft = make_listing(seller, title="Hidden draft")
    archived = make_listing(seller, publish=True, title="Hidden archived")
    services.listing_archive(listing=archived, by=seller)
    settings.LISTING_REVIEW = "manual"
    pending = make_listing(seller, publish=True, title="Hidden pending")
    rejected = make_listing(seller, publish=True, title="Hidden rejected")
    listing_reject(listing=rejected, by=staff, reason="Blurry examples.")
    settings.LISTING_REVIEW = "auto"
    listings = {"draft": draft, "pending": pending, "rejected": rejected, "archived": archived}
    for listing in listings.values():
        listing.refresh_from_db()
    assert [listing.status for listing in listings.values()] == [
        ListingStatus.DRAFT,
        ListingStatus.PENDING_REVIEW,
        ListingStatus.REJECTED,
        ListingStatus.ARCHIVED,
    ]
    return listings


def test_unpublished_listings_are_never_listed(hidden, seller, anon):
    make_listing(seller, publish=True, title="Visible one")
    assert titles(anon.get(CATALOG)) == ["Visible one"]
    assert titles(anon.get(f"{CATALOG}?q=hidden")) == []
    assert titles(anon.get(f"{CATALOG}?seller=seller-one&sort=price")) == ["Visible one"]


@pytest.mark.parametrize("state", ["draft", "pending", "rejected", "archived"])
def test_unpublished_listing_detail_is_not_found(hidden, anon, state):
    response = anon.get(f"{CATALOG}{hidden[state].public_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "Hidden" not in response.content.decode()


def test_unknown_listing_detail_is_not_found(anon):
    response = anon.get(f"{CATALOG}doesnotexist/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- The prompt stays secret ---------------------------------------------------------------------


@pytest.fixture
def secret(seller) -> Listing:
    return make_listing(
        seller,
        publish=True,
        title="Ink wash mountains",
        prompt_text=f"{PROMPT_CANARY}: ink wash [subject] in mist",
        usage_notes=NOTES_CANARY,
    )


def assert_no_secret(response: Any) -> None:
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert "CANARY" not in body
    assert "in mist" not in body


def test_public_documents_never_contain_the_prompt_or_notes(secret, anon):
    assert_no_secret(anon.get(CATALOG))
    assert_no_secret(anon.get(f"{CATALOG}?seller=seller-one"))
    detail = anon.get(f"{CATALOG}{secret.public_id}/")
    assert_no_secret(detail)
    assert detail.json()["title"] == "Ink wash mountains"
    assert detail.json()["variables"] == ["subject"]


def test_searching_for_prompt_words_does_not_reveal_the_listing(secret, anon):
    assert titles(anon.get(f"{CATALOG}?q=CANARY-7f3a")) == []
    assert titles(anon.get(f"{CATALOG}?q=NOTES-CANARY")) == []
    assert titles(anon.get(f"{CATALOG}?q=ink wash")) == ["Ink wash mountains"]


@pytest.mark.parametrize("who", ["seller", "staff"])
def test_seller_and_staff_read_the_prompt(secret, request, client_for, who):
    response = client_for(request.getfixturevalue(who)).get(f"{CATALOG}{secret.public_id}/prompt/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["text"] == f"{PROMPT_CANARY}: ink wash [subject] in mist"
    assert body["usage_notes"] == NOTES_CANARY
    assert body["variables"] == ["subject"]
    assert body["version"] == 1


@pytest.mark.parametrize("who", ["anon", "buyer", "other_seller"])
def test_others_must_unlock_the_prompt(secret, request, client_for, anon, who):
    client = anon if who == "anon" else client_for(request.getfixturevalue(who))
    response = client.get(f"{CATALOG}{secret.public_id}/prompt/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_unlocked"
    assert "CANARY" not in response.content.decode()


def test_a_drafts_prompt_is_not_found_for_strangers(seller, stranger, staff, client_for, anon):
    draft = make_listing(seller, prompt_text=f"{PROMPT_CANARY} draft")
    url = f"{CATALOG}{draft.public_id}/prompt/"
    for client in (anon, client_for(stranger)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "CANARY" not in response.content.decode()
    assert client_for(seller).get(url).json()["text"] == f"{PROMPT_CANARY} draft"
    assert client_for(staff).get(url).json()["text"] == f"{PROMPT_CANARY} draft"


# --- Bad parameters ------------------------------------------------------------------------------

BAD_PARAMETERS = {
    "unknown model": ("model=gpt-9", "model"),
    "unknown category": ("category=memes", "category"),
    "unknown language": ("language=fr", "language"),
    "unknown sort": ("sort=cheapest", "sort"),
    "unknown currency": ("currency=XYZ", "currency"),
    "min_price without currency": ("min_price=100", "currency"),
    "max_price without currency": ("max_price=100", "currency"),
    "negative min_price": ("min_price=-1&currency=USD", "min_price"),
    "words for min_price": ("min_price=abc&currency=USD", "min_price"),
    "fraction for max_price": ("max_price=1.5&currency=USD", "max_price"),
    "free is neither true nor false": ("free=maybe", "free"),
    "page_size 0": ("page_size=0", "page_size"),
    "page_size 61": ("page_size=61", "page_size"),
    "page_size words": ("page_size=abc", "page_size"),
    "q over 100 characters": ("q=" + "x" * 101, "q"),
    "garbage cursor": ("cursor=not*a*cursor!!", "cursor"),
    "cursor of an object": (f"cursor={encode_cursor({'a': 1})}", "cursor"),
    "cursor of three values": (f"cursor={encode_cursor([1, 2, 3])}", "cursor"),
    "cursor of a float": (f"cursor={encode_cursor([1.5, 1])}", "cursor"),
    "cursor of a boolean id": (f"cursor={encode_cursor(['x', True])}", "cursor"),
    "cursor that is not JSON": ("cursor=" + base64.urlsafe_b64encode(b"hello").decode(), "cursor"),
    "cursor with an unreadable date": (f"cursor={encode_cursor(['newest', 'not a date', 1])}", "cursor"),
}

# Each once answered 500: a bad parameter reached int() or the database.
BUGGY_PARAMETERS = {
    "superscript digit page_size": (
        (),
        "page_size=²",
        "page_size",
    ),
    "superscript digit min_price": (
        (),
        "min_price=²&currency=USD",
        "min_price",
    ),
    "text cursor for a price sort": (
        (),
        f"sort=price&cursor={encode_cursor(['price', 'abc', 1])}",
        "cursor",
    ),
    "number cursor for the newest sort": (
        (),
        f"sort=newest&cursor={encode_cursor(['newest', 5, 1])}",
        "cursor",
    ),
    "newest cursor replayed with sort=popular": (
        (),
        f"sort=popular&cursor={encode_cursor(['newest', '2025-03-01T09:00:00+00:00', 1])}",
        "cursor",
    ),
}


def assert_bad_parameter(response: Any, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if field == "cursor":
        assert error["code"] == "invalid_cursor"
    else:
        assert error["code"] == "invalid_parameter"
        assert list(error["fields"]) == [field]


@pytest.mark.parametrize(("query", "field"), list(BAD_PARAMETERS.values()), ids=list(BAD_PARAMETERS))
def test_bad_parameter_is_a_400_envelope(anon, query, field):
    anon.raise_request_exception = False
    assert_bad_parameter(anon.get(f"{CATALOG}?{query}"), field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param(query, field, marks=mark, id=name)
        for name, (mark, query, field) in BUGGY_PARAMETERS.items()
    ],
)
def test_odd_parameter_is_a_400_envelope_not_a_500(seller, anon, query, field):
    text_listing(seller, title="koi")
    anon.raise_request_exception = False
    assert_bad_parameter(anon.get(f"{CATALOG}?{query}"), field)


@pytest.mark.parametrize("query", ["q=koi%00", "seller=seller%00one", "tag=koi%00"])
def test_nul_byte_in_a_filter_is_a_400_not_a_500(seller, anon, query):
    text_listing(seller, title="koi")
    anon.raise_request_exception = False
    response = anon.get(f"{CATALOG}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


@pytest.mark.parametrize("suffix", ["", "prompt/"])
def test_nul_byte_in_a_listing_id_is_not_found(anon, suffix):
    anon.raise_request_exception = False
    response = anon.get(f"{CATALOG}abc%00def/{suffix}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_page_size_bounds_are_accepted(rack, anon):
    assert len(anon.get(f"{CATALOG}?page_size=1").json()["results"]) == 1
    assert len(anon.get(f"{CATALOG}?page_size=60").json()["results"]) == 7
