"""What search engines see: robots.txt, sitemap.xml, hreflang links; and the API docs under the CSP."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import make_listing

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_private_pages_out_and_names_the_sitemap():
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "User-agent: *" in body
    for private in ("/dashboard/", "/library/", "/account/", "/api/"):
        assert f"Disallow: {private}\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /browse/" not in body and "Disallow: /listings/" not in body


def test_favicon_ico_leads_to_the_site_icon_instead_of_a_404():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("storefront/favicon.svg")
    assert finders.find("storefront/favicon.svg")


def test_sitemap_lists_published_listings_and_their_sellers_only(seller, other_seller):
    live = make_listing(seller, publish=True, title="Neon koi wallpaper")
    draft = make_listing(other_seller, title="Unfinished draft")
    index = Client().get("/sitemap.xml")
    assert index.status_code == 200
    sections = re.findall(r"<loc>(.*?)</loc>", index.content.decode())
    assert sections == ["http://testserver/sitemap-listings.xml", "http://testserver/sitemap-sellers.xml"]

    listings = Client().get("/sitemap-listings.xml").content.decode()
    assert f"<loc>http://testserver/listings/{live.public_id}/</loc>" in listings
    assert draft.public_id not in listings
    assert "<lastmod>" in listings

    sellers = Client().get("/sitemap-sellers.xml").content.decode()
    assert "<loc>http://testserver/sellers/seller-one/</loc>" in sellers
    assert "seller-two" not in sellers  # only a draft: nothing public to index

    assert Client().get("/sitemap-nothing.xml").status_code == 404


def _alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def test_pages_link_their_english_and_chinese_versions(seller):
    listing = make_listing(seller, publish=True, title="Neon koi wallpaper")
    page = Client().get(f"/listings/{listing.public_id}/").content.decode()
    assert _alternates(page) == {
        "en": f"http://testserver/listings/{listing.public_id}/?lang=en",
        "zh-Hans": f"http://testserver/listings/{listing.public_id}/?lang=zh-hans",
        "x-default": f"http://testserver/listings/{listing.public_id}/",
    }
    browse = Client().get("/browse/", {"q": "koi", "lang": "en"}).content.decode()
    assert _alternates(browse)["zh-Hans"] == "http://testserver/browse/?lang=zh-hans&amp;q=koi"


def test_the_lang_parameter_shows_the_page_in_that_language_and_keeps_it():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/browse/", {"lang": "zh-hans"})
    assert '<html lang="zh-Hans">' in chinese.content.decode()
    assert chinese.cookies["django_language"].value == "zh-hans"
    # The next page, without the parameter, stays Chinese; an unknown value changes nothing.
    assert '<html lang="zh-Hans">' in client.get("/browse/").content.decode()
    assert '<html lang="zh-Hans">' in client.get("/browse/", {"lang": "klingon"}).content.decode()
    assert '<html lang="en">' in client.get("/browse/", {"lang": "en"}).content.decode()


def test_api_docs_page_obeys_the_site_csp():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert "style-src 'self';" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "<style" not in page and " style=" not in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)
    init = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page)
    assert init is not None
    script = Client().get(init.group(1).replace("&amp;", "&"))
    assert script.status_code == 200 and "javascript" in script["Content-Type"]


def test_a_request_for_a_host_we_do_not_serve_is_still_a_plain_400(client, settings):
    settings.ALLOWED_HOSTS = ["dimsum.example"]
    response = client.get("/browse/", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 400
    assert 'rel="alternate"' not in response.content.decode()
