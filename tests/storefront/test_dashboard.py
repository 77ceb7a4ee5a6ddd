"""The seller dashboard: own listings with preview status, live status, sales, payout setup."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from marketplace.accounts.models import User
from prompts import services
from prompts.models import ImageStatus, ListingImage
from tests.factories import make_listing, onboard, png_upload
from tests.verification.conftest import verify_seller

pytestmark = pytest.mark.django_db


def _site(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _add_image_without_rendering(listing, seller) -> ListingImage:  # type: ignore[no-untyped-def]
    """An upload whose preview rendering has not run yet (its task waits for a commit that never comes)."""
    return services.listing_image_add(listing=listing, by=seller, upload=png_upload())


def _poll_state(page: str) -> str | None:
    found = re.search(r'data-poll="/dashboard/status/" data-poll-state="([^"]+)"', page)
    return found.group(1) if found else None


def test_the_dashboard_needs_a_login():
    response = _site().get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/dashboard/"
    assert _site().get("/dashboard/status/").status_code == 302


def test_the_dashboard_lists_only_your_own_listings_with_their_state(seller, other_seller):
    published = make_listing(seller, publish=True, title="Neon koi wallpaper")
    make_listing(seller, title="Draft of ink dragons")
    make_listing(other_seller, publish=True, title="Somebody else's sunsets")
    page = _site(seller).get("/dashboard/").content.decode()
    assert "Neon koi wallpaper" in page and "Draft of ink dragons" in page
    assert "Somebody else" not in page
    assert f'href="/listings/{published.public_id}/"' in page  # published: linked to its public page
    assert '<span class="status published">Published</span>' in page
    assert '<span class="status draft">Draft</span>' in page
    assert '<span class="status ready">Ready</span>' in page  # its rendered example image
    assert "$4.99" in page


def test_preview_statuses_show_with_the_reason_of_a_failure_and_a_live_poll(seller):
    listing = make_listing(seller, title="Neon koi wallpaper")
    waiting = _add_image_without_rendering(listing, seller)
    failed = _add_image_without_rendering(listing, seller)
    ListingImage.objects.filter(pk=failed.pk).update(
        status=ImageStatus.FAILED, failure_reason="The image could not be decoded."
    )
    site = _site(seller)
    page = site.get("/dashboard/").content.decode()
    assert '<span class="status pending">Waiting</span>' in page
    assert '<span class="status failed">Failed</span>' in page
    assert "The image could not be decoded." in page

    state = _poll_state(page)
    assert state is not None
    assert site.get("/dashboard/status/").json()["state"] == state

    ListingImage.objects.filter(pk=waiting.pk).update(status=ImageStatus.PROCESSING)
    processing = site.get("/dashboard/status/").json()
    assert processing["state"] != state and processing["waiting"] is True
    assert '<span class="status processing">Rendering</span>' in site.get("/dashboard/").content.decode()

    ListingImage.objects.filter(pk=waiting.pk).update(status=ImageStatus.READY)
    done = site.get("/dashboard/")
    assert _poll_state(done.content.decode()) is None  # nothing left to wait for: no polling
    assert site.get("/dashboard/status/").json()["waiting"] is False


def test_the_status_of_another_sellers_previews_is_not_yours(seller, other_seller):
    theirs = make_listing(other_seller, title="Theirs")
    _add_image_without_rendering(theirs, other_seller)
    status = _site(seller).get("/dashboard/status/").json()
    assert status["waiting"] is False


def _dashboard_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_one_listing_or_many(seller):
    site = _site(seller)
    make_listing(seller, publish=True, title="First")
    one = _dashboard_queries(site)
    for n in range(5):
        listing = make_listing(seller, publish=True, title=f"More {n}")
        _add_image_without_rendering(listing, seller)
    many = _dashboard_queries(site)
    assert many == one, f"{one} queries for one listing, {many} for six"
    # session, user, page count, listings + 3 prefetches, previews, payouts, sales (4), trials
    assert many <= 14


def test_sales_and_earnings_per_currency(seller, buyer):
    koi = make_listing(
        seller, publish=True, title="Neon koi wallpaper", price_amount=499, price_currency="USD"
    )
    buyer_site = _site(buyer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        checkout = buyer_site.post(f"/listings/{koi.public_id}/buy/")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert buyer_site.post(checkout["Location"], {"action": "pay"}).status_code == 303

    page = _site(seller).get("/dashboard/").content.decode()
    assert "No sales yet" not in page
    assert "Your earnings in USD" in page
    assert "$4.99" in page and "$3.99" in page  # paid by the buyer; the seller's 80 %
    assert '<span class="status paid">Paid</span>' in page
    assert "No sales yet" in _site(buyer).get("/dashboard/").content.decode()


def test_the_payouts_button_goes_to_the_sandbox_onboarding(buyer):
    site = _site(buyer)
    page = site.get("/dashboard/").content.decode()
    assert "Set up payouts" in page and 'action="/dashboard/payouts/"' in page
    assert site.get("/dashboard/payouts/").status_code == 405

    response = site.post("/dashboard/payouts/")
    assert response.status_code == 303
    assert response["Location"].endswith("/payments/onboarding/done/")
    buyer.refresh_from_db()
    assert buyer.can_accept_payments  # the sandbox onboards at once
    after = site.get("/dashboard/").content.decode()
    assert "You can sell paid listings" in after and "Set up payouts" not in after


def test_the_payouts_button_needs_csrf(buyer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)
    assert strict.post("/dashboard/payouts/").status_code == 403
    buyer.refresh_from_db()
    assert not buyer.can_accept_payments


def test_the_dashboard_explains_how_to_add_listings(buyer):
    page = _site(buyer).get("/dashboard/").content.decode()
    assert "You have no listings yet." in page
    assert 'href="/dashboard/listings/new/"' in page  # the website's editor, no terminal needed
    assert 'href="/api/docs/"' in page  # the API stays for sellers who prefer their own tools


def test_the_dashboard_in_chinese(seller):
    response = _site(seller).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "卖家中心" in page and "我的商品" in page  # "Seller dashboard", "Your listings"


def _account_box(page: str) -> str:
    start = page.index('aria-labelledby="account-h"')
    return page[start : page.index("</section>", start)]


def test_the_account_box_links_identity_payouts_and_statements(buyer):
    site = _site(buyer)
    box = _account_box(site.get("/dashboard/").content.decode())
    assert 'href="/account/verification/?next=/dashboard/"' in box and "Start verification" in box
    assert 'href="/dashboard/payouts/details/"' in box and "Stripe Connect" in box and "Not set up" in box
    assert 'href="/dashboard/payouts/statements/"' in box
    verify_seller(buyer)
    onboard(buyer)
    box = _account_box(site.get("/dashboard/").content.decode())
    assert "Verified" in box and "张*" in box and "Start verification" not in box
    assert "Active" in box and "Not set up" not in box


def test_the_account_box_names_the_manual_rail(buyer, settings):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    box = _account_box(_site(buyer).get("/dashboard/").content.decode())
    assert "Bank or Alipay transfer" in box and "Not set up" in box
