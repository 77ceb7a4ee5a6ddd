"""Search in Chinese and English, with known hit counts on PostgreSQL and on SQLite."""

from __future__ import annotations

import pytest

from prompts.search import query as search_query
from prompts.search.tokens import document_tokens, query_tokens
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
        ("赛博朋克", 2),
        ("赛博朋克 wallpaper", 1),  # mixed: both languages must match
        ("wallpapers", 3),  # stemmed: wallpaper, wallpapers
        ("WALLPAPER", 3),
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


def test_dense_and_sparse_query_paths_agree(corpus, anon, monkeypatch):
    sparse = {q: titles(anon, q) for q in ("wallpaper", "赛博朋克", "qwertyzzz")}
    monkeypatch.setattr(search_query, "SPARSE_LIMIT", 1)  # every term now counts as "dense"
    assert {q: titles(anon, q) for q in sparse} == sparse


def test_title_matches_rank_above_description_matches(seller, anon):
    make_listing(seller, publish=True, title="Koi pond at dusk", description="Goldfish.")
    make_listing(seller, publish=True, title="Garden scenes", description="Includes a koi pond.")
    assert titles(anon, "koi") == ["Koi pond at dusk", "Garden scenes"]


def test_explicit_sort_applies_to_search_results(corpus, anon):
    cards = anon.get(CATALOG, {"q": "wallpaper", "sort": "price"}).json()["results"]
    assert [card["price"]["amount"] for card in cards] == [299, 350, 499]


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
    assert titles(anon, "贴纸") == ["小熊猫贴纸"]


def test_facets_count_the_matches(corpus, anon):
    body = anon.get(CATALOG, {"q": "wallpaper", "facets": "true"}).json()
    facets = body["facets"]
    assert facets["target_model"] == {"flux": 2, "sdxl": 1}
    assert facets["free"] == {"true": 0, "false": 3}
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


def test_tokens_cover_any_chinese_substring():
    tokens = set(document_tokens("纽约唐人街小孩吃烧卖"))
    for substring in ("纽约", "唐人街", "人街", "小孩吃", "烧卖", "吃烧卖"):
        assert set(query_tokens(substring)) <= tokens
    assert query_tokens("Wallpapers, wallpaper!") == ["wallpap"]
