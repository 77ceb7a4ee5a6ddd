"""Discovery: reviews and ratings, favourites, views, trending, related listings, seller profiles."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from payments.tasks import count_unlocks
from prompts import discovery
from prompts.discovery import trending
from prompts.models import Favourite, Listing, ListingActivity, ListingStatus, Review, ViewBatch
from prompts.tasks import fold_trending
from tests.conftest import requires_redis
from tests.factories import UserFactory, make_listing
from tests.payments.helpers import checkout

pytestmark = pytest.mark.django_db

DAY0 = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # noon: buckets count as noon of their day


def text_listing(seller: Any, **fields: Any) -> Listing:
    """A published free listing for a text model: no image to render, and it unlocks at once."""
    defaults = {
        "target_model": "chatgpt",
        "category": "product",
        "example_outputs": ["An example."],
        "price_amount": 0,
        "tags": [],
    }
    return make_listing(seller, publish=True, **{**defaults, **fields})


@pytest.fixture(autouse=True)
def _no_views_from_other_tests() -> None:
    """Without Redis views are counted in this process: start each test from none."""
    trending._views_take_local()


@pytest.fixture
def copy_listing(seller) -> Listing:
    return text_listing(seller, title="Product copy")


def unlocked_client(client_for: Any, listing: Listing, **user: Any) -> Any:
    api = client_for(UserFactory(**user))
    assert checkout(api, listing)["unlocked"] is True
    return api


def reviews_url(listing: Listing) -> str:
    return f"/api/v1/listings/{listing.public_id}/reviews/"


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    return error["code"]


def card_of(api: Any, listing: Listing) -> dict[str, Any]:
    cards = api.get("/api/v1/listings/?page_size=60").json()["results"]
    return next(card for card in cards if card["id"] == listing.public_id)


def detail_of(api: Any, listing: Listing) -> dict[str, Any]:
    response = api.get(f"/api/v1/listings/{listing.public_id}/")
    assert response.status_code == 200
    return response.json()


# --- Reviews and ratings ---------------------------------------------------------------------------


def test_a_buyer_who_unlocked_rates_once_and_the_listing_shows_it(copy_listing, buyer_api, anon):
    assert card_of(anon, copy_listing)["rating"] == {"average": None, "count": 0}
    checkout(buyer_api, copy_listing)
    response = buyer_api.post(
        reviews_url(copy_listing), {"rating": 4, "text": "  Works well.  "}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["rating"] == 4 and response.json()["text"] == "Works well."
    assert response.json()["buyer"]["handle"] == "buyer" and response.json()["reply"] is None

    again = buyer_api.post(reviews_url(copy_listing), {"rating": 1}, format="json")
    assert error_code(again, 409) == "already_reviewed"
    assert Review.objects.count() == 1
    assert card_of(anon, copy_listing)["rating"] == {"average": 4.0, "count": 1}
    assert detail_of(anon, copy_listing)["rating"] == {"average": 4.0, "count": 1}


def test_text_is_optional(copy_listing, buyer_api):
    checkout(buyer_api, copy_listing)
    response = buyer_api.post(reviews_url(copy_listing), {"rating": 5}, format="json")
    assert response.status_code == 201 and response.json()["text"] == ""


@pytest.mark.parametrize("who", ["stranger", "seller", "staff"])
def test_only_buyers_who_unlocked_may_rate(copy_listing, client_for, stranger, seller, staff, who):
    api = client_for({"stranger": stranger, "seller": seller, "staff": staff}[who])
    response = api.post(reviews_url(copy_listing), {"rating": 5}, format="json")
    assert error_code(response, 403) == "not_unlocked"
    assert not Review.objects.exists()


def test_an_anonymous_review_is_a_401_and_a_refunded_buyer_cannot_rate(copy_listing, anon, buyer, buyer_api):
    assert error_code(anon.post(reviews_url(copy_listing), {"rating": 5}, format="json"), 401)
    checkout(buyer_api, copy_listing)
    buyer.unlocks.update(revoked_at=datetime.now(UTC))
    response = buyer_api.post(reviews_url(copy_listing), {"rating": 5}, format="json")
    assert error_code(response, 403) == "not_unlocked"


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, 5.0, True, None, [5], {"v": 5}])
def test_a_rating_that_is_not_a_whole_number_from_1_to_5_is_a_400(copy_listing, buyer_api, rating):
    checkout(buyer_api, copy_listing)
    response = buyer_api.post(reviews_url(copy_listing), {"rating": rating}, format="json")
    assert error_code(response, 400) == "invalid"
    assert "rating" in response.json()["error"]["fields"]
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid"),
        ({"rating": 3, "text": "x" * 2001}, "invalid"),
        ({"rating": 3, "text": ["a"]}, "invalid"),
        ({"rating": 3, "text": "a\x00"}, "invalid_characters"),
    ],
)
def test_missing_rating_or_bad_text_is_a_400(copy_listing, buyer_api, body, code):
    checkout(buyer_api, copy_listing)
    assert error_code(buyer_api.post(reviews_url(copy_listing), body, format="json"), 400) == code


def test_garbage_bodies_are_4xx_envelopes(copy_listing, buyer_api):
    checkout(buyer_api, copy_listing)
    response = buyer_api.post(reviews_url(copy_listing), "{not json", content_type="application/json")
    assert error_code(response, 400) == "malformed_request"
    response = buyer_api.post(reviews_url(copy_listing), "[1, 2]", content_type="application/json")
    assert error_code(response, 400) == "invalid"


def test_reviews_of_an_unknown_or_draft_listing_are_404(buyer_api, anon, seller):
    draft = make_listing(seller, target_model="chatgpt", category="product")
    for api in (buyer_api, anon):
        assert error_code(api.get(f"/api/v1/listings/{draft.public_id}/reviews/"), 404) == "not_found"
        assert error_code(api.get("/api/v1/listings/nope/reviews/"), 404) == "not_found"


def test_the_seller_replies_once(copy_listing, buyer_api, seller_api, client_for, stranger):
    checkout(buyer_api, copy_listing)
    review_id = buyer_api.post(reviews_url(copy_listing), {"rating": 2}, format="json").json()["id"]
    reply_url = f"{reviews_url(copy_listing)}{review_id}/reply/"

    for api in (buyer_api, client_for(stranger)):
        assert error_code(api.post(reply_url, {"text": "Thanks"}, format="json"), 403) == "not_listing_seller"
    assert error_code(seller_api.post(reply_url, {"text": "   "}, format="json"), 400) == "invalid"
    response = seller_api.post(reply_url, {"text": "Try a shorter [topic]."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reply"]["text"] == "Try a shorter [topic]."
    again = seller_api.post(reply_url, {"text": "Also..."}, format="json")
    assert error_code(again, 409) == "already_replied"

    (listed,) = buyer_api.get(reviews_url(copy_listing)).json()["results"]
    assert listed["reply"]["text"] == "Try a shorter [topic]." and listed["reply"]["replied_at"]
    assert error_code(seller_api.post(f"{reviews_url(copy_listing)}nope/reply/", {"text": "x"}), 404)


def test_averages_on_card_detail_reviews_and_seller_profile(seller, client_for, anon):
    first = text_listing(seller, title="First")
    second = text_listing(seller, title="Second")
    for n, (listing, rating) in enumerate([(first, 5), (first, 2), (second, 3)]):
        api = unlocked_client(client_for, listing, handle=f"rater-{n}")
        assert api.post(reviews_url(listing), {"rating": rating}, format="json").status_code == 201

    assert card_of(anon, first)["rating"] == {"average": 3.5, "count": 2}
    assert detail_of(anon, first)["rating"] == {"average": 3.5, "count": 2}
    assert detail_of(anon, second)["rating"] == {"average": 3.0, "count": 1}
    page = anon.get(reviews_url(first)).json()
    assert page["rating"] == {"average": 3.5, "count": 2}
    assert [r["rating"] for r in page["results"]] == [2, 5]  # newest first

    count_unlocks.delay()  # sales are unlocks, counted by a beat task off the payment path
    profile = anon.get("/api/v1/sellers/SELLER-ONE/").json()
    assert profile["handle"] == "seller-one"
    assert profile["rating"] == {"average": 3.33, "count": 3}
    assert profile["listing_count"] == 2
    assert profile["sales_count"] == 3


@pytest.mark.parametrize("handle", ["nobody", "buyer", "x" * 31, "bad%00handle", "a.b", "%E7%86%8A"])
def test_a_seller_profile_exists_only_for_sellers(buyer, anon, handle):
    assert error_code(anon.get(f"/api/v1/sellers/{handle}/"), 404) == "not_found"


def test_a_seller_with_only_drafts_has_no_profile(seller, anon):
    make_listing(seller)
    assert error_code(anon.get("/api/v1/sellers/seller-one/"), 404) == "not_found"


def test_reviews_pages_cost_the_same_queries_whatever_their_size(seller, client_for, anon):
    listing = text_listing(seller)
    unlocked = [unlocked_client(client_for, listing, handle=f"reader-{n}") for n in range(5)]
    unlocked[0].post(reviews_url(listing), {"rating": 5}, format="json")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert len(anon.get(reviews_url(listing)).json()["results"]) == 1
    for api in unlocked[1:]:
        api.post(reviews_url(listing), {"rating": 4}, format="json")
    with CaptureQueriesContext(connection) as five:
        page = anon.get(f"{reviews_url(listing)}?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    assert len(one) == len(five) == 2
    rest = anon.get(page["next"]).json()
    assert len(rest["results"]) == 2
    assert error_code(anon.get(f"{reviews_url(listing)}?cursor=garbage"), 400) == "invalid_cursor"


# --- Favourites -----------------------------------------------------------------------------------


def test_favourites_are_added_listed_and_removed_idempotently(copy_listing, seller, buyer_api):
    other = text_listing(seller, title="Other")
    first = buyer_api.post("/api/v1/me/favourites/", {"listing": copy_listing.public_id}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["listing"]["id"] == copy_listing.public_id
    assert buyer_api.post("/api/v1/me/favourites/", {"listing": copy_listing.public_id}).status_code == 200
    buyer_api.post("/api/v1/me/favourites/", {"listing": other.public_id}, format="json")

    page = buyer_api.get("/api/v1/me/favourites/").json()
    assert [f["listing"]["title"] for f in page["results"]] == ["Other", "Product copy"]
    assert Favourite.objects.count() == 2

    for _ in range(2):
        assert buyer_api.delete(f"/api/v1/me/favourites/{copy_listing.public_id}/").status_code == 204
    assert buyer_api.delete("/api/v1/me/favourites/never-saved/").status_code == 204
    assert [f["listing"]["title"] for f in buyer_api.get("/api/v1/me/favourites/").json()["results"]] == [
        "Other"
    ]


def test_an_archived_favourite_leaves_the_list(copy_listing, seller, buyer_api):
    buyer_api.post("/api/v1/me/favourites/", {"listing": copy_listing.public_id}, format="json")
    Listing.objects.filter(pk=copy_listing.pk).update(status=ListingStatus.ARCHIVED)
    assert buyer_api.get("/api/v1/me/favourites/").json()["results"] == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"listing": "doesnotexist"}, 404, "not_found"),
        ({"listing": "bad id!"}, 400, "invalid"),
        ({"listing": "x" * 17}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"listing": ["a"]}, 400, "invalid"),
    ],
)
def test_saving_what_cannot_be_saved_is_an_envelope(buyer_api, body, status, code):
    assert error_code(buyer_api.post("/api/v1/me/favourites/", body, format="json"), status) == code


def test_drafts_and_own_listings_cannot_be_saved(copy_listing, seller, seller_api, buyer_api, anon):
    draft = make_listing(seller, target_model="chatgpt", category="product")
    response = buyer_api.post("/api/v1/me/favourites/", {"listing": draft.public_id}, format="json")
    assert error_code(response, 404) == "not_found"
    response = seller_api.post("/api/v1/me/favourites/", {"listing": copy_listing.public_id}, format="json")
    assert error_code(response, 409) == "own_listing"
    assert error_code(anon.get("/api/v1/me/favourites/"), 401) == "not_authenticated"


def test_favourites_pages_cost_the_same_queries(seller, buyer_api):
    listings = [text_listing(seller, title=f"L{n}") for n in range(4)]
    buyer_api.post("/api/v1/me/favourites/", {"listing": listings[0].public_id}, format="json")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        buyer_api.get("/api/v1/me/favourites/")
    for item in listings[1:]:
        buyer_api.post("/api/v1/me/favourites/", {"listing": item.public_id}, format="json")
    with CaptureQueriesContext(connection) as four:
        page = buyer_api.get("/api/v1/me/favourites/?page_size=3").json()
    assert len(page["results"]) == 3 and len(one) == len(four)
    assert [f["listing"]["title"] for f in buyer_api.get(page["next"]).json()["results"]] == ["L0"]


def test_saving_and_unsaving_in_a_loop_adds_no_trending(copy_listing, buyer_api):
    for _ in range(3):
        buyer_api.post("/api/v1/me/favourites/", {"listing": copy_listing.public_id}, format="json")
        buyer_api.delete(f"/api/v1/me/favourites/{copy_listing.public_id}/")
    buyer_api.post("/api/v1/me/favourites/", {"listing": copy_listing.public_id}, format="json")
    assert ListingActivity.objects.get(listing=copy_listing).favourites == 1


# --- Views --------------------------------------------------------------------------------------


def test_a_view_costs_one_query_and_the_task_folds_it_once(copy_listing, anon, django_assert_num_queries):
    for _ in range(3):
        with django_assert_num_queries(1):
            assert anon.get(f"/api/v1/listings/{copy_listing.public_id}/").status_code == 200
    anon.get("/api/v1/listings/doesnotexist/")  # a 404 counts nothing
    copy_listing.refresh_from_db()
    assert copy_listing.view_count == 0

    assert fold_trending.delay().get()["views"] == 3
    assert fold_trending.delay().get()["views"] == 0
    copy_listing.refresh_from_db()
    assert copy_listing.view_count == 3
    assert ListingActivity.objects.get(listing=copy_listing).views == 3
    assert copy_listing.trending_score > 0

    anon.get(f"/api/v1/listings/{copy_listing.public_id}/")
    fold_trending.delay()
    fold_trending.delay()
    copy_listing.refresh_from_db()
    assert copy_listing.view_count == 4


@requires_redis
def test_a_fold_that_died_before_clearing_redis_is_not_folded_again(copy_listing, anon):
    client = trending._redis_client()
    assert client is not None
    for _ in range(2):
        anon.get(f"/api/v1/listings/{copy_listing.public_id}/")
    # The first run takes the batch and commits its fold, then dies before clearing Redis.
    token, counts = trending._views_take_redis(client)
    assert trending._views_apply(token=token, counts=counts, now=datetime.now(UTC)) == 2
    anon.get(f"/api/v1/listings/{copy_listing.public_id}/")  # a view that arrives meanwhile
    assert fold_trending.delay().get()["views"] == 0  # the stale batch: cleared, not folded again
    assert fold_trending.delay().get()["views"] == 1
    copy_listing.refresh_from_db()
    assert copy_listing.view_count == 3
    assert ViewBatch.objects.count() == 2


def test_views_of_many_listings_are_folded_in_chunks(seller, settings, monkeypatch):
    monkeypatch.setattr(trending, "CHUNK", 2)
    listings = [text_listing(seller, title=f"V{n}") for n in range(5)]
    for n, item in enumerate(listings):
        for _ in range(n + 1):
            discovery.views_record(public_id=item.public_id)
    discovery.views_record(public_id="gone-listing")
    assert discovery.views_fold() == 15
    assert [v for v in Listing.objects.order_by("pk").values_list("view_count", flat=True)] == [1, 2, 3, 4, 5]


# --- Trending ----------------------------------------------------------------------------------------


def trending_titles(api: Any, query: str = "") -> list[str]:
    response = api.get(f"/api/v1/trending/?{query}")
    assert response.status_code == 200, response.content
    return [card["title"] for card in response.json()["results"]]


def test_trending_follows_recent_activity_and_decays_old_activity(seller, client_for, anon):
    with time_machine.travel(DAY0, tick=False):
        old = text_listing(seller, title="Old hit")
        fresh = text_listing(seller, title="Fresh")
        text_listing(seller, title="Quiet")
        unlocked_client(client_for, old, handle="early-buyer")
        count_unlocks.delay()  # beat runs both; unlocks are counted off the payment path
        fold_trending.delay()
        assert trending_titles(anon) == ["Old hit", "Quiet", "Fresh"]  # ties: newest first
        old.refresh_from_db()
        day0_score = old.trending_score
        assert day0_score == pytest.approx(10.0)

    with time_machine.travel(DAY0 + timedelta(days=9), tick=False):
        api = client_for(UserFactory(handle="late-fan"))
        api.post("/api/v1/me/favourites/", {"listing": fresh.public_id}, format="json")
        for _ in range(2):
            fold_trending.delay()
        old.refresh_from_db()
        fresh.refresh_from_db()
        assert old.trending_score == pytest.approx(day0_score / 8, rel=0.01)  # three half-lives
        assert fresh.trending_score == pytest.approx(3.0)
        assert trending_titles(anon) == ["Fresh", "Old hit", "Quiet"]
        assert titles_of_popular(anon) == ["Fresh", "Old hit", "Quiet"]
        assert trending_titles(anon, "page_size=1&sort=newest") == ["Fresh"]  # sort is fixed

    with time_machine.travel(DAY0 + timedelta(days=45), tick=False):
        fold_trending.delay()
        assert set(Listing.objects.values_list("trending_score", flat=True)) == {0.0}
        assert trending_titles(anon) == ["Quiet", "Fresh", "Old hit"]


def titles_of_popular(api: Any) -> list[str]:
    return [card["title"] for card in api.get("/api/v1/listings/?sort=popular").json()["results"]]


def test_an_unlock_through_payments_is_recorded_as_activity(copy_listing, buyer_api):
    checkout(buyer_api, copy_listing)
    assert not ListingActivity.objects.exists()  # not inside the payment: counted by a beat task
    count_unlocks.delay()
    assert Listing.objects.get(pk=copy_listing.pk).unlock_count == 1
    activity = ListingActivity.objects.get(listing=copy_listing)
    assert (activity.unlocks, activity.favourites, activity.views) == (1, 0, 0)


SCORES = {"A": 2.5, "B": 0.1, "C": 2.5, "D": 7.25, "E": 0.0, "F": 1e-7}
POPULAR = ["D", "C", "A", "B", "F", "E"]


def test_the_popular_sort_follows_trending_score_and_its_cursor_pages(
    seller, anon, django_assert_num_queries
):
    for title, score in SCORES.items():
        item = text_listing(seller, title=title)
        Listing.objects.filter(pk=item.pk).update(trending_score=score, unlock_count=100 - len(title))
    for endpoint in ("/api/v1/listings/?sort=popular&", "/api/v1/trending/?"):
        seen: list[str] = []
        url: str | None = f"{endpoint}page_size=2"
        while url:
            # The very first page also counts the listings (one capped statement, kept a minute).
            with django_assert_num_queries(2 if endpoint.startswith("/api/v1/listings/") and not seen else 1):
                body = anon.get(url).json()
            seen += [card["title"] for card in body["results"]]
            url = body["next"]
        assert seen == POPULAR


def cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "value", [True, "2.5", None, [1.0], 1e300, -1e300, float("inf"), float("nan")], ids=lambda v: repr(v)[:12]
)
def test_a_popular_cursor_must_hold_a_finite_number(seller, anon, value):
    text_listing(seller)
    raw = cursor(["popular", value, 1])
    for endpoint in ("/api/v1/listings/?sort=popular&", "/api/v1/trending/?"):
        assert error_code(anon.get(f"{endpoint}cursor={raw}"), 400) == "invalid_cursor"


@pytest.mark.parametrize("value", [0, 3, 2.5])
def test_a_popular_cursor_accepts_floats_and_ints(seller, anon, value):
    text_listing(seller)
    response = anon.get(f"/api/v1/listings/?sort=popular&cursor={cursor(['popular', value, 10**6])}")
    assert response.status_code == 200


def test_trending_rejects_bad_page_sizes(anon):
    for query in ("page_size=0", "page_size=61", "page_size=x"):
        assert error_code(anon.get(f"/api/v1/trending/?{query}"), 400) == "invalid_parameter"


# --- Related listings ------------------------------------------------------------------------------


@pytest.fixture
def related_shelf(seller, other_seller) -> dict[str, Listing]:
    base = {"tags": ["neon", "koi", "pond"]}
    shelf = {
        "self": text_listing(seller, title="Self", category="wallpaper", **base),
        "two tags": text_listing(
            other_seller, title="Two tags", target_model="flux", category="logo", tags=["neon", "koi"]
        ),
        "one tag": text_listing(
            other_seller, title="One tag", target_model="flux", category="logo", tags=["pond", "x"]
        ),
        "category and model": text_listing(other_seller, title="Category and model", category="wallpaper"),
        "seller only": text_listing(seller, title="Seller only", target_model="flux", category="logo"),
        "unrelated": text_listing(
            other_seller, title="Unrelated", target_model="flux", category="logo", tags=["other"]
        ),
    }
    hidden = make_listing(seller, title="Draft twin", target_model="chatgpt", category="wallpaper", **base)
    shelf["draft"] = hidden
    archived = text_listing(seller, title="Archived twin", category="wallpaper", **base)
    Listing.objects.filter(pk=archived.pk).update(status=ListingStatus.ARCHIVED)
    return shelf


def test_related_listings_prefer_shared_tags_and_exclude_self_and_hidden(
    related_shelf, anon, django_assert_num_queries
):
    url = f"/api/v1/listings/{related_shelf['self'].public_id}/related/"
    with django_assert_num_queries(2):
        response = anon.get(url)
    titles = [card["title"] for card in response.json()["results"]]
    # 2 tags = 6; category + model = 4; 1 tag = 3; same seller = 1; nothing shared: absent.
    assert titles == ["Two tags", "Category and model", "One tag", "Seller only"]


def test_related_listings_cost_two_queries_and_stop_at_twelve(seller, anon, django_assert_num_queries):
    first = text_listing(seller, tags=["a"])
    for n in range(14):
        text_listing(seller, title=f"R{n}", tags=["a"])
    with django_assert_num_queries(2):
        cards = anon.get(f"/api/v1/listings/{first.public_id}/related/").json()["results"]
    assert len(cards) == 12 and first.public_id not in {card["id"] for card in cards}


def test_related_of_an_unknown_or_draft_listing_is_404(seller, anon):
    draft = make_listing(seller)
    for public_id in (draft.public_id, "unknown"):
        assert error_code(anon.get(f"/api/v1/listings/{public_id}/related/"), 404) == "not_found"


ODD_REQUESTS = [
    ("get", "/api/v1/listings/{id}/reviews/?cursor=%00"),
    ("get", "/api/v1/listings/{id}/reviews/?cursor=cD0xMjM%3D&page_size=%C2%B2"),
    ("get", "/api/v1/listings/{id}/reviews/?page_size=99999999999999999999999"),
    ("get", "/api/v1/me/favourites/?cursor=" + "x" * 5000),
    ("get", "/api/v1/trending/?cursor=%00"),
    ("get", "/api/v1/trending/?model=nope&q=" + "%00"),
    ("get", "/api/v1/sellers/%00/"),
    ("get", "/api/v1/sellers/" + "a" * 5000 + "/"),
    ("get", "/api/v1/listings/{id}/related/?x=%00"),
    ("post", "/api/v1/listings/{id}/reviews/{review}/reply/"),
    ("post", "/api/v1/listings/{id}/reviews/"),
    ("post", "/api/v1/me/favourites/"),
    ("delete", "/api/v1/me/favourites/" + "x" * 40 + "/"),
]


@pytest.mark.parametrize(("method", "path"), ODD_REQUESTS)
@pytest.mark.parametrize("body", ["[1, 2]", '{"rating": 1e999, "listing": null, "text": {}}', "\x00"])
def test_odd_requests_are_4xx_envelopes_never_500(copy_listing, seller_api, buyer_api, method, path, body):
    checkout(buyer_api, copy_listing)
    review = buyer_api.post(reviews_url(copy_listing), {"rating": 3}, format="json").json()["id"]
    url = path.format(id=copy_listing.public_id, review=review)
    for api in (seller_api, buyer_api):
        if method == "get":
            response = api.get(url)
        else:
            response = getattr(api, method)(url, body, content_type="application/json")
        assert response.status_code < 500, response.content
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("text", ["\u200b\u200b\u200b", "great \u202eecirp"])
def test_a_review_or_reply_that_shows_nothing_or_flips_direction_is_refused(
    copy_listing, buyer_api, client_for, text
):
    checkout(buyer_api, copy_listing)
    refused = buyer_api.post(reviews_url(copy_listing), {"rating": 5, "text": text}, format="json")
    assert error_code(refused, 400) == "invisible_text"
    assert not Review.objects.exists()

    review = buyer_api.post(reviews_url(copy_listing), {"rating": 5, "text": "Works."}, format="json").json()
    seller_api = client_for(copy_listing.seller)
    reply = seller_api.post(
        f"{reviews_url(copy_listing)}{review['id']}/reply/", {"text": text}, format="json"
    )
    assert error_code(reply, 400) == "invisible_text"
    assert Review.objects.get().seller_reply == ""
