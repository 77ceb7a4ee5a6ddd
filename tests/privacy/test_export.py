"""Staff export everything held about one user, from the admin, and the export is logged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from marketplace.accounts.models import SignInEvent
from marketplace.notifications.models import NotificationPreference
from marketplace.tutoring.models import Booking, TutorReview
from payments.models import DiscountCode, DiscountCodeBuyer, Order, Unlock
from prompts.models import Complaint, Favourite, Review
from tests.factories import UserFactory, make_listing
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


@pytest.fixture
def everything(seller, buyer, stranger):  # type: ignore[no-untyped-def]
    """One of each kind for the seller, and a stranger's rows of the same kinds that must not leak."""
    own = make_listing(seller, publish=True, price_amount=0, prompt_text="the seller's own secret prompt")
    theirs = make_listing(stranger, publish=True, price_amount=0, prompt_text="a stranger's secret prompt")
    for user, listing in ((seller, theirs), (stranger, own)):
        order = Order.objects.create(
            buyer=user, listing=listing, seller=listing.seller, amount=1000, currency="CNY",
            platform_fee=200, seller_amount=800, status="paid", provider="sandbox",
        )  # fmt: skip
        Unlock.objects.create(buyer=user, listing=listing, order=order)
        Review.objects.create(listing=listing, buyer=user, rating=4, text=f"review by {user.handle}")
        Favourite.objects.create(buyer=user, listing=listing)
        NotificationPreference.objects.create(user=user, kind="sale", enabled=False)
        Complaint.objects.create(
            listing=listing, reporter=user, reason="other", note=f"note by {user.handle}"
        )
    offer = make_offer(seller)
    start, end = offer.created_at, offer.created_at + timedelta(hours=1)
    booking = Booking.objects.create(
        offer=offer, buyer=buyer, seller=seller, starts_at=start, ends_at=end, blocked_from=start,
        blocked_until=end, timezone="UTC", price_amount=100, price_currency="CNY", status="completed",
    )  # fmt: skip
    TutorReview.objects.create(
        booking=booking, offer=offer, seller=seller, buyer=buyer, rating=5, text="kind tutor"
    )
    for user, address in ((seller, "203.0.113.9"), (stranger, "198.51.100.66")):
        SignInEvent.objects.create(
            user=user, kind="sign_in", door="website", address=address, user_agent=f"agent of {user.handle}"
        )
    return own


def export(client: Client, user) -> dict:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse(CHANGELIST), {"action": "export_personal_data", "_selected_action": [user.pk]}
    )
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_export_holds_each_kind_and_nothing_of_other_users(admin_client, seller, everything) -> None:  # type: ignore[no-untyped-def]
    data = export(admin_client, seller)
    assert data["profile"]["email"] == seller.email
    assert data["listings"][0]["prompt_versions"][0]["text"] == "the seller's own secret prompt"
    for kind in (
        "purchases", "sales", "unlocks", "reviews", "favourites", "notification_preferences",
        "complaints_filed", "bookings", "tutoring_offers", "sign_in_events",
    ):  # fmt: skip
        assert len(data[kind]) == 1, kind
    text = json.dumps(data)
    assert "a stranger's secret prompt" not in text
    assert "review by stranger" not in text and "note by stranger" not in text
    assert "stranger@example.com" not in text
    assert data["sign_in_events"][0]["address"] == "203.0.113.9"
    assert "198.51.100.66" not in text and "agent of stranger" not in text
    assert "pbkdf2" not in text and "argon2" not in text  # no password hash


def test_the_export_is_recorded_in_the_admin_log(admin_client, seller, everything) -> None:  # type: ignore[no-untyped-def]
    export(admin_client, seller)
    entry = LogEntry.objects.get(object_id=str(seller.pk))
    assert "Exported" in entry.get_change_message()


def test_staff_without_the_permission_cannot_export(seller, everything) -> None:  # type: ignore[no-untyped-def]
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client = Client()
    client.force_login(viewer)
    response = client.post(
        reverse(CHANGELIST), {"action": "export_personal_data", "_selected_action": [seller.pk]}
    )
    assert "attachment" not in response.get("Content-Disposition", "")
    assert not LogEntry.objects.exists()
    buyer_client = Client()
    buyer_client.force_login(UserFactory())
    assert buyer_client.post(reverse(CHANGELIST), {"action": "export_personal_data"}).status_code == 302


def test_a_tutor_review_is_the_writers_not_the_tutors(admin_client, seller, buyer, everything) -> None:  # type: ignore[no-untyped-def]
    assert export(admin_client, seller)["tutor_reviews"] == []
    assert [review["text"] for review in export(admin_client, buyer)["tutor_reviews"]] == ["kind tutor"]


def test_the_codes_a_seller_made_and_a_buyer_used_are_each_in_their_own_export(  # type: ignore[no-untyped-def]
    admin_client, seller, buyer, stranger
) -> None:
    spring = DiscountCode.objects.create(seller=seller, code="SPRING10", kind="percent", percent=10, uses=2)
    DiscountCodeBuyer.objects.create(code=spring, buyer=buyer, uses=2)
    theirs = DiscountCode.objects.create(seller=stranger, code="HUSHHUSH", kind="percent", percent=50, uses=1)
    DiscountCodeBuyer.objects.create(code=theirs, buyer=stranger, uses=1)
    bought = export(admin_client, buyer)
    assert bought["discount_code_uses"] == [
        {"code__code": "SPRING10", "code__seller__handle": seller.handle, "uses": 2}
    ]
    assert bought["discount_codes"] == []
    assert "HUSHHUSH" not in json.dumps(bought)
    made = export(admin_client, seller)
    assert [(row["code"], row["percent"], row["uses"]) for row in made["discount_codes"]] == [
        ("SPRING10", 10, 2)
    ]
    assert made["discount_code_uses"] == []
    assert "HUSHHUSH" not in json.dumps(made)
