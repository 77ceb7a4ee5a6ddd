"""With VERIFICATION_REQUIRED, every path that publishes, buys or reviews asks for verification,
through the API (403 verification_required with the URL) and the website (the verification step)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client, TestCase

from marketplace.verification.models import Status, Verification, VerificationEvent
from marketplace.verification.services import verification_revoke
from payments.models import Unlock
from prompts.models import ListingEvent, ListingStatus, Review
from tests.factories import UserFactory, make_listing
from tests.storefront.test_tutor_admin_pages import offer_form
from tests.tutoring.helpers import book, make_offer
from tests.verification.conftest import verify_phone, verify_seller

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
WED_9 = "2026-05-06T09:00:00+08:00"
TEXT = {"target_model": "chatgpt", "category": "product", "example_outputs": ["An example."]}


def refused(response: Any) -> None:
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "verification_required"
    assert error["fields"]["verification_url"] == ["http://127.0.0.1:8000/account/verification/"]


def _site(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data or {})


def _to_verification(response: Any) -> None:
    assert response.status_code == 303
    assert response["Location"].startswith("/account/verification/?next=")


def test_gate_is_off_by_default_for_the_global_profile(seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(seller, **TEXT)
    assert seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/").status_code == 200


@pytest.mark.usefixtures("gate")
def test_api_listing_submit_needs_a_verified_seller(seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(seller, **TEXT)
    url = f"/api/v1/seller/listings/{listing.public_id}/submit/"
    refused(seller_api.post(url))
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT
    verify_seller(seller)
    assert seller_api.post(url).status_code == 200
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED


@pytest.mark.usefixtures("gate")
def test_website_listing_submit_sends_the_seller_to_the_verification_step(seller) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(seller, **TEXT)
    response = _post(_site(seller), f"/dashboard/listings/{listing.public_id}/submit/")
    _to_verification(response)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


@pytest.mark.usefixtures("gate")
def test_api_tutoring_offer_publish_needs_a_verified_seller(seller_api, seller) -> None:  # type: ignore[no-untyped-def]
    offer = {
        "title": "Lighting 1:1",
        "languages": ["zh"],
        "duration_minutes": 45,
        "timezone": "Asia/Shanghai",
    }
    offer["price"] = {"amount": 5000, "currency": "cny"}
    refused(seller_api.post("/api/v1/seller/tutoring/offers/", offer, format="json"))
    hidden = seller_api.post("/api/v1/seller/tutoring/offers/", {**offer, "is_active": False}, format="json")
    assert hidden.status_code == 201, hidden.content  # a draft offer is not published
    url = f"/api/v1/seller/tutoring/offers/{hidden.json()['id']}/"
    refused(seller_api.patch(url, {"is_active": True}, format="json"))
    verify_seller(seller)
    assert seller_api.patch(url, {"is_active": True}, format="json").status_code == 200


@pytest.mark.usefixtures("gate")
def test_website_tutoring_offer_needs_a_verified_seller(seller) -> None:  # type: ignore[no-untyped-def]
    form = offer_form()
    response = _post(_site(seller), "/dashboard/tutoring/new/", form)
    _to_verification(response)


@pytest.mark.usefixtures("gate")
def test_api_and_website_review_reply_need_a_verified_seller(settings, seller, client_for) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_REQUIRED = False
    listing = make_listing(seller, publish=True, price_amount=0, **TEXT)
    buyer = UserFactory()
    api = client_for(buyer)
    api.post(f"/api/v1/listings/{listing.public_id}/checkout/", format="json")
    review_id = api.post(
        f"/api/v1/listings/{listing.public_id}/reviews/", {"rating": 4}, format="json"
    ).json()["id"]
    settings.VERIFICATION_REQUIRED = True
    reply = f"/api/v1/listings/{listing.public_id}/reviews/{review_id}/reply/"
    refused(client_for(seller).post(reply, {"text": "Thanks"}, format="json"))
    web = _post(
        _site(seller), f"/listings/{listing.public_id}/review/", {"reply_to": review_id, "text": "Thanks"}
    )
    _to_verification(web)
    assert Review.objects.get().replied_at is None
    verify_seller(seller)
    assert client_for(seller).post(reply, {"text": "Thanks"}, format="json").status_code == 200


@pytest.mark.usefixtures("gate")
@pytest.mark.parametrize("price", [0, 499])
def test_api_checkout_needs_a_verified_phone(settings, seller, buyer, buyer_api, price) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_REQUIRED = False
    listing = make_listing(seller, publish=True, price_amount=price, **TEXT)
    settings.VERIFICATION_REQUIRED = True
    url = f"/api/v1/listings/{listing.public_id}/checkout/"
    refused(buyer_api.post(url, format="json"))
    assert not Unlock.objects.exists()
    verify_phone(buyer)
    assert buyer_api.post(url, format="json").status_code in (200, 201)


@pytest.mark.usefixtures("gate")
def test_website_buy_and_review_need_a_verified_phone(settings, seller, buyer) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_REQUIRED = False
    listing = make_listing(seller, publish=True, price_amount=0, **TEXT)
    settings.VERIFICATION_REQUIRED = True
    site = _site(buyer)
    _to_verification(_post(site, f"/listings/{listing.public_id}/buy/"))
    assert not Unlock.objects.exists()
    verify_phone(buyer)
    assert _post(site, f"/listings/{listing.public_id}/buy/").status_code == 303
    assert Unlock.objects.filter(buyer=buyer).exists()


@pytest.mark.usefixtures("gate")
def test_api_review_needs_a_verified_phone(settings, seller, client_for) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_REQUIRED = False
    listing = make_listing(seller, publish=True, price_amount=0, **TEXT)
    buyer = UserFactory()
    api = client_for(buyer)
    api.post(f"/api/v1/listings/{listing.public_id}/checkout/", format="json")
    settings.VERIFICATION_REQUIRED = True
    refused(api.post(f"/api/v1/listings/{listing.public_id}/reviews/", {"rating": 5}, format="json"))
    assert not Review.objects.exists()


@pytest.mark.usefixtures("gate", "clock")
def test_api_and_website_booking_need_a_verified_phone(settings, seller, buyer, buyer_api) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_REQUIRED = False
    offer = make_offer(seller)
    settings.VERIFICATION_REQUIRED = True
    refused(book(buyer_api, offer, WED_9))
    web = _post(_site(buyer), f"/tutoring/{offer.public_id}/book/", {"start": WED_9})
    assert web.status_code == 303 and web["Location"].startswith("/account/verification/")
    verify_phone(buyer)
    assert book(buyer_api, offer, WED_9).status_code == 201


@pytest.mark.usefixtures("gate")
def test_revoking_unpublishes_the_sellers_listings_with_an_audit_event(seller, staff) -> None:  # type: ignore[no-untyped-def]
    verify_seller(seller)
    listing = make_listing(seller, publish=True, **TEXT)
    offer = make_offer(seller)
    assert listing.status == ListingStatus.PUBLISHED
    with TestCase.captureOnCommitCallbacks(execute=True):
        verification_revoke(verification=Verification.objects.get(user=seller), by=staff)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ARCHIVED
    event = ListingEvent.objects.filter(listing=listing).latest("pk")
    assert (event.action, event.actor, event.detail) == (
        "archived",
        staff,
        {"reason": "verification_revoked"},
    )
    assert Verification.objects.get(user=seller).status == Status.UNVERIFIED
    trail = list(VerificationEvent.objects.filter(user=seller).order_by("pk").values_list("action", "actor"))
    assert trail == [("verified", seller.pk), ("revoked", staff.pk)]
    offer.refresh_from_db()
    assert not offer.is_active  # the tutoring offer is off the seller's page too


def test_staff_revoke_from_the_admin(seller, staff) -> None:  # type: ignore[no-untyped-def]
    staff.is_superuser = True
    staff.save()
    verify_seller(seller)
    listing = make_listing(seller, publish=True, **TEXT)
    verification = Verification.objects.get(user=seller)
    admin = Client()
    admin.force_login(staff)
    page = admin.get("/admin/verification/verification/")
    assert page.status_code == 200 and "张*" in page.content.decode()
    response = _post(
        admin,
        "/admin/verification/verification/",
        {"action": "revoke", "_selected_action": [verification.pk]},
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ARCHIVED
    assert not Verification.objects.filter(status=Status.VERIFIED).exists()
