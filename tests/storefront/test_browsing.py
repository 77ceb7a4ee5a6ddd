"""Browsing the catalog: numbered pages back and forward, the result count, filters on phones,
and the seller page's tutoring offers."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace.storefront import paging
from tests.factories import make_listing
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(seller):
    return [
        make_listing(seller, publish=True, title=f"Koi poster {n}", price_amount=100 + n) for n in range(5)
    ]


def _titles(page: str) -> list[str]:
    return re.findall(r'<strong class="title"[^>]*>(Koi poster \d)</strong>', page)


def _link(page: str, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else ""


def _page_links(page: str) -> dict[str, str]:
    return {
        number: html.unescape(href)
        for href, number in re.findall(r'<a class="page" href="([^"]+)"[^>]*>(\d+)</a>', page)
    }


def test_pages_go_forward_and_back_by_number(five):
    client = Client()
    first = client.get("/browse/", {"sort": "price", "page_size": "2"}).content.decode()
    assert _titles(first) == ["Koi poster 0", "Koi poster 1"]
    assert _link(first, "prev") == "" and _page_links(first) == {}
    assert 'aria-current="page">1<' in first

    second = client.get("/browse/" + _link(first, "next")).content.decode()
    assert _titles(second) == ["Koi poster 2", "Koi poster 3"]
    assert 'aria-current="page">2<' in second and "page 2" in second

    third = client.get("/browse/" + _link(second, "next")).content.decode()
    assert _titles(third) == ["Koi poster 4"]
    assert _link(third, "next") == ""
    assert set(_page_links(third)) == {"1", "2"}
    # Numbered links and Previous lead back to the same pages, keeping the filters and sort.
    back_to_two = client.get("/browse/" + _page_links(third)["2"]).content.decode()
    assert _titles(back_to_two) == ["Koi poster 2", "Koi poster 3"]
    assert _titles(client.get("/browse/" + _link(third, "prev")).content.decode()) == _titles(back_to_two)
    back_to_one = client.get("/browse/" + _page_links(third)["1"]).content.decode()
    assert _titles(back_to_one) == ["Koi poster 0", "Koi poster 1"]
    assert "sort=price" in _page_links(third)["1"]


def test_deep_pages_keep_links_short_and_numbers_right(seller):
    for n in range(8):
        make_listing(seller, publish=True, title=f"Koi poster {n}", price_amount=100 + n)
    client = Client()
    page = client.get("/browse/", {"sort": "price", "page_size": "1"}).content.decode()
    for _ in range(7):
        page = client.get("/browse/" + _link(page, "next")).content.decode()
    assert _titles(page) == ["Koi poster 7"] and 'aria-current="page">8<' in page
    assert set(_page_links(page)) == {"1", "4", "5", "6", "7"}  # page 1 and the last four
    assert "…" in page
    assert _titles(client.get("/browse/" + _page_links(page)["5"]).content.decode()) == ["Koi poster 4"]


def test_a_hand_edited_page_number_is_harmless(five):
    client = Client()
    first = client.get("/browse/", {"sort": "price", "page_size": "2"}).content.decode()
    next_url = _link(first, "next").replace("page=2", "page=abc")
    page = client.get("/browse/" + next_url)
    assert page.status_code == 200 and _titles(page.content.decode()) == ["Koi poster 2", "Koi poster 3"]
    bad = client.get("/browse/", {"cursor": "not-a-cursor", "page": "3"})
    assert bad.status_code == 400 and "start again from the first page" in bad.content.decode()


def test_the_result_count_is_exact_then_bounded(five, monkeypatch):
    assert "5 results" in Client().get("/browse/", {"page_size": "2"}).content.decode()
    assert "1 result<" in Client().get("/browse/", {"currency": "USD", "max_price": "100"}).content.decode()
    assert "5 results" in Client().get("/browse/", {"q": "koi", "page_size": "2"}).content.decode()
    monkeypatch.setattr("prompts.search.facets.COUNT_BOUND", 3)
    assert "3+ results" in Client().get("/browse/", {"free": "false"}).content.decode()
    assert "3+ results" in Client().get("/browse/", {"q": "poster"}).content.decode()
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/browse/", {"q": "koi"}).content.decode()
    assert "共 3+ 个结果" in chinese


def test_count_text_groups_digits_in_both_languages():
    with translation.override("en"):
        assert paging.count_text(10_000, False) == "10,000+ results"
        assert paging.count_text(1234, True) == "1,234 results"
        assert paging.count_text(1, True) == "1 result"
    with translation.override("zh-hans"):
        assert paging.count_text(10_000, False) == "共 10,000+ 个结果"
        assert paging.count_text(1234, True) == "共 1,234 个结果"


def test_the_count_is_kept_briefly_so_paging_costs_no_count(five):
    client = Client()
    with CaptureQueriesContext(connection) as first:
        client.get("/browse/", {"page_size": "2"})
    with CaptureQueriesContext(connection) as again:
        client.get("/browse/", {"page_size": "2"})
    assert len(again) < len(first)


def test_filters_sit_behind_a_button_that_counts_them(five):
    page = Client().get("/browse/", {"category": "wallpaper", "free": "true"}).content.decode()
    panel = page.split('<details class="filter-panel"', 1)[1]
    assert panel.startswith(" data-open-wide>")  # closed without JavaScript; CSS shows it on wide screens
    assert re.search(r"<summary[^>]*>Filters \(2\)</summary>", panel)
    assert panel.index('<form class="filters"') < panel.index("</details>")


def test_the_seller_page_links_to_their_tutoring_offers(seller, other_seller):
    make_listing(seller, publish=True, title="Koi poster 0")
    offer = make_offer(seller, title="Prompt craft 1:1")
    make_offer(seller, title="Retired offer", is_active=False)
    make_offer(other_seller, title="Someone else's offer")
    page = Client().get("/sellers/seller-one/").content.decode()
    assert f'href="/tutoring/{offer.public_id}/"' in page and "Prompt craft 1:1" in page
    assert "Retired offer" not in page and "Someone else" not in page
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/sellers/seller-one/").content.decode()
    assert "这位卖家的辅导课" in chinese


def test_each_example_image_links_to_its_full_size_for_the_viewer(seller):
    listing = make_listing(seller, publish=True, title="Koi poster 0")
    page = Client().get(f"/listings/{listing.public_id}/").content.decode()
    links = re.findall(r'<a class="thumb full-size" href="([^"]+)" data-lightbox', page)
    assert len(links) == 1 and links[0].endswith(".webp")
    assert re.search(r'<script src="/static/storefront/lightbox[^"]*\.js" defer>', page)
    assert 'data-previous="Previous image"' in page


def test_a_text_listing_stacks_its_example_outputs_without_a_viewer(seller):
    listing = make_listing(
        seller, publish=True, title="Cover letter helper", target_model="chatgpt", category="writing"
    )
    page = Client().get(f"/listings/{listing.public_id}/").content.decode()
    assert '<div class="gallery text-examples" data-gallery>' in page
    assert "<h2>Example outputs</h2>" in page and "lightbox" not in page


def test_browsing_speaks_chinese(five):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(
        "/browse/", {"sort": "price", "page_size": "2", "category": "wallpaper"}
    ).content.decode()
    assert "5 个结果" in page
    assert re.search(r"<summary[^>]*>筛选 \(1\)</summary>", page)
    second = client.get("/browse/" + _link(page, "next")).content.decode()
    assert "第 2 页" in second and 'aria-label="第 1 页"' in second
