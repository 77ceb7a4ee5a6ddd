"""The client address every throttle and the sign-in lock count by: never chosen by the client."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from marketplace.core.client import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-123"


@pytest.fixture
def tight_rates(settings):  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/hour", "register": "3/hour", "register_attempt": "30/hour"},
    }


def _spoofed(n: int) -> dict[str, str]:
    """A request from one socket address claiming a new X-Forwarded-For each time."""
    return {"REMOTE_ADDR": "203.0.113.66", "HTTP_X_FORWARDED_FOR": f"10.9.{n // 250}.{n % 250}"}


def test_a_rotating_forwarded_for_does_not_escape_the_token_throttle(tight_rates, anon):
    codes = [
        anon.post(
            "/api/v1/auth/token/",
            {"email": f"x{n}@example.com", "password": WRONG},
            format="json",
            **_spoofed(n),
        ).status_code
        for n in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_a_rotating_forwarded_for_does_not_escape_the_sign_up_throttle(tight_rates, anon):
    codes = [
        anon.post(
            "/api/v1/auth/register/",
            {"email": f"new{n}@example.com", "password": "bamboo-steamer-2026", "handle": f"new-person-{n}"},
            format="json",
            **_spoofed(n),
        ).status_code
        for n in range(5)
    ]
    assert codes == [201, 201, 201, 429, 429]


def test_the_website_sign_up_shares_the_apis_budget_per_address(tight_rates, anon):
    for n in range(3):
        form = {
            "email": f"api{n}@example.com",
            "password": "bamboo-steamer-2026",
            "handle": f"api-person-{n}",
        }
        assert anon.post("/api/v1/auth/register/", form, format="json", **_spoofed(n)).status_code == 201
    refused = Client().post(
        "/accounts/signup/",
        {"email": "web@example.com", "handle": "web-person", "password": PASSWORD},
        **_spoofed(99),
    )
    assert refused.status_code == 429
    assert "Too many sign-ups from your network" in refused.content.decode()
    elsewhere = Client().post(
        "/accounts/signup/",
        {"email": "web@example.com", "handle": "web-person", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.1",
    )
    assert elsewhere.status_code == 303


def test_a_rotating_forwarded_for_does_not_escape_the_website_sign_in_lock(buyer):
    for n in range(5):
        response = Client().post(
            "/accounts/login/", {"email": "buyer@example.com", "password": WRONG}, **_spoofed(n)
        )
        assert response.status_code == 400
    locked = Client().post(
        "/accounts/login/", {"email": "buyer@example.com", "password": PASSWORD}, **_spoofed(9)
    )
    assert locked.status_code == 429


def test_behind_one_trusted_proxy_the_right_most_entry_is_the_client(buyer, stranger, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # every request comes from the proxy, 10.0.0.1; the client writes the rest
        Client().post(
            "/accounts/login/",
            {"email": "stranger@example.com", "password": WRONG},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.20",
        )
    spoofed = "5.6.7.8, 198.51.100.20"
    form = {"email": "stranger@example.com", "password": PASSWORD}
    assert (
        Client()
        .post("/accounts/login/", form, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=spoofed)
        .status_code
        == 429
    )
    other = Client().post(
        "/accounts/login/", form, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21"
    )
    assert other.status_code == 303


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),  # no trusted proxy: the header is not read at all
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # fewer entries than proxies: the socket address
        (1, "", "10.0.0.1"),
        (1, "6.6.6.6, not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_through_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
