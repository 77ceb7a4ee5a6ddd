"""Search in Chinese and English, with known hit counts on PostgreSQL and on SQLite."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection
from django.db.models import F

from prompts.models import Listing, ListingStatus
from prompts.search import facets as search_facets
from prompts.search import query as search_query
from prompts.search.query import NEWEST, TRENDING, Order, Plan, SearchQuery, parse_query
from prompts.search.stats import SORT_FIELDS, Histogram, TokenStats, clear_cache, token_stats
from prompts.search.synonyms import Thesaurus, query_terms
from prompts.search.tokens import document_tokens
from tests.conftest import requires_postgres
from tests.factories import make_listing

pytestmark = pytest.mark.django_db
CATALOG = "/api/v1/listings/"

CORPUS = [
    # title, description, tags, model, category, price
    ("纽约唐人街小孩吃烧卖", "街头摄影风格的插画", ["插画"], "midjourney", "illustration", 900),
    ("赛博朋克城市壁纸", "霓虹灯与雨夜", ["壁纸", "赛博朋克"], "stable-diffusion", "other", 1200),
    (
        "Cyberpunk neon wallpapers",
        "Rain-soaked alleys for phone lock screens",
        ["neon"],
        "sdxl",
        "other",
        499,
    ),
    ("赛博朋克 wallpaper pack", "Mixed language pack", ["cyberpunk"], "flux", "other", 299),
    ("Kawaii food emoji", "Dumplings and boba with faces", ["emoji", "food"], "midjourney", "emoji", 0),
    ("熊猫表情包", "十二种情绪的熊猫", ["表情包", "熊猫"], "ernie-vilg", "emoji", 600),
    ("Neon koi wallpaper", "Koi fish glowing in a pond", ["koi"], "flux", "other", 350),
    ("Retro sunset T-shirt print", "Seventies sunsets, halftone", ["t-shirt"], "sdxl", "t-shirt", 450),
]


@pytest.fixture(autouse=True)
def _fresh_statistics():
    """Token statistics are cached per process; a test's ANALYZE must not outlive it."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def corpus(seller):
    return {
        title: make_listing(
            seller,
            publish=True,
            title=title,
            description=description,
            tags=tags,
            target_model=model,
            category=category,
            price_amount=price,
            price_currency="USD",
        )
        for title, description, tags, model, category, price in CORPUS
    }


def plain(text: str) -> SearchQuery:
    """The query without synonyms: the statistics and plans below are about its own tokens."""
    return SearchQuery(terms=query_terms(text, Thesaurus.build([])))


def titles(anon, query: str) -> list[str]:
    response = anon.get(CATALOG, {"q": query, "page_size": 60})
    assert response.status_code == 200, response.json()
    return [card["title"] for card in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "hits"),
    [
        ("烧卖", 1),  # a two-character Chinese word
        ("唐人街", 1),  # a dictionary word
        ("人街", 1),  # a substring that is no word at all
        ("赛博朋克", 3),  # and through its synonym "cyberpunk"
        ("赛博朋克 wallpaper", 3),  # mixed: both terms must match, each in either language
        ("wallpapers", 4),  # stemmed: wallpaper, wallpapers; and 壁纸
        ("WALLPAPER", 4),
        ("熊猫", 1),
        ("midjourney", 2),  # the target model
        ("seller-one", 8),  # the seller's handle
        ("boba", 1),  # the description
        ("qwertyzzz", 0),  # nothing
        ("猫", 1),  # one character
    ],
)
def test_probe_terms_have_known_hit_counts(corpus, anon, query, hits):
    assert len(titles(anon, query)) == hits


def every_page(anon, params: dict) -> list[str]:
    seen, cursor = [], None
    while True:
        body = anon.get(CATALOG, {**params, **({"cursor": cursor} if cursor else {})}).json()
        seen += [card["title"] for card in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen


def exact_histograms() -> dict[str, Histogram]:
    """One bucket per distinct value of each sort column: windows then step a row or two at a time."""
    published = Listing.objects.filter(status=ListingStatus.PUBLISHED)
    return {
        name: Histogram(
            bounds=sorted(set(published.values_list(name, flat=True))), bucket_rows=1.0, correlation=0
        )
        for name in SORT_FIELDS
    }


@requires_postgres
def test_every_search_strategy_returns_the_same_pages(corpus, anon, monkeypatch):
    Listing.objects.update(trending_score=F("id") % 3)  # ties, which keyset pages must get right
    histograms = exact_histograms()
    plans = {
        "collect": lambda order: Plan("collect", 10_000, 10_000, 0.0),
        "walk": lambda order: Plan("walk", 10_000, 10_000, 0.0),
        "windows": lambda order: Plan("window", 1, 1, 1.0, histograms[order.field]),
        # Allowances of one row or match: each step runs out and the next goes on where it stopped.
        "a one-row walk, then windows": lambda order: Plan("walk", 1, 1, 1.0, histograms[order.field]),
        "a one-match collect, then windows": lambda order: Plan(
            "collect", 1, 1, 1.0, histograms[order.field]
        ),
        "walks and collects, no histogram": lambda order: Plan("walk", 1, 1, 0.0),
    }
    monkeypatch.setattr(search_query, "RELEVANCE_CANDIDATES", 3)  # ranked; then by trending
    searches = [
        {"q": q, "sort": sort, "page_size": 2}
        for q in ("wallpaper", "seller-one", "赛博朋克", "qwertyzzz")
        for sort in ("newest", "price", "-price", "popular", "relevance")
    ]
    monkeypatch.setattr(search_query, "first_plan", lambda query, order, limit: plans["collect"](order))
    expected = [every_page(anon, params) for params in searches]
    assert expected[0] == [  # with its synonym 壁纸: an OR in every strategy
        "Neon koi wallpaper",
        "赛博朋克 wallpaper pack",
        "Cyberpunk neon wallpapers",
        "赛博朋克城市壁纸",
    ]
    assert all(len(set(found)) == len(found) for found in expected)
    assert sorted(expected[9]) == sorted(expected[5]) and len(expected[9]) == 8  # relevance: all, once
    for name, plan in plans.items():
        monkeypatch.setattr(search_query, "first_plan", lambda query, order, limit, plan=plan: plan(order))
        assert [every_page(anon, params) for params in searches] == expected, name


@requires_postgres
def test_a_walk_for_a_term_nobody_uses_stops_at_its_budget(corpus, anon, monkeypatch):
    """Statistics that call a term common (stale ones, say) cost a bounded walk, never the whole
    index: the walk reads its budget, then the GIN index answers."""
    monkeypatch.setattr(search_query, "first_plan", lambda query, order, limit: Plan("walk", 10_000, 3, 0.0))
    statements: list[str] = []

    def record(execute, sql, *args):
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        assert titles(anon, "qwertyzzz") == []
    walk, collect = (sql for sql in statements if "search_vector @@" in sql and " capped" not in sql)
    assert "row_number() OVER" in walk and "MATERIALIZED" in collect


@requires_postgres
def test_statistics_say_how_common_each_token_is(corpus, seller):
    """The planner's own statistics (after ANALYZE) give each token's share of the catalog."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prompts_listing")  # inside the test's transaction: rolled back after
    stats = token_stats()
    assert stats is not None and stats.rows == 8
    assert stats.frequency("wallpap") == pytest.approx(3 / 8)
    assert stats.frequency("赛博") == pytest.approx(2 / 8)
    assert stats.frequency("qwertyzzz") <= 1 / 8
    query = plain("赛博朋克 wallpaper")
    assert search_query.expected_matches(stats, query) == pytest.approx(8 * 2 / 8 * 3 / 8)
    assert search_query.postings(stats, query) == pytest.approx(
        4
    )  # 赛博 and 朋克; wallpap is skipped through
    published = stats.histograms["published_at"]
    newest = published.bounds[-1]
    assert published.bound(descending=True, start=None, rows=2) < newest  # the newest ones and more


def test_the_first_plan_follows_token_frequencies(monkeypatch):
    """A million listings: collect rare terms, walk common ones, AND the GIN and sort indexes for the
    ones between, with allowances for their density."""
    stats = TokenStats(
        rows=1e6,
        frequencies={"wallpap": 0.26, "人街": 0.01, "烧卖": 0.003, "赛博": 0.05, "朋克": 0.05},
        floor=0.001,
        histograms={
            "published_at": Histogram(bounds=list(range(101)), bucket_rows=10_000, correlation=1.0),
            "trending_score": Histogram(bounds=list(range(101)), bucket_rows=10_000, correlation=0.0),
        },
    )
    monkeypatch.setattr(search_query, "token_stats", lambda: stats)

    def plan(text: str, order: Order = NEWEST, limit: int = 25) -> Plan:
        return search_query.first_plan(plain(text), order, limit)

    assert plan("axolotl").way == "collect"  # not listed: in fewer than 1,000 listings
    assert plan("axolotl").cap == 4000
    assert plan("烧卖").way == "window"  # 3,000 matches, a few among the newest 16,667 listings
    assert plan("烧卖").window == pytest.approx(2 * 25 / 0.003)
    assert plan("人街").way == "walk"  # 10,000 matches: the newest 2,500 listings hold a page
    assert plan("人街").budget == 10_000
    assert plan("人街", TRENDING, 48).way == "window"  # trending order is not the table's: random reads
    assert plan("wallpaper").way == plan("wallpaper", TRENDING, 48).way == "walk"
    assert plan("wallpaper").budget == 2000
    assert plan("赛博朋克 wallpaper").way == "walk"  # 赛博 and 朋克 count once: 13,000 expected
    assert plan("烧卖", Order("price_amount", False)).way == "collect"  # no histogram: no windows


def test_relevance_ranks_the_most_trending_matches_then_follows_trending(corpus, anon, monkeypatch):
    Listing.objects.filter(title__in=["Kawaii food emoji", "Retro sunset T-shirt print"]).update(
        trending_score=5
    )
    Listing.objects.filter(title="熊猫表情包").update(trending_score=4)
    monkeypatch.setattr(search_query, "RELEVANCE_CANDIDATES", 2)
    first = anon.get(CATALOG, {"q": "seller-one", "page_size": 1}).json()
    second = anon.get(CATALOG, {"q": "seller-one", "page_size": 1, "cursor": first["next_cursor"]}).json()
    assert {first["results"][0]["title"], second["results"][0]["title"]} == {
        "Kawaii food emoji",
        "Retro sunset T-shirt print",
    }
    third = anon.get(CATALOG, {"q": "seller-one", "page_size": 2, "cursor": second["next_cursor"]}).json()
    assert third["results"][0]["title"] == "熊猫表情包"  # past the candidates: by trending score
    assert every_page(anon, {"q": "seller-one", "page_size": 3}) == titles(anon, "seller-one")


@pytest.mark.parametrize("offset", [-1, 2, "x"])
def test_a_relevance_cursor_outside_the_ranked_candidates_is_refused(corpus, anon, monkeypatch, offset):
    monkeypatch.setattr(search_query, "RELEVANCE_CANDIDATES", 2)
    cursor = base64.urlsafe_b64encode(json.dumps(["relevance", offset, 0]).encode()).decode().rstrip("=")
    response = anon.get(CATALOG, {"q": "seller-one", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_title_matches_rank_above_description_matches(seller, anon):
    make_listing(seller, publish=True, title="Koi pond at dusk", description="Goldfish.")
    make_listing(seller, publish=True, title="Garden scenes", description="Includes a koi pond.")
    assert titles(anon, "koi") == ["Koi pond at dusk", "Garden scenes"]


def test_explicit_sort_applies_to_search_results(corpus, anon):
    cards = anon.get(CATALOG, {"q": "wallpaper", "sort": "price"}).json()["results"]
    assert [card["price"]["amount"] for card in cards] == [299, 350, 499, 1200]


def test_search_pages_do_not_repeat(corpus, anon):
    first = anon.get(CATALOG, {"q": "seller-one", "page_size": 3}).json()
    seen = [card["id"] for card in first["results"]]
    cursor = first["next_cursor"]
    while cursor:
        page = anon.get(CATALOG, {"q": "seller-one", "page_size": 3, "cursor": cursor}).json()
        seen += [card["id"] for card in page["results"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 8


def test_archived_and_edited_listings_leave_and_update_the_index(corpus, seller_api, anon):
    koi = corpus["Neon koi wallpaper"]
    seller_api.post(f"/api/v1/seller/listings/{koi.public_id}/archive/")
    assert titles(anon, "koi") == []
    panda = corpus["熊猫表情包"]
    seller_api.patch(f"/api/v1/seller/listings/{panda.public_id}/", {"title": "小熊猫贴纸"}, format="json")
    assert titles(anon, "贴纸")[0] == "小熊猫贴纸"  # then the emoji listings, through its synonyms


def test_facets_describe_a_sample_when_there_are_many_matches(corpus, anon, monkeypatch):
    monkeypatch.setattr(search_facets, "FACET_SAMPLE", 2)
    facets = anon.get(CATALOG, {"q": "wallpaper", "facets": "true"}).json()["facets"]
    assert facets["capped"] is True and facets["total"] == 2
    assert sum(facets["target_model"].values()) == 2


@requires_postgres
def test_facets_of_a_common_query_describe_its_newest_matches(corpus, anon, monkeypatch):
    monkeypatch.setattr(search_facets, "FACET_SAMPLE", 2)
    monkeypatch.setattr(search_query, "first_plan", lambda query, order, limit: Plan("walk", 10, 10, 0.0))
    facets = anon.get(CATALOG, {"q": "wallpaper", "facets": "true"}).json()["facets"]
    assert facets["target_model"] == {"flux": 2}  # "Neon koi wallpaper", "赛博朋克 wallpaper pack"


def test_facets_count_the_matches(corpus, anon):
    body = anon.get(CATALOG, {"q": "wallpaper", "facets": "true"}).json()
    facets = body["facets"]
    assert facets["target_model"] == {"flux": 2, "sdxl": 1, "stable-diffusion": 1}  # with 赛博朋克城市壁纸
    assert facets["free"] == {"true": 0, "false": 4}
    assert facets["capped"] is False
    everything = anon.get(CATALOG, {"facets": "1"}).json()["facets"]
    assert everything["language"]["en"] == 8  # the factory's default language


def test_suggestions_complete_tags_titles_and_words(corpus, anon):
    def suggestions(prefix: str) -> list[str]:
        return anon.get("/api/v1/search/suggest/", {"q": prefix}).json()["suggestions"]

    assert "赛博朋克" in suggestions("赛博")
    assert "wallpaper" in suggestions("wall")
    assert "Kawaii food emoji" in suggestions("KAWA")
    assert suggestions("zzz") == []
    assert anon.get("/api/v1/search/suggest/", {"q": "x" * 61}).status_code == 400


def test_suggestions_write_a_chinese_word_as_its_title_does(seller, anon):
    """Tags are stored lower-case; 熊猫功夫T恤图案's word is offered as "T恤", not "t恤"."""
    make_listing(seller, publish=True, title="熊猫功夫T恤图案", tags=["t恤", "wallpaper"], language="zh")
    make_listing(seller, publish=True, title="Misty Wallpaper", tags=["wallpaper"])
    offered = anon.get("/api/v1/search/suggest/", {"q": "t"}).json()["suggestions"]
    assert "T恤" in offered and "t恤" not in offered
    assert "wallpaper" in anon.get("/api/v1/search/suggest/", {"q": "wall"}).json()["suggestions"]


def _query_tokens(text: str) -> list[str]:
    """The tokens a search asks for each word as typed: the first alternative of each of parse_query's
    terms (the others are the word written apart, "wall paper", and its synonyms)."""
    query = parse_query(text)
    assert query is not None
    typed = [token for term in query.terms for token in term.alternatives[0]]
    assert set(typed) <= set(query.tokens)
    return typed


def test_tokens_cover_any_chinese_substring():
    tokens = set(document_tokens("纽约唐人街小孩吃烧卖"))
    for substring in ("纽约", "唐人街", "人街", "小孩吃", "烧卖", "吃烧卖"):
        assert set(_query_tokens(substring)) <= tokens
    assert _query_tokens("Wallpapers, wallpaper!") == ["wallpap"]


def test_a_chinese_query_asks_for_bigrams_that_cover_it():
    assert _query_tokens("赛博朋克") == ["赛博", "朋克"]
    assert _query_tokens("唐人街") == ["唐人", "人街"]
    assert _query_tokens("赛博朋克 wallpapers 猫") == ["赛博", "朋克", "wallpap", "猫"]
