"""Typo correction, result and facet counts, and pages that go back, in the API and on the website
(PostgreSQL and SQLite alike)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from prompts.models import Listing
from prompts.search import query as search_query
from prompts.search.spelling import build_vocabulary, correct_query, osa_distance
from prompts.search.stats import clear_cache
from tests.conftest import requires_postgres
from tests.factories import make_listing

pytestmark = pytest.mark.django_db
CATALOG = "/api/v1/listings/"

SHOP = [
    # title, tags, category
    ("Neon koi wallpaper", ["wallpaper", "koi"], "wallpaper"),
    ("Misty mountain wallpaper", ["wallpaper"], "wallpaper"),
    ("Cyberpunk alley at night", ["cyberpunk"], "other"),
    ("Kawaii food emoji", ["emoji", "food"], "emoji"),
    ("Sleepy panda emoji set", ["emoji", "panda"], "emoji"),
    ("Retro sunset T-shirt print", ["t-shirt"], "t-shirt"),
    ("Axolotl sticker sheet", ["axolotl"], "other"),
]


@pytest.fixture
def shop(seller) -> dict[str, Listing]:
    return {
        title: make_listing(
            seller,
            publish=True,
            title=title,
            tags=tags,
            category=category,
            price_amount=0 if "emoji" in tags else 300,
        )
        for title, tags, category in SHOP
    }


def search(anon: Any, q: str, **params: Any) -> dict[str, Any]:
    response = anon.get(CATALOG, {"q": q, "page_size": 60, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def titles(body: dict[str, Any]) -> set[str]:
    return {card["title"] for card in body["results"]}


# --- Typos -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "corrected", "found"),
    [
        ("wallpapr", "wallpaper", {"Neon koi wallpaper", "Misty mountain wallpaper"}),
        # Synonyms apply to the corrected query too: a sticker sheet is what an emoji buyer wants.
        ("emoij", "emoji", {"Kawaii food emoji", "Sleepy panda emoji set", "Axolotl sticker sheet"}),
        ("cyberpnk", "cyberpunk", {"Cyberpunk alley at night"}),
        ("Cyberpnk WALLPAPR", None, set()),  # both corrected, but no listing has both words
        # Full-width letters.
        ("ＥＭＯＩＪ", "emoji", {"Kawaii food emoji", "Sleepy panda emoji set", "Axolotl sticker sheet"}),
    ],
)
def test_a_misspelt_query_shows_results_for_the_corrected_one(shop, anon, typed, corrected, found):
    body = search(anon, typed)
    assert body["corrected_query"] == corrected
    assert body["original_query"] == (typed if corrected else None)
    assert titles(body) == found and body["count"] == len(found) and body["count_is_exact"]


def test_tshirt_finds_the_t_shirt_print_by_correction_or_by_normalisation(shop, anon):
    """S1's normalisation may find "tshirt" directly; then nothing needs correcting. Either way the
    buyer sees the print, and a correction, when made, names the catalog's spelling."""
    body = search(anon, "tshirt")
    assert titles(body) == {"Retro sunset T-shirt print"}
    assert body["corrected_query"] in (None, "t-shirt")


def test_a_query_with_results_or_a_rare_real_word_is_not_corrected(shop, anon):
    assert search(anon, "wallpaper")["corrected_query"] is None
    rare = search(anon, "axolotl")  # one listing: few results, but a word the catalog uses
    assert rare["corrected_query"] is None and titles(rare) == {"Axolotl sticker sheet"}
    nothing = search(anon, "qwertyzzz")  # nothing close: no correction, no results
    assert nothing["corrected_query"] is None and nothing["results"] == [] and nothing["count"] == 0


def test_correct_false_searches_the_words_as_typed(shop, anon):
    body = search(anon, "wallpapr", correct="false")
    assert body["corrected_query"] is None and body["results"] == [] and body["count"] == 0


def test_the_website_says_which_query_it_shows_and_offers_the_typed_one(shop):
    page = Client().get("/browse/", {"q": "wallpapr"}).content.decode()
    assert "Showing results for <strong>wallpaper</strong>" in page
    assert "Neon koi wallpaper" in page and "2 results" in page
    instead = re.search(r'<a class="search-instead" href="([^"]+)">Search instead for wallpapr</a>', page)
    assert instead is not None
    typed = Client().get("/browse/" + html.unescape(instead.group(1))).content.decode()
    assert "Showing results for" not in typed and "Neon koi wallpaper" not in typed
    assert "No listing matches “wallpapr”." in typed
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/browse/", {"q": "emoij"}).content.decode()
    assert "显示 <strong>emoji</strong> 的结果" in chinese and "仍然搜索 emoij" in chinese
    assert "共 3 个结果" in chinese  # emoji, and the sticker sheet its synonym finds
    translation.activate("en")


@pytest.mark.parametrize("typed", ["wallpapr", "cyberpnk", "emoij"])
def test_each_typo_on_the_website(shop, typed):
    page = Client().get("/browse/", {"q": typed}).content.decode()
    assert "Showing results for <strong>" in page and f"Search instead for {typed}" in page


def test_the_website_shows_no_notice_when_the_query_finds_enough(shop):
    page = Client().get("/browse/", {"q": "emoji"}).content.decode()
    assert "Showing results for" not in page and "Kawaii food emoji" in page


def test_spelling_pieces():
    assert osa_distance("emoij", "emoji") == 1 and osa_distance("wallpapr", "wallpaper") == 1
    assert osa_distance("cyberpnk", "cyberpunk") == 1 and osa_distance("abc", "abc") == 0
    vocabulary = build_vocabulary([("wallpaper", 5), ("wallpapers", 1), ("t-shirt", 3), ("koi", 2)])
    assert correct_query("wallpapr koi", vocabulary) == "wallpaper koi"  # the most used form wins
    assert correct_query("wallpapers", vocabulary) is None  # known through its stem
    assert correct_query("tshirt", vocabulary) == "t-shirt"
    assert correct_query("kio", vocabulary) == "koi"  # a transposition is one edit
    assert correct_query("kaj", vocabulary) is None  # short words: one edit at most, kaj->koi is two
    assert correct_query("壁纸", vocabulary) is None


def test_a_word_of_seven_letters_or_more_may_be_two_edits_off():
    words = {
        "astronaut": 3,
        "illustration": 2,
        "dragon": 2,
        "mountain": 1,
        "fountain": 9,
        "portray": 9,
        "portrait": 1,
    }
    vocabulary = build_vocabulary(list(words.items()))
    assert correct_query("astronot", vocabulary) == "astronaut"  # a letter changed and one dropped
    assert correct_query("astrenaot", vocabulary) == "astronaut"  # two letters changed
    assert correct_query("ilustraton", vocabulary) == "illustration"  # two letters dropped
    assert correct_query("dargin", vocabulary) is None  # six letters: dragon is two edits off
    assert correct_query("mountan", vocabulary) == "mountain"  # one edit beats more use two edits off
    assert correct_query("portrait", vocabulary) is None  # a rare known word, two edits from a common one


def test_astronot_finds_the_astronaut_listings(seller, anon):
    make_listing(seller, publish=True, title="Astronaut sticker sheet", tags=["astronaut"])
    body = search(anon, "astronot")
    assert body["corrected_query"] == "astronaut" and titles(body) == {"Astronaut sticker sheet"}


# --- Counts ----------------------------------------------------------------------------------------


def test_counts_are_exact_below_the_bound_and_bounded_above(shop, anon, monkeypatch):
    everything = anon.get(CATALOG, {"page_size": 2}).json()
    assert everything["count"] == len(SHOP) and everything["count_is_exact"] is True
    assert len(everything["results"]) == 2
    assert search(anon, "wallpaper")["count"] == 2
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 3)
    capped = anon.get(CATALOG, {"page_size": 2, "sort": "price"}).json()  # another filter set: counted anew
    assert capped["count"] == 3 and capped["count_is_exact"] is False
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 1)
    capped_search = search(anon, "wallpaper")
    assert capped_search["count"] == 1 and capped_search["count_is_exact"] is False
    assert len(capped_search["results"]) == 2  # the bound limits the count, never the pages


def test_a_count_above_the_bound_reads_10000_plus_on_the_website(shop, monkeypatch):
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 3)
    with translation.override("en"):
        page = Client().get("/browse/", {"sort": "price"}).content.decode()
    assert "3+ results" in page


def test_facet_counts_match_the_results(shop, anon):
    body = search(anon, "emoji", facets="true")
    facets = body["facets"]
    results = [Listing.objects.get(public_id=card["id"]) for card in body["results"]]
    assert facets["total"] == body["count"] == len(results)
    assert facets["category"] == {"emoji": 2, "other": 1}  # the sticker sheet, through a synonym
    assert facets["free"] == {"true": 2, "false": 1}
    assert sum(facets["target_model"].values()) == len(results)
    corrected = search(anon, "wallpapr", facets="true")  # facets describe the corrected query's results
    assert corrected["facets"]["category"] == {"wallpaper": 2}
    page = Client().get("/browse/", {"q": "emoji"}).content.decode()
    assert re.search(r'<option value="emoji"[^>]*>[^<]*\(2\)</option>', page)
    assert "Free only (2)" in page


# --- Pages that go back ----------------------------------------------------------------------------


@pytest.fixture
def posters(seller) -> None:
    for n in range(7):
        listing = make_listing(seller, publish=True, title=f"Koi poster {n}", price_amount=100 + n)
        Listing.objects.filter(pk=listing.pk).update(trending_score=10 - n, unlock_count=n % 3)


def _forward(anon: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    pages = [anon.get(CATALOG, params).json()]
    while pages[-1]["next_cursor"]:
        assert len(pages) < 10
        pages.append(anon.get(CATALOG, {**params, "cursor": pages[-1]["next_cursor"]}).json())
    return pages


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "price"},
        {"sort": "newest"},
        {"sort": "popular"},
        {"q": "poster", "sort": "price"},
        {"q": "poster", "sort": "newest"},
        {"q": "poster"},  # relevance: ranked candidates, then trending order
    ],
)
@pytest.mark.parametrize("candidates", [48, 3])
def test_previous_returns_the_same_items_as_before(posters, anon, monkeypatch, params, candidates):
    monkeypatch.setattr(search_query, "RELEVANCE_CANDIDATES", candidates)
    params = {**params, "page_size": 2}
    pages = _forward(anon, params)
    assert len(pages) == 4 and pages[0]["previous_cursor"] is None and pages[0]["previous"] is None
    assert sum(len(page["results"]) for page in pages) == 7
    # From the last page back to the first, following `previous`.
    current = pages[-1]
    for expected in reversed(pages[:-1]):
        assert current["previous"] and current["previous"].startswith(CATALOG)
        current = anon.get(CATALOG, {**params, "cursor": current["previous_cursor"]}).json()
        assert [card["id"] for card in current["results"]] == [card["id"] for card in expected["results"]]
        assert current["count"] == 7
    assert current["previous_cursor"] is None or params.get("q")  # relevance: a cursor to rank 0
    # A page reached backwards goes forwards again the same way.
    again = anon.get(CATALOG, {**params, "cursor": current["next_cursor"]}).json()
    assert [card["id"] for card in again["results"]] == [card["id"] for card in pages[1]["results"]]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "W10", "WyI8bmV3ZXN0IiwgMSwgMl0"],  # not base64 JSON; []; ["<newest", 1, 2] (bad date)
)
def test_a_bad_cursor_is_a_400(posters, anon, cursor):
    response = anon.get(CATALOG, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_a_previous_cursor_of_another_sort_is_a_400(posters, anon):
    pages = _forward(anon, {"sort": "price", "page_size": 2})
    response = anon.get(CATALOG, {"sort": "newest", "cursor": pages[1]["previous_cursor"]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


@requires_postgres
def test_a_common_word_is_more_than_the_bound_by_its_statistics_without_counting(shop, anon, monkeypatch):
    """Counting a common word's first thousand matches would cost more than its page: statistics
    that put it far above the bound answer "more", for a one-word query without other filters."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prompts_listing")  # inside the test's transaction: rolled back after
    clear_cache()
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 1)
    monkeypatch.setattr("prompts.search.facets.SURE_MARGIN", 2)  # wallpaper: 2 listings >= 2 x 1
    statements: list[str] = []

    def record(execute, sql, *args):
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        body = search(anon, "wallpaper")
    assert body["count"] == 1 and body["count_is_exact"] is False and len(body["results"]) == 2
    assert not any(" capped" in sql for sql in statements)
    filtered = search(anon, "wallpaper", category="wallpaper")  # a filter: counted, here up to the bound
    assert filtered["count"] == 1 and filtered["count_is_exact"] is False
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 10)
    exact = search(anon, "wallpaper", free="false")  # statistics only bound it: below, it is counted
    assert exact["count"] == 2 and exact["count_is_exact"] is True
    clear_cache()


def _record_counts(statements: list[tuple[str, Any]]):
    def record(execute, sql, params, many, context):
        if " capped" in sql:
            statements.append((sql, params))
        return execute(sql, params, many, context)

    return record


@requires_postgres
def test_synonyms_above_the_bound_are_settled_by_the_most_common_words(shop, seller, anon, monkeypatch):
    """Two synonym-widened words make a GIN scan of every synonym's postings; the AND of each word's
    most common token finds more than the bound as surely, and alone is what gets counted."""
    for city in ("Tokyo", "Shanghai"):
        title = f"Cyberpunk {city} wallpaper"
        make_listing(seller, publish=True, title=title, tags=["cyberpunk", "wallpaper"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prompts_listing")  # inside the test's transaction: rolled back after
    clear_cache()
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 1)
    monkeypatch.setattr("prompts.search.facets.PROOF_MARGIN", 1)
    statements: list[tuple[str, Any]] = []
    with connection.execute_wrapper(_record_counts(statements)):
        body = search(anon, "赛博朋克 wallpaper")
    assert body["count"] == 1 and body["count_is_exact"] is False
    assert titles(body) == {"Cyberpunk Tokyo wallpaper", "Cyberpunk Shanghai wallpaper"}
    assert len(statements) == 1
    counted = next(param for param in statements[0][1] if isinstance(param, str) and "&" in param)
    assert counted == "'cyberpunk' & 'wallpap'"  # not the synonyms: 壁纸, background, 锁屏 ...
    clear_cache()


@requires_postgres
def test_a_narrower_count_within_the_bound_is_never_the_answer(shop, seller, anon, monkeypatch):
    """Matches through synonyms only (a Chinese title) are missed by the narrower query: when it
    does not reach the bound, the whole query is counted, exactly."""
    make_listing(seller, publish=True, title="Cyberpunk Tokyo wallpaper", tags=["cyberpunk", "wallpaper"])
    make_listing(seller, publish=True, title="赛博朋克城市壁纸", tags=["赛博朋克"], language="zh")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prompts_listing")
    clear_cache()
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 5)
    monkeypatch.setattr("prompts.search.facets.PROOF_MARGIN", 0)  # always try the narrower query
    statements: list[tuple[str, Any]] = []
    with connection.execute_wrapper(_record_counts(statements)):
        body = search(anon, "赛博朋克 wallpaper")
    assert body["count"] == 2 and body["count_is_exact"] is True
    assert titles(body) == {"Cyberpunk Tokyo wallpaper", "赛博朋克城市壁纸"}
    assert len(statements) == 2  # the narrower query (1 match), then the whole one
    clear_cache()
