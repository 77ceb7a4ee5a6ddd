"""One sign-in lock for the website, the API's token endpoint and the admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.accounts.models import SignInFailure
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-123"
HOME = "192.0.2.10"


def _api(email: str, password: str, address: str = HOME) -> Any:
    return APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


def _web(email: str, password: str, address: str = HOME) -> Any:
    return Client().post("/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=address)


def _admin(email: str, password: str, address: str = HOME) -> Any:
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


SUCCESS = {_api: 201, _web: 303, _admin: 302}
FAILURE = {_api: 401, _web: 400, _admin: 200}


@pytest.mark.parametrize("door", [_api, _web, _admin], ids=["api", "website", "admin"])
def test_each_door_locks_after_five_failures_even_with_the_right_password(staff, door):
    for _ in range(5):
        assert door("mod@example.com", WRONG).status_code == FAILURE[door]
    locked = door("mod@example.com", PASSWORD)
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= 60
    assert "Too many failed attempts to log in. Try again in 1 minute, or reset your password." in (
        locked.content.decode()
    )


def test_the_api_answers_a_lock_with_the_envelope(buyer):
    for _ in range(5):
        _api("buyer@example.com", WRONG)
    body = _api("buyer@example.com", PASSWORD).json()
    assert body["error"]["code"] == "too_many_attempts"
    assert "reset your password" in body["error"]["message"]


def test_failures_at_one_door_count_at_the_others(staff):
    _api("mod@example.com", WRONG)
    _api("mod@example.com", WRONG)
    _web("mod@example.com", WRONG)
    _web("mod@example.com", WRONG)
    _admin("mod@example.com", WRONG)
    assert _api("mod@example.com", PASSWORD).status_code == 429
    assert _web("mod@example.com", PASSWORD).status_code == 429
    assert _admin("mod@example.com", PASSWORD).status_code == 429


def test_the_lock_ends_after_its_back_off_which_doubles(buyer):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            _web("buyer@example.com", WRONG)
        assert _web("buyer@example.com", PASSWORD).status_code == 429
        clock.shift(timedelta(seconds=61))
        assert _web("buyer@example.com", WRONG).status_code == 400  # allowed again, and wrong: 2 minutes
        clock.shift(timedelta(seconds=61))
        locked = _web("buyer@example.com", PASSWORD)
        assert locked.status_code == 429 and "Try again in 1 minute" in locked.content.decode()
        clock.shift(timedelta(seconds=60))
        assert _web("buyer@example.com", PASSWORD).status_code == 303


def test_a_strangers_failures_do_not_lock_the_owner_out_elsewhere(buyer):
    for _ in range(8):
        _api("buyer@example.com", WRONG, address="203.0.113.66")
    assert _api("buyer@example.com", PASSWORD, address="203.0.113.66").status_code == 429
    assert _web("buyer@example.com", PASSWORD, address=HOME).status_code == 303
    assert _api("buyer@example.com", PASSWORD, address=HOME).status_code == 201


def test_a_success_clears_the_failures_of_that_email_and_address(buyer):
    for _ in range(4):
        _web("buyer@example.com", WRONG)
    assert _web("buyer@example.com", PASSWORD).status_code == 303
    for _ in range(4):  # had the four before not been cleared, the fifth of these would be locked
        assert _web("buyer@example.com", WRONG).status_code == 400
    assert _web("buyer@example.com", PASSWORD).status_code == 303


def test_one_address_guessing_across_many_emails_is_capped(buyer, settings):
    settings.LOGIN_ADDRESS_FAILURES_PER_HOUR = 10
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(10):
            _api(f"someone{n}@example.com", WRONG, address="203.0.113.66")
        sprayed = _api("buyer@example.com", PASSWORD, address="203.0.113.66")
        assert sprayed.status_code == 429 and 3500 <= int(sprayed["Retry-After"]) <= 3600
        assert _api("buyer@example.com", PASSWORD, address=HOME).status_code == 201
        clock.shift(timedelta(minutes=61))
        assert _api("buyer@example.com", PASSWORD, address="203.0.113.66").status_code == 201


def test_one_email_guessed_from_many_addresses_is_capped(buyer, settings):
    settings.LOGIN_ACCOUNT_FAILURES_PER_HOUR = 12
    for n in range(12):
        _web("buyer@example.com", WRONG, address=f"198.18.0.{n}")
    assert _web("buyer@example.com", PASSWORD, address=HOME).status_code == 429


def test_the_lock_lives_in_the_database_not_the_cache(buyer):
    for _ in range(5):
        _web("buyer@example.com", WRONG)
    cache.clear()  # a flushed or restarted Redis
    assert _web("buyer@example.com", PASSWORD).status_code == 429
    assert SignInFailure.objects.count() == 5


def test_a_refused_attempt_does_not_extend_the_lock(buyer):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _web("buyer@example.com", WRONG)
        for _ in range(10):
            clock.shift(timedelta(seconds=5))
            assert _web("buyer@example.com", WRONG).status_code == 429
        clock.shift(timedelta(seconds=15))
        assert _web("buyer@example.com", PASSWORD).status_code == 303


def test_old_failures_are_pruned(buyer):
    from marketplace.accounts.tasks import prune_sign_in_failures

    with time_machine.travel(timezone.now() - timedelta(hours=25), tick=False):
        _web("buyer@example.com", WRONG)
    _web("buyer@example.com", WRONG)
    assert prune_sign_in_failures() == 1
    assert prune_sign_in_failures() == 0
    assert SignInFailure.objects.count() == 1


def test_a_refused_sign_in_is_logged_with_the_client_address_not_the_email(buyer, caplog):
    for _ in range(5):
        _api("buyer@example.com", WRONG, address="203.0.113.66")
    _api("buyer@example.com", PASSWORD, address="203.0.113.66")
    locked = [record.getMessage() for record in caplog.records if "sign-in locked" in record.getMessage()]
    assert len(locked) == 1 and "from 203.0.113.66 for" in locked[0]
    assert "buyer@example.com" not in locked[0]
