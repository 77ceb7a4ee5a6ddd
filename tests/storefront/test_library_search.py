"""The library's search reads a query as the catalog's does (synonyms in either language, the
category's names in both, a typo corrected when nothing matches), over what the buyer owns, archived
listings included."""

from __future__ import annotations

import re

import pytest
from django.test import Client, TestCase

from prompts import services as prompt_services
from prompts.search import synonyms
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

_TITLE = re.compile(r'#prompt">([^<]+)</a>')


@pytest.fixture(autouse=True)
def _fresh_synonyms():
    synonyms.synonyms_changed()
    yield
    synonyms.synonyms_changed()


def _site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _free(seller, title: str, category: str, tags: list[str]):
    return make_listing(
        seller, publish=True, title=title, category=category, tags=tags, description="", price_amount=0
    )


@pytest.fixture
def library(buyer, seller):
    owned = {
        "panda": _free(seller, "熊猫表情包", "emoji", ["可爱"]),
        "city": _free(seller, "Neon city at night", "wallpaper", ["neon"]),
        "fox": _free(seller, "Minimal fox logo", "logo", ["line-art"]),
    }
    site = _site(buyer)
    for listing in owned.values():
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert site.post(f"/listings/{listing.public_id}/buy/").status_code == 303
    return owned


def titles(site: Client, query: str) -> list[str]:
    response = site.get("/library/", {"q": query})
    assert response.status_code == 200
    return _TITLE.findall(response.content.decode())


def test_panda_finds_the_chinese_panda_pack(buyer, library):
    assert titles(_site(buyer), "panda") == ["熊猫表情包"]


def test_the_chinese_for_wallpaper_finds_an_english_wallpaper(buyer, library):
    assert titles(_site(buyer), "壁纸") == ["Neon city at night"]


@pytest.mark.parametrize(
    "query", ["panda", "Pandas", "大熊猫", "壁纸", "wallpapers", "NEON", "line art", "fox logo"]
)
def test_the_library_finds_what_the_catalog_finds(buyer, anon, library, query):
    catalog = anon.get("/api/v1/listings/", {"q": query}).json()["results"]
    assert catalog, query
    assert sorted(titles(_site(buyer), query)) == sorted(card["title"] for card in catalog)


def test_an_archived_listing_is_still_found_in_the_library(buyer, seller, anon, library):
    with TestCase.captureOnCommitCallbacks(execute=True):
        prompt_services.listing_archive(listing=library["panda"], by=seller)
    assert anon.get("/api/v1/listings/", {"q": "panda"}).json()["results"] == []
    assert titles(_site(buyer), "panda") == ["熊猫表情包"]
    assert titles(_site(buyer), "表情") == ["熊猫表情包"]


def test_listings_the_buyer_does_not_own_stay_out(buyer, other_seller, library):
    _free(other_seller, "Panda stickers", "emoji", ["panda"])
    assert titles(_site(buyer), "panda") == ["熊猫表情包"]


def test_a_misspelt_query_shows_the_corrected_ones_matches(buyer, library):
    page = _site(buyer).get("/library/", {"q": "wallpapr"}).content.decode()
    assert _TITLE.findall(page) == ["Neon city at night"]
    assert "Showing results for <strong>wallpaper</strong>" in page


@pytest.mark.parametrize("query", ["cover", "published_at", "!!!", "dragon"])
def test_a_query_that_matches_nothing_says_so(buyer, library, query):
    page = _site(buyer).get("/library/", {"q": query}).content.decode()
    assert _TITLE.findall(page) == []
    assert "Nothing in your library matches." in page
    assert "Showing results for" not in page
