"""A new password closes every way in the old one opened; tokens expire and record their use."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.accounts.models import ApiToken, User
from marketplace.accounts.services import token_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "brand-new-passphrase-77"


def _me(raw: str) -> Any:
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")


def _signed_in(client: Client) -> bool:
    return bool(client.get("/account/").status_code == 200)


def _signed_in_browser(user: User) -> Client:
    browser = Client()
    assert browser.post("/accounts/login/", {"email": user.email, "password": PASSWORD}).status_code == 303
    return browser


def test_a_password_reset_revokes_every_token_and_ends_every_session(buyer):
    _, raw = token_create(user=buyer, name="laptop script")
    laptop = _signed_in_browser(buyer)
    resetting = _signed_in_browser(buyer)
    resetting.post("/accounts/password-reset/", {"email": "buyer@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = resetting.get(link.group(1), follow=True)
    done = resetting.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302

    assert _me(raw).status_code == 401
    assert not _signed_in(laptop)
    assert not _signed_in(resetting)
    assert not ApiToken.objects.filter(user=buyer, revoked_at__isnull=True).exists()


def test_changing_your_own_password_keeps_this_session_only(staff):
    _, raw = token_create(user=staff, name="ci")
    here = _signed_in_browser(staff)
    elsewhere = _signed_in_browser(staff)
    changed = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302 and changed["Location"] == "/admin/password_change/done/"
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert _me(raw).status_code == 401


def test_an_admin_setting_a_users_password_revokes_their_tokens_and_sessions(buyer):
    admin = UserFactory(email="root@example.com", handle="root-user", is_staff=True, is_superuser=True)
    _, raw = token_create(user=buyer)
    browser = _signed_in_browser(buyer)
    page = _signed_in_browser(admin).post(
        f"/admin/accounts/user/{buyer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert page.status_code == 302
    assert _me(raw).status_code == 401
    assert not _signed_in(browser)
    assert (
        Client().post("/accounts/login/", {"email": buyer.email, "password": NEW_PASSWORD}).status_code == 303
    )


def test_an_expired_token_is_refused_with_a_way_to_get_a_new_one(buyer, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token, raw = token_create(user=buyer)
    assert _me(raw).status_code == 200
    with time_machine.travel(token.created_at + timedelta(days=30, seconds=1), tick=False):
        refused = _me(raw)
    assert refused.status_code == 401
    error = refused.json()["error"]
    assert error["code"] == "token_expired"
    assert "expired" in error["message"] and "/api/v1/auth/token/" in error["message"]


def test_without_a_ttl_tokens_do_not_expire(buyer):
    token, raw = token_create(user=buyer)
    with time_machine.travel(token.created_at + timedelta(days=3650), tick=False):
        assert _me(raw).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(buyer):
    start = timezone.now()
    token, raw = token_create(user=buyer)
    with time_machine.travel(start, tick=False) as clock:
        _me(raw)
        clock.shift(timedelta(seconds=30))
        _me(raw)
        token.refresh_from_db()
        assert token.last_used_at == start
        clock.shift(timedelta(seconds=31))
        _me(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_the_account_page_shows_when_each_token_expires(buyer, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    with time_machine.travel("2026-03-01 12:00:00+00:00", tick=False):
        token_create(user=buyer, name="expiring")
    settings.API_TOKEN_TTL_DAYS = 0
    token_create(user=buyer, name="forever")
    browser = Client()
    browser.force_login(buyer)
    page = browser.get("/account/").content.decode()
    assert "Expires" in page and "No expiry" in page
    assert '<time datetime="2026-03-31T12:00:00+00:00">' in page
    chinese = browser.get("/account/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "No expiry" not in chinese


def test_manage_py_changepassword_revokes_the_users_tokens(buyer, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    _, raw = token_create(user=buyer)
    call_command("changepassword", "buyer@example.com", stdout=io.StringIO())
    assert _me(raw).status_code == 401
    assert (
        Client().post("/accounts/login/", {"email": buyer.email, "password": NEW_PASSWORD}).status_code == 303
    )
