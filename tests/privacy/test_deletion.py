"""Deleting an account: personal data anonymised at once, orders kept, unlocks revoked, listings
archived; refused while money is in flight; the email can register again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.accounts.models import ApiToken, SignInEvent, User
from marketplace.tutoring.models import Booking, BookingStatus, TutoringOffer
from payments.models import LedgerEntry, Order, Payout, Unlock
from prompts.models import Favourite, Listing, ListingStatus
from tests.factories import PASSWORD, make_listing
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db


def sold(listing: Listing, buyer: User, **fields: object) -> Order:
    order = Order.objects.create(
        buyer=buyer,
        listing=listing,
        seller=listing.seller,
        amount=1000,
        currency="CNY",
        platform_fee=200,
        seller_amount=800,
        status="paid",
        provider="sandbox",
        paid_at=timezone.now(),
        **fields,
    )
    LedgerEntry.objects.create(
        key=f"sale:{order.pk}", order=order, account="seller", kind="sale", amount=800, currency="CNY"
    )
    Unlock.objects.create(buyer=buyer, listing=listing, order=order)
    return order


@pytest.fixture
def listing(seller) -> Listing:  # type: ignore[no-untyped-def]
    return make_listing(seller, publish=True, price_amount=0)


def delete(api, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return api.post("/api/v1/me/delete/", {"password": password}, format="json")


def test_deleting_a_buyer_anonymises_them_keeps_orders_and_revokes_unlocks(buyer, buyer_api, listing) -> None:  # type: ignore[no-untyped-def]
    order = sold(listing, buyer)
    Favourite.objects.create(buyer=buyer, listing=listing)
    old_email, old_handle = buyer.email, buyer.handle

    response = delete(buyer_api)
    assert response.status_code == 204

    buyer.refresh_from_db()
    assert buyer.email != old_email and old_handle not in buyer.email
    assert buyer.handle != old_handle and buyer.display_name == "" and buyer.bio == ""
    assert not buyer.is_active and not buyer.has_usable_password()
    assert not ApiToken.objects.filter(user=buyer).exists()
    assert buyer_api.get("/api/v1/me/").status_code == 401
    # The order stays, pointing at the anonymised row, with its amounts; the unlock dies.
    kept = Order.objects.get(pk=order.pk)
    assert (kept.buyer_id, kept.amount, kept.status) == (buyer.pk, 1000, "paid")
    assert not Unlock.objects.active().filter(buyer=buyer).exists()
    assert Unlock.objects.get(order=order).revoke_reason == "account_deleted"
    assert not Favourite.objects.filter(buyer=buyer).exists()


def test_the_deleted_user_cannot_sign_in_and_the_email_can_register_again(buyer, buyer_api, anon) -> None:  # type: ignore[no-untyped-def]
    email = buyer.email
    assert delete(buyer_api).status_code == 204
    token = anon.post("/api/v1/auth/token/", {"email": email, "password": PASSWORD}, format="json")
    assert token.status_code == 401
    assert not Client().login(username=email, password=PASSWORD)
    again = anon.post(
        "/api/v1/auth/register/",
        {"email": email, "password": PASSWORD, "handle": "back-again"},
        format="json",
    )
    assert again.status_code == 201, again.json()


def test_deleting_a_seller_archives_listings_and_unpublishes_offers(seller, seller_api, listing) -> None:  # type: ignore[no-untyped-def]
    offer = make_offer(seller)
    assert delete(seller_api).status_code == 204
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.ARCHIVED
    assert not TutoringOffer.objects.get(pk=offer.pk).is_active


def test_a_wrong_password_changes_nothing(buyer, buyer_api) -> None:  # type: ignore[no-untyped-def]
    response = delete(buyer_api, "not-my-password")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_incorrect"
    buyer.refresh_from_db()
    assert buyer.is_active and buyer.check_password(PASSWORD)
    assert delete(buyer_api, "").status_code == 400


def test_an_unpaid_payout_is_refused_with_what_to_do(seller, seller_api, buyer, listing) -> None:  # type: ignore[no-untyped-def]
    order = sold(listing, buyer)
    Payout.objects.create(order=order, amount=800, currency="CNY", destination_account="acct_1")
    response = delete(seller_api)
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "money_in_flight" and "payout" in body["message"]
    seller.refresh_from_db()
    assert seller.is_active and Listing.objects.get(pk=listing.pk).status == ListingStatus.PUBLISHED


def test_an_open_dispute_is_refused_for_the_buyer_too(buyer, buyer_api, listing) -> None:  # type: ignore[no-untyped-def]
    sold(listing, buyer, disputed=True, payout_held=True)
    response = delete(buyer_api)
    assert response.status_code == 409
    assert "disputed" in response.json()["error"]["message"]
    assert Unlock.objects.filter(buyer=buyer, revoked_at__isnull=True).exists()


def test_a_confirmed_session_to_come_blocks_and_a_held_one_is_released(seller, buyer, buyer_api) -> None:  # type: ignore[no-untyped-def]
    offer = make_offer(seller)
    start = timezone.now() + timedelta(days=3)
    fields = dict(
        offer=offer,
        buyer=buyer,
        seller=seller,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        blocked_from=start,
        blocked_until=start + timedelta(hours=1),
        timezone="Asia/Shanghai",
        price_amount=19900,
        price_currency="CNY",
    )
    confirmed = Booking.objects.create(**fields, status=BookingStatus.CONFIRMED)
    response = delete(buyer_api)
    assert response.status_code == 409 and "bookings page" in response.json()["error"]["message"]

    Booking.objects.filter(pk=confirmed.pk).update(status=BookingStatus.CANCELLED)
    held = Booking.objects.create(**fields, status=BookingStatus.HELD)
    assert delete(buyer_api).status_code == 204
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.EXPIRED


def test_a_website_session_elsewhere_is_signed_out(buyer, buyer_api) -> None:  # type: ignore[no-untyped-def]
    browser = Client()
    assert browser.login(username=buyer.email, password=PASSWORD)
    assert browser.get("/account/").status_code == 200
    assert delete(buyer_api).status_code == 204
    assert browser.get("/account/").status_code == 302  # to the login page


def test_an_open_checkout_blocks_until_it_expires(buyer, buyer_api, listing) -> None:  # type: ignore[no-untyped-def]
    order = Order.objects.create(
        buyer=buyer, listing=listing, seller=listing.seller, amount=1000, currency="CNY", platform_fee=200,
        seller_amount=800, provider="sandbox",
    )  # fmt: skip
    response = delete(buyer_api)
    assert response.status_code == 409 and "checkout" in response.json()["error"]["message"]
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert delete(buyer_api).status_code == 204


def test_the_refusal_speaks_chinese(seller, seller_api, buyer, listing) -> None:  # type: ignore[no-untyped-def]
    Payout.objects.create(
        order=sold(listing, buyer), amount=800, currency="CNY", destination_account="acct_1"
    )
    response = seller_api.post(
        "/api/v1/me/delete/", {"password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 409
    assert "一笔给你的结算款尚未到账" in response.json()["error"]["message"]


def test_sign_in_events_stay_for_retention_without_the_user_agent(buyer, buyer_api) -> None:  # type: ignore[no-untyped-def]
    Client(HTTP_USER_AGENT="Mozilla/5.0 (Phone; Model X-1)", REMOTE_ADDR="203.0.113.9").post(
        "/accounts/login/", {"email": buyer.email, "password": PASSWORD}
    )
    assert delete(buyer_api).status_code == 204
    kept = SignInEvent.objects.get(user=buyer)
    buyer.refresh_from_db()
    # The log the law keeps: time and address, now of an anonymised account; not the device.
    assert (kept.kind, kept.address, kept.user_agent) == ("sign_in", "203.0.113.9", "")
    assert buyer.email.endswith("@deleted.invalid")
