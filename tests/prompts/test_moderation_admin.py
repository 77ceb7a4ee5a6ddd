"""Staff moderate in the Django admin: approve, reject with a reason the seller sees, audit trail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from prompts.models import Listing, ListingEvent, ListingStatus
from tests.factories import make_listing

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/prompts/listing/"


@pytest.fixture
def pending(settings, seller):
    settings.LISTING_REVIEW = "manual"
    listing = make_listing(seller, publish=True, prompt_text="CANARY-admin-9d1 [x]")
    assert listing.status == ListingStatus.PENDING_REVIEW
    return listing


@pytest.fixture
def moderator(staff):
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_listing", "change_listing"]))
    client = Client()
    client.force_login(staff)
    return client


def test_moderator_approves_and_the_listing_goes_on_sale(pending, moderator, anon):
    response = moderator.post(
        CHANGELIST, {"action": "approve", "_selected_action": [pending.pk]}, follow=True
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == ListingStatus.PUBLISHED
    assert anon.get(f"/api/v1/listings/{pending.public_id}/").status_code == 200
    assert ListingEvent.objects.filter(listing=pending, action="approved").exists()


def test_reject_asks_for_a_reason_and_the_seller_sees_it(pending, moderator, seller_api):
    ask = moderator.post(CHANGELIST, {"action": "reject", "_selected_action": [pending.pk]})
    assert ask.status_code == 200
    assert b"reason" in ask.content
    assert Listing.objects.get(pk=pending.pk).status == ListingStatus.PENDING_REVIEW

    moderator.post(
        CHANGELIST,
        {
            "action": "reject",
            "_selected_action": [pending.pk],
            "reason": "The examples show a real celebrity.",
        },
    )
    seen = seller_api.get(f"/api/v1/seller/listings/{pending.public_id}/").json()
    assert seen["status"] == "rejected"
    assert seen["rejection_reason"] == "The examples show a real celebrity."
    event = ListingEvent.objects.get(listing=pending, action="rejected")
    assert event.detail["reason"] == "The examples show a real celebrity."


def test_staff_without_the_version_permission_never_see_prompt_text(pending, moderator):
    page = moderator.get(f"{CHANGELIST}{pending.pk}/change/")
    assert page.status_code == 200
    assert b"CANARY-admin-9d1" not in page.content


def test_superuser_sees_prompt_versions(pending, staff):
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    assert b"CANARY-admin-9d1" in client.get(f"{CHANGELIST}{pending.pk}/change/").content


def test_rejected_listing_can_be_fixed_and_resubmitted(pending, moderator, seller_api, settings):
    moderator.post(CHANGELIST, {"action": "reject", "_selected_action": [pending.pk], "reason": "Blurry."})
    url = f"/api/v1/seller/listings/{pending.public_id}/"
    assert seller_api.patch(url, {"title": "Sharper koi"}, format="json").json()["status"] == "draft"
    settings.LISTING_REVIEW = "auto"
    assert seller_api.post(url + "submit/").json()["status"] == "published"
