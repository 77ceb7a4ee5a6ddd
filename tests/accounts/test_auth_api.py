from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from marketplace.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

GOOD = {"email": "Lin@Example.com", "password": "bamboo-steamer-2026", "handle": "lin-dumplings"}


def test_register_returns_a_working_token(anon):
    response = anon.post("/api/v1/auth/register/", GOOD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["email"] == "lin@example.com"
    assert body["user"]["handle"] == "lin-dumplings"
    assert "password" not in response.content.decode()
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["handle"] == "lin-dumplings"


def test_token_is_stored_hashed(anon):
    token = anon.post("/api/v1/auth/register/", GOOD, format="json").json()["token"]
    stored = ApiToken.objects.get()
    assert token not in (stored.key_hash, stored.prefix)
    assert token.startswith(stored.prefix)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"handle": "A"}, "handle"),
        ({"handle": "has space"}, "handle"),
        ({"handle": "admin"}, "handle"),
    ],
)
def test_register_rejects_bad_input_with_the_field_named(anon, change, field):
    response = anon.post("/api/v1/auth/register/", {**GOOD, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not User.objects.exists()


def test_register_twice_is_a_conflict(anon):
    anon.post("/api/v1/auth/register/", GOOD, format="json")
    again = anon.post(
        "/api/v1/auth/register/", {**GOOD, "email": "LIN@example.com", "handle": "other"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "email_taken"
    taken = anon.post(
        "/api/v1/auth/register/", {**GOOD, "email": "x@example.com", "handle": "LIN-dumplings"}, format="json"
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "handle_taken"
    assert User.objects.count() == 1


def test_token_exchange_and_revocation(anon):
    anon.post("/api/v1/auth/register/", GOOD, format="json")
    wrong = anon.post(
        "/api/v1/auth/token/", {"email": GOOD["email"], "password": "nope-nope-nope"}, format="json"
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"

    token = anon.post(
        "/api/v1/auth/token/", {"email": "lin@example.com", "password": GOOD["password"]}, format="json"
    ).json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    revoked = client.get("/api/v1/me/")
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "authentication_failed"


def test_inactive_users_token_stops_working(seller, client_for):
    api = client_for(seller)
    seller.is_active = False
    seller.save()
    assert api.get("/api/v1/me/").status_code == 401


def test_login_is_throttled(settings, anon):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/min", "register": "3/min", "register_attempt": "3/min"},
    }
    codes = [
        anon.post(
            "/api/v1/auth/token/", {"email": "a@b.cn", "password": "whatever-123"}, format="json"
        ).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
