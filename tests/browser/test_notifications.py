"""A seller turns sale emails off on a phone, then a one-click link from an email, signed out."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.notifications.emails import unsubscribe_token
from marketplace.notifications.models import NotificationPreference
from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_email_choices_on_a_phone_and_the_unsubscribe_page(page: Any) -> None:
    user = UserFactory(handle="notify-me", email="notify@example.com", password=PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    log_in(page, user.email, PASSWORD)
    page.goto("/account/notifications/")
    receipts = page.get_by_label("Purchase receipts")
    assert receipts.is_checked() and receipts.is_disabled()
    page.get_by_label("Sales of your listings").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your email choices are saved.").wait_for()
    assert not page.get_by_label("Sales of your listings").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "notifications-preferences-phone")
    assert NotificationPreference.objects.get(user=user, kind="sale").enabled is False

    page.context.clear_cookies()
    page.goto(f"/unsubscribe/{unsubscribe_token(user_id=user.pk, kind='review_new')}/")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_text("You will no longer get these emails").wait_for()
    snap(page, "notifications-unsubscribed-phone")
    assert NotificationPreference.objects.get(user=user, kind="review_new").enabled is False
