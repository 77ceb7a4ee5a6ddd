"""Buying on the website through the sandbox, and what the buyer then sees."""

from __future__ import annotations

import pytest
from django.test import Client, TestCase

from payments.models import Order, Unlock
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


def _site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def koi(seller):
    return make_listing(
        seller,
        publish=True,
        title="Neon koi wallpaper",
        price_amount=499,
        price_currency="USD",
        prompt_text="SECRET-koi glowing koi in neon water, [style]",
    )


def _buy(client: Client, listing) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/listings/{listing.public_id}/buy/")
    assert response.status_code == 303
    return response["Location"]


def test_buying_goes_to_the_sandbox_checkout_and_only_payment_unlocks(buyer, koi):
    site = _site(buyer)
    checkout_url = _buy(site, koi)
    assert "/payments/sandbox/checkout/" in checkout_url
    order = Order.objects.get(buyer=buyer)

    # The return page before payment tells the truth and polls; the status endpoint says pending.
    pending = site.get(f"/payments/return/{order.public_id}/").content.decode()
    assert "Payment on its way" in pending and "data-poll=" in pending
    assert site.get(f"/orders/{order.public_id}/status/").json() == {"state": "pending"}
    assert "SECRET-koi" not in site.get(f"/listings/{koi.public_id}/").content.decode()

    with TestCase.captureOnCommitCallbacks(execute=True):
        paid = site.post(checkout_url, {"action": "pay"})
    assert paid.status_code == 303
    assert site.get(f"/orders/{order.public_id}/status/").json() == {"state": "paid"}
    listing_page = site.get(f"/listings/{koi.public_id}/").content.decode()
    assert "SECRET-koi" in listing_page and 'data-copy="prompt-text"' in listing_page
    library = site.get("/library/").content.decode()
    assert "Neon koi wallpaper" in library


def test_a_cancelled_checkout_unlocks_nothing(buyer, koi):
    site = _site(buyer)
    checkout_url = _buy(site, koi)
    with TestCase.captureOnCommitCallbacks(execute=True):
        site.post(checkout_url, {"action": "cancel"})
    assert not Unlock.objects.filter(buyer=buyer).exists()
    assert "SECRET-koi" not in site.get(f"/listings/{koi.public_id}/").content.decode()


def test_someone_else_cannot_poll_your_order(buyer, stranger, koi):
    _buy(_site(buyer), koi)
    order = Order.objects.get(buyer=buyer)
    assert _site(stranger).get(f"/orders/{order.public_id}/status/").status_code == 404
    assert Client().get(f"/orders/{order.public_id}/status/").status_code == 404


def test_a_free_listing_unlocks_at_once_and_buying_twice_explains(buyer, seller):
    free = make_listing(
        seller, publish=True, title="Free emoji", price_amount=0, prompt_text="SECRET-emoji [x]"
    )
    site = _site(buyer)
    assert _buy(site, free).endswith("#prompt")
    assert "SECRET-emoji" in site.get(f"/listings/{free.public_id}/").content.decode()
    again = site.post(f"/listings/{free.public_id}/buy/", follow=True)
    assert "already" in again.content.decode()


def test_buy_needs_login_and_a_post_with_csrf(buyer, koi):
    anonymous = Client().post(f"/listings/{koi.public_id}/buy/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert _site(buyer).get(f"/listings/{koi.public_id}/buy/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)
    assert strict.post(f"/listings/{koi.public_id}/buy/").status_code == 403
    assert not Order.objects.exists()


def test_own_listing_cannot_be_bought(seller, koi):
    page = _site(seller).post(f"/listings/{koi.public_id}/buy/", follow=True).content.decode()
    assert "your own listing" in page


def test_buyers_review_once_and_sellers_reply_once(buyer, seller, stranger):
    free = make_listing(seller, publish=True, title="Free emoji", price_amount=0)
    site = _site(buyer)
    _buy(site, free)
    not_owner = _site(stranger).post(f"/listings/{free.public_id}/review/", {"rating": 5}, follow=True)
    assert "Only buyers who unlocked" in not_owner.content.decode()

    site.post(f"/listings/{free.public_id}/review/", {"rating": 4, "text": "Crisp results."})
    twice = site.post(f"/listings/{free.public_id}/review/", {"rating": 1}, follow=True)
    assert "already reviewed" in twice.content.decode()
    review = free.reviews.get()
    assert review.rating == 4

    seller_site = _site(seller)
    seller_site.post(f"/listings/{free.public_id}/review/", {"reply_to": review.public_id, "text": "Thanks!"})
    page = Client().get(f"/listings/{free.public_id}/").content.decode()
    assert "Crisp results." in page and "Thanks!" in page and "★★★★☆" in page


def test_favourites_toggle_and_list(buyer, koi):
    site = _site(buyer)
    site.post(f"/listings/{koi.public_id}/favourite/", {"action": "add"})
    assert "Neon koi wallpaper" in site.get("/favourites/").content.decode()
    site.post(f"/listings/{koi.public_id}/favourite/", {"action": "remove"})
    assert "Neon koi wallpaper" not in site.get("/favourites/").content.decode()


def test_the_library_is_searchable(buyer, seller):
    for title, category in (("Free emoji", "emoji"), ("免费壁纸", "illustration")):
        _buy(_site(buyer), make_listing(seller, publish=True, title=title, price_amount=0, category=category))
    site = _site(buyer)
    assert "免费壁纸" in site.get("/library/", {"q": "壁纸"}).content.decode()
    assert "Free emoji" not in site.get("/library/", {"q": "壁纸"}).content.decode()
