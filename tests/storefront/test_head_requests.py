"""HEAD answers wherever GET does (uptime checks, `curl -I`): the same status and headers, no body."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from marketplace.storefront.views import catalog
from prompts import bundles
from tests.factories import make_listing
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def public_pages(seller) -> list[str]:  # type: ignore[no-untyped-def]
    koi = make_listing(seller, publish=True, title="Neon koi wallpaper")
    carp = make_listing(seller, publish=True, title="Golden carp wallpaper")
    bundle = bundles.bundle_create(
        seller=seller, title="Fish pair", discount_percent=20, listings=[koi.public_id, carp.public_id]
    )
    bundles.bundle_publish(bundle=bundle, by=seller)
    offer = make_offer(seller)
    return [
        "/",
        "/browse/",
        "/browse/?q=koi",
        f"/listings/{koi.public_id}/",
        f"/listings/{koi.public_id}/report/",
        "/sellers/seller-one/",
        f"/bundles/{bundle.public_id}/",
        "/tutoring/",
        f"/tutoring/{offer.public_id}/",
        "/complaints/",
        "/robots.txt",
        "/sitemap.xml",
        "/sitemap-listings.xml",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/logout/",
        "/accounts/password-reset/",
        "/api/docs/",
        "/api/v1/listings/",
        "/healthz",
    ]


def test_head_answers_every_public_page_like_get_without_a_body(public_pages):
    for path in public_pages:
        got = Client().get(path)
        assert got.status_code == 200, path
        head = Client().head(path)
        assert head.status_code == 200, path
        assert head["Content-Type"] == got["Content-Type"], path
        assert head.content == b"", path


def test_head_answers_a_signed_in_users_pages(seller):
    site = Client()
    site.force_login(seller)
    for path in (
        "/library/",
        "/orders/",
        "/account/",
        "/account/notifications/",
        "/dashboard/",
        "/dashboard/sales/",
    ):
        head = site.head(path)
        assert (head.status_code, head.content) == (200, b""), path


def test_a_head_of_a_listing_is_not_counted_as_a_view(seller, monkeypatch):
    listing = make_listing(seller, publish=True)
    viewed: list[str] = []
    monkeypatch.setattr(catalog.discovery, "views_record", lambda public_id: viewed.append(public_id))
    Client().head(f"/listings/{listing.public_id}/")
    assert viewed == []
    Client().get(f"/listings/{listing.public_id}/")
    assert viewed == [listing.public_id]


def test_no_view_allows_get_without_head():
    """Django's require_GET and a method list with GET alone answer HEAD with a 405."""
    offenders = []
    for path in [
        *ROOT.glob("marketplace/**/*.py"),
        *ROOT.glob("prompts/**/*.py"),
        *ROOT.glob("payments/**/*.py"),
    ]:
        source = path.read_text(encoding="utf-8")
        for methods in re.findall(r"require_http_methods\(\[([^\]]*)\]\)", source):
            if '"GET"' in methods and '"HEAD"' not in methods:
                offenders.append(f"{path.relative_to(ROOT)}: require_http_methods([{methods}])")
        if re.search(r"@require_GET\b", source):
            offenders.append(f"{path.relative_to(ROOT)}: require_GET")
    assert offenders == []
