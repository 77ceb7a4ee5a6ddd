"""Moderation decisions, reviews and replies, complaint outcomes: each email once, in the
recipient's language, without the prompt's text."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from marketplace.core.errors import ApplicationError
from prompts import discovery
from prompts.models import Listing, ListingStatus
from prompts.moderation import complaints, decisions
from tests.factories import UserFactory, make_listing
from tests.notifications.helpers import SECRET, the_one

pytestmark = pytest.mark.django_db


def _twice(capture: Any, apply: Callable[[], object]) -> None:
    """Apply the event twice, each in its own committed transaction; a refusal the second time is fine."""
    for _ in range(2):
        with capture(execute=True), contextlib.suppress(ApplicationError):
            apply()


@pytest.fixture
def pending(settings, zh_seller) -> Listing:  # type: ignore[no-untyped-def]
    settings.LISTING_REVIEW = "manual"
    listing = make_listing(zh_seller, publish=True, prompt_text=f"{SECRET} [x]")
    assert listing.status == ListingStatus.PENDING_REVIEW
    return listing


def test_an_approval_applied_twice_sends_one_email(
    pending, zh_seller, staff, django_capture_on_commit_callbacks
):
    _twice(django_capture_on_commit_callbacks, lambda: decisions.listing_approve(listing=pending, by=staff))
    message = the_one("listing_approved", to=zh_seller.email)
    assert pending.title in message.subject


def test_a_rejection_sends_the_reason_once(pending, zh_seller, staff, django_capture_on_commit_callbacks):
    reject = lambda: decisions.listing_reject(listing=pending, by=staff, reason="图片与提示词不符")  # noqa: E731
    _twice(django_capture_on_commit_callbacks, reject)
    message = the_one("listing_rejected", to=zh_seller.email)
    assert "图片与提示词不符" in message.body


@pytest.fixture
def published(seller) -> Listing:  # type: ignore[no-untyped-def]
    return make_listing(seller, publish=True, prompt_text=f"{SECRET} [x]")


def test_a_review_sends_one_email_to_the_seller_and_a_reply_one_to_the_reviewer(
    published, zh_seller, zh_buyer, django_capture_on_commit_callbacks
):
    create = lambda: discovery.review_create(listing=published, buyer=zh_buyer, rating=4, text="很好用")  # noqa: E731
    _twice(django_capture_on_commit_callbacks, create)
    new = the_one("review_new", to=zh_seller.email)
    assert "4/5" in new.body and "很好用" in new.body

    review = published.reviews.get()
    reply = lambda: discovery.review_reply(review=review, by=zh_seller, text="谢谢您的评价")  # noqa: E731
    _twice(django_capture_on_commit_callbacks, reply)
    assert "谢谢您的评价" in the_one("review_reply", to=zh_buyer.email).body
    assert len(mail.outbox) == 2


def test_a_complaint_resolved_twice_tells_the_reporter_once(
    published, staff, django_capture_on_commit_callbacks
):
    reporter = UserFactory(handle="reporter", email="reporter@example.com", language="zh-hans")
    complaint = complaints.complaint_file(listing=published, reporter=reporter, reason="copyright")
    resolve = lambda: complaints.complaint_resolve(  # noqa: E731
        complaint=complaint, by=staff, upheld=True, resolution="已下架该作品"
    )
    _twice(django_capture_on_commit_callbacks, resolve)
    message = the_one("complaint_outcome", to=reporter.email)
    assert "已下架该作品" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # always sent


def test_an_anonymous_reporter_is_answered_at_their_address_in_the_deciding_requests_language(
    published, staff, django_capture_on_commit_callbacks
):
    complaint = complaints.complaint_file(
        listing=published, reporter=None, reason="other", contact_email="anon@example.com"
    )
    with translation.override("en"):
        _twice(
            django_capture_on_commit_callbacks,
            lambda: complaints.complaint_resolve(
                complaint=complaint, by=staff, upheld=False, resolution="OK"
            ),
        )
    message = the_one("complaint_outcome", to="anon@example.com", chinese=False)
    assert message.body.startswith("Hello,")
