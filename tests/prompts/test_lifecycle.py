"""A seller's listing from draft to sale, over the REST API."""

from __future__ import annotations

import pytest

from prompts.models import Listing, ListingEvent, ListingStatus, ScreeningList, ScreeningTerm
from tests.factories import make_listing, png_upload

pytestmark = pytest.mark.django_db

NEW_LISTING = {
    "title": "Panda emoji pack",
    "description": "Round pandas with twelve moods.",
    "language": "en",
    "target_model": "midjourney",
    "category": "emoji",
    "tags": ["Emoji", "panda", "panda"],
    "price": {"amount": 399, "currency": "usd"},
    "license": "commercial",
    "prompt_text": "cute [animal] emoji, [mood], thick outline --niji 6",
    "usage_notes": "Swap [mood] for happy, sad...",
}


def test_seller_creates_uploads_submits_and_buyers_see_it(seller_api, anon):
    created = seller_api.post("/api/v1/seller/listings/", NEW_LISTING, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["variables"] == ["animal", "mood"]
    assert body["tags"] == ["emoji", "panda"]
    assert body["price"] == {"amount": 399, "currency": "USD", "display": "$3.99"}
    listing_id = body["id"]
    assert not listing_id.isdigit()

    assert anon.get(f"/api/v1/listings/{listing_id}/").status_code == 404

    upload = seller_api.post(
        f"/api/v1/seller/listings/{listing_id}/images/", {"image": png_upload()}, format="multipart"
    )
    assert upload.status_code == 201, upload.json()
    assert seller_api.get(f"/api/v1/seller/listings/{listing_id}/").json()["images"][0]["status"] == "ready"

    submitted = seller_api.post(f"/api/v1/seller/listings/{listing_id}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "published"

    detail = anon.get(f"/api/v1/listings/{listing_id}/")
    assert detail.status_code == 200
    assert detail.json()["variables"] == ["animal", "mood"]
    assert "thick outline" not in detail.content.decode()
    titles = [card["title"] for card in anon.get("/api/v1/listings/").json()["results"]]
    assert titles == ["Panda emoji pack"]


def test_image_listing_cannot_be_submitted_without_an_image(seller, seller_api):
    listing = make_listing(seller)
    response = seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "needs_preview"


def test_manual_review_waits_for_staff(settings, seller, seller_api):
    settings.LISTING_REVIEW = "manual"
    listing = make_listing(seller, publish=True)
    assert listing.status == ListingStatus.PENDING_REVIEW


def test_blocked_term_names_the_field_not_the_term(seller, seller_api):
    words = ScreeningList.objects.create(name="banned", action="block")
    ScreeningTerm.objects.create(screening_list=words, term="换脸")
    listing = make_listing(seller, prompt_text="明星换脸 [name] 高清")
    seller_api.post(
        f"/api/v1/seller/listings/{listing.public_id}/images/", {"image": png_upload()}, format="multipart"
    )
    response = seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "screening_blocked"
    assert list(error["fields"]) == ["prompt_text"]
    assert "换脸" not in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT
    assert ListingEvent.objects.filter(listing=listing, action="screening_blocked").exists()


def test_review_term_queues_for_moderator(seller):
    review = ScreeningList.objects.create(name="sensitive", action="review")
    ScreeningTerm.objects.create(screening_list=review, term="celebrity")
    listing = make_listing(seller, publish=True, description="Looks like a Celebrity portrait")
    assert listing.status == ListingStatus.PENDING_REVIEW
    assert "description" in listing.review_note


def test_editing_a_published_prompt_keeps_the_old_version(seller, seller_api):
    listing = make_listing(seller, publish=True)
    response = seller_api.patch(
        f"/api/v1/seller/listings/{listing.public_id}/",
        {"prompt_text": "new [subject] prompt"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["prompt_version"] == 2
    assert response.json()["status"] == "published"
    assert list(Listing.objects.get(pk=listing.pk).versions.values_list("number", flat=True)) == [2, 1]


def test_published_listing_cannot_be_deleted_but_can_be_archived(seller, seller_api, anon):
    listing = make_listing(seller, publish=True)
    url = f"/api/v1/seller/listings/{listing.public_id}/"
    deleted = seller_api.delete(url)
    assert deleted.status_code == 409
    assert deleted.json()["error"]["code"] == "cannot_delete_published"
    assert seller_api.post(url + "archive/").json()["status"] == "archived"
    assert anon.get(f"/api/v1/listings/{listing.public_id}/").status_code == 404


def test_another_sellers_listing_is_not_found(seller, other_seller, client_for):
    listing = make_listing(seller)
    intruder = client_for(other_seller)
    url = f"/api/v1/seller/listings/{listing.public_id}/"
    for response in (
        intruder.get(url),
        intruder.patch(url, {"title": "mine now"}, format="json"),
        intruder.delete(url),
        intruder.post(url + "submit/"),
        intruder.post(url + "images/", {"image": png_upload()}, format="multipart"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Listing.objects.get(pk=listing.pk).title == "Neon koi wallpaper"
