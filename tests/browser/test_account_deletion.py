"""A user deletes their account on a phone: the page explains it, asks for the password, signs out.

A wrong password (a 400 page, which the console reports) is covered by tests/privacy."""

from __future__ import annotations

from typing import Any

import pytest

from marketplace.accounts.models import User
from tests.browser.conftest import log_in, snap
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_deleting_an_account_on_a_phone(page: Any) -> None:
    user = UserFactory(handle="leaving-soon", email="leaving@example.com", password=PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    log_in(page, user.email, PASSWORD)
    page.goto("/account/")
    page.get_by_role("link", name="Delete your account and your personal data").click()
    page.get_by_text("cannot be undone").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    snap(page, "account-delete-phone")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your account is deleted.").wait_for()
    assert not User.objects.get(pk=user.pk).is_active
    assert not User.objects.filter(email="leaving@example.com").exists()
