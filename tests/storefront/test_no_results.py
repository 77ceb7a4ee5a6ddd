"""Browse and search with nothing to show: the message names the search, advises shorter searches
only when the search is long, and links to filters to drop, common searches and the categories."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs

import pytest
from django.test import Client

from prompts.search.suggest import rebuild_weights
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def koi(seller):
    listings = [
        make_listing(seller, publish=True, title=f"Koi poster {n}", price_amount=100 + n) for n in range(3)
    ]
    make_listing(
        seller,
        publish=True,
        title="Crane sticker",
        description="A paper crane.",
        tags=["crane"],
        category="emoji",
    )
    rebuild_weights()  # the daily recount: "koi" is on three listings, "crane" on one
    return listings


def _help(page: str) -> str:
    return page.split('<div class="notice no-results">', 1)[1].split("</div>", 1)[0]


def _links(block: str, css_class: str = "") -> list[tuple[str, str]]:
    attribute = f' class="{css_class}"' if css_class else ""
    return [
        (re.sub(r"<[^>]+>|×", "", text).strip(), html.unescape(href))
        for href, text in re.findall(rf'<a{attribute} href="([^"]+)">(.+?)</a>', block)
    ]


def _titles(page: str) -> list[str]:
    return re.findall(r'<strong class="title"[^>]*>([^<]+)</strong>', page)


def test_a_short_search_that_finds_nothing_offers_searches_that_do(koi):
    client = Client()
    block = _help(client.get("/browse/", {"q": "hot pot"}).content.decode())
    assert "No listing matches “hot pot”." in block
    assert "Try fewer" not in block  # two short words are not the problem
    popular = [link for link in _links(block) if link[1].startswith("?q=")]
    assert popular[0] == ("koi", "?q=koi")  # the commonest word of the catalog comes first
    assert ("crane", "?q=crane") in popular
    assert sorted(_titles(client.get("/browse/" + popular[0][1]).content.decode())) == [
        "Koi poster 0",
        "Koi poster 1",
        "Koi poster 2",
    ]
    assert ("Wallpaper", "/browse/?category=wallpaper") in _links(block)


def test_a_long_search_that_finds_nothing_is_told_to_use_fewer_words(koi):
    block = _help(Client().get("/browse/", {"q": "neon koi pond at night"}).content.decode())
    assert "Try fewer or shorter words" in block


def test_each_active_filter_has_a_link_that_drops_only_it(koi):
    client = Client()
    params = {"q": "koi", "category": "logo", "price_max": "0.50", "display_currency": "USD", "model": ""}
    page = client.get("/browse/", params).content.decode()
    assert re.search(r"<summary[^>]*>Filters \(2\)</summary>", page)  # the price counts as a filter
    removals = dict(_links(_help(page), "remove-filter"))
    assert set(removals) == {"Logo", "Price up to 0.50 USD"}
    assert parse_qs(removals["Logo"][1:]) == {
        "q": ["koi"],
        "price_max": ["0.50"],
        "display_currency": ["USD"],
    }
    assert parse_qs(removals["Price up to 0.50 USD"][1:]) == {
        "q": ["koi"],
        "category": ["logo"],
        "display_currency": ["USD"],
    }
    one_filter = client.get("/browse/", {"q": "koi", "category": "logo"}).content.decode()
    [(text, href)] = _links(_help(one_filter), "remove-filter")
    assert text == "Logo" and len(_titles(client.get("/browse/" + href).content.decode())) == 3


def test_the_suggestions_speak_chinese(koi):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/browse/", {"q": "火锅"}).content.decode()
    block = _help(page)
    assert "没有与“火锅”匹配的商品。" in block and "热门搜索：" in block and "按分类浏览：" in block


def test_a_search_of_several_words_offers_each_search_less_one_word_that_finds_something(koi):
    client = Client()
    block = _help(client.get("/browse/", {"q": "koi crane", "category": "emoji"}).content.decode())
    fewer = _links(block, "fewer-words")
    assert fewer == [("crane (1)", "?category=emoji&q=crane")]  # "koi" alone finds no emoji: not offered
    assert _titles(client.get("/browse/" + fewer[0][1]).content.decode()) == ["Crane sticker"]
    everywhere = _links(_help(client.get("/browse/", {"q": "koi crane"}).content.decode()), "fewer-words")
    assert everywhere == [("crane (1)", "?q=crane"), ("koi (3)", "?q=koi")]
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/browse/", {"q": "koi crane"}).content.decode()
    assert "少一个词再搜：" in _help(chinese)
    for single in ("axolotl", "axolotl tiger"):  # one word, or no word that finds anything alone
        assert "fewer-words" not in _help(client.get("/browse/", {"q": single}).content.decode())


def test_the_api_answers_the_same_shorter_searches_when_nothing_is_found(koi):
    client = Client()
    body = client.get("/api/v1/listings/", {"q": "koi crane"}).json()
    assert body["results"] == [] and body["count"] == 0
    assert body["fewer_words"] == [
        {"q": "crane", "count": 1, "count_is_exact": True},
        {"q": "koi", "count": 3, "count_is_exact": True},
    ]
    assert client.get("/api/v1/listings/", {"q": "koi"}).json()["fewer_words"] == []  # found: none
