"""Sign-up limits per client address: accounts created (5 an hour) and attempts (30 an hour).

A form sent back with a mistake uses none of the accounts budget; every attempt, whatever its
outcome, uses the attempts budget. The website and the API share both.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from marketplace.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.40"


@pytest.fixture
def production_rates(settings):  # type: ignore[no-untyped-def]
    """The shipped defaults (the test settings lift them out of other tests' way)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "10/min", "register": "5/hour", "register_attempt": "30/hour"},
    }


def _web_sign_up(n: int, *, password: str = PASSWORD, address: str = ADDRESS):  # type: ignore[no-untyped-def]
    # A fresh browser each time: one that has just signed up is signed in.
    form = {"email": f"person{n}@example.com", "handle": f"person-{n}", "password": password}
    return Client().post("/accounts/signup/", form, REMOTE_ADDR=address)


def _api_sign_up(n: int, *, password: str = PASSWORD, address: str = ADDRESS):  # type: ignore[no-untyped-def]
    form = {"email": f"client{n}@example.com", "handle": f"client-{n}", "password": password}
    return APIClient().post("/api/v1/auth/register/", form, format="json", REMOTE_ADDR=address)


def test_failed_sign_ups_do_not_use_up_the_limit_of_accounts(production_rates):
    for n in range(5):
        failed = _web_sign_up(n, password="short")
        assert failed.status_code == 400
        assert "at least 10 characters" in failed.content.decode()
    for n in range(5):
        assert _web_sign_up(n).status_code == 303
    assert User.objects.filter(handle__startswith="person-").count() == 5

    refused = _web_sign_up(5)
    assert refused.status_code == 429
    assert "Too many sign-ups from your network. Try again in 60 minutes." in refused.content.decode()
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert 'name="password"' in refused.content.decode()  # the form is still there
    assert not User.objects.filter(handle="person-5").exists()
    # Another network is not affected.
    assert _web_sign_up(5, address="203.0.113.8").status_code == 303


def test_failed_api_sign_ups_do_not_use_up_the_limit_of_accounts(production_rates):
    for n in range(5):
        assert _api_sign_up(n, password="short").status_code == 400
    assert [_api_sign_up(n).status_code for n in range(5)] == [201] * 5

    refused = _api_sign_up(5)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"] == "Too many sign-ups from your network. Try again in 60 minutes."
    assert 3500 < int(refused["Retry-After"]) <= 3600
    assert not User.objects.filter(handle="client-5").exists()


def test_accounts_made_at_either_door_share_one_limit(production_rates):
    for n in range(3):
        assert _api_sign_up(n).status_code == 201
    for n in range(2):
        assert _web_sign_up(n).status_code == 303
    assert _web_sign_up(2).status_code == 429
    assert _api_sign_up(3).status_code == 429


def test_a_signed_in_browser_does_not_get_a_fresh_limit_with_each_account(production_rates):
    browser = Client()
    for n in range(5):
        form = {"email": f"again{n}@example.com", "handle": f"again-{n}", "password": PASSWORD}
        assert browser.post("/accounts/signup/", form, REMOTE_ADDR=ADDRESS).status_code == 303
    form = {"email": "again5@example.com", "handle": "again-5", "password": PASSWORD}
    assert browser.post("/accounts/signup/", form, REMOTE_ADDR=ADDRESS).status_code == 429


def test_attempts_of_any_outcome_are_limited_too(production_rates):
    for n in range(29):
        assert _web_sign_up(n, password="short").status_code == 400
    assert _api_sign_up(29, password="short").status_code == 400  # the 30th, through the API

    refused = _web_sign_up(30)  # right this time, but past 30 attempts in the hour
    assert refused.status_code == 429
    assert "Too many sign-up attempts from your network. Try again in" in refused.content.decode()
    assert not User.objects.filter(handle="person-30").exists()
    assert _api_sign_up(31).status_code == 429
    assert _web_sign_up(32, address="203.0.113.8").status_code == 303
