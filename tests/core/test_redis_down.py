"""The site with Redis down: refusing connections, or accepting them and never answering."""

from __future__ import annotations

import importlib.util
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_listing

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def configured_caches(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> dict[str, Any]:
    """CACHES exactly as marketplace/settings/ builds it for this REDIS_URL."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    path = ROOT / "marketplace" / "settings" / "__init__.py"
    spec = importlib.util.spec_from_file_location("settings_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    caches: dict[str, Any] = module.CACHES
    return caches


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A Redis that accepts connections and never answers (a hung server, a dropped route)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)  # connections wait in the backlog, never accepted, never answered
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def _timed(call: Any) -> Any:
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < 2, "a request waited on the dead cache"
    return response


def _browse_and_sign_in(seller: Any) -> None:
    """Every step a visitor takes answers as usual, and the whole visit waits on no cache."""
    listing = make_listing(seller, publish=True, price_amount=0)
    started = time.monotonic()
    web, api = Client(), Client()
    assert _timed(lambda: web.get("/")).status_code == 200
    assert _timed(lambda: web.get(f"/listings/{listing.public_id}/")).status_code == 200
    assert _timed(lambda: api.get("/api/v1/listings/")).json()["results"][0]["id"] == listing.public_id
    assert _timed(lambda: api.get(f"/api/v1/listings/{listing.public_id}/")).status_code == 200
    credentials = {"email": seller.email, "password": PASSWORD}
    signed_in = _timed(lambda: web.post("/accounts/login/", credentials))
    assert signed_in.status_code in (302, 303) and "_auth_user_id" in web.session
    token = _timed(lambda: api.post("/api/v1/auth/token/", credentials, content_type="application/json"))
    assert token.status_code in (200, 201) and token.json()["token"]
    wrong = _timed(lambda: Client().post("/accounts/login/", {**credentials, "password": "wrong-password-1"}))
    assert wrong.status_code == 400 and "The email or the password is wrong." in wrong.content.decode()
    assert time.monotonic() - started < 4, "the visit kept waiting on the dead cache"


@pytest.mark.django_db
def test_with_redis_refusing_connections_pages_and_sign_in_work(seller, settings, monkeypatch, caplog):
    settings.CACHES = configured_caches(monkeypatch, CLOSED_PORT_REDIS)
    with caplog.at_level(logging.WARNING):
        _browse_and_sign_in(seller)
    outages = [r for r in caplog.records if r.name == "marketplace.core.cache"]
    assert outages and outages[0].levelno == logging.WARNING
    assert "ConnectionError" in outages[0].getMessage()
    assert len(outages) == 1, "one line per outage, not one per cache call"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_with_redis_silent_pages_wait_one_short_timeout_at_most(seller, settings, monkeypatch, silent_redis):
    settings.CACHES = configured_caches(monkeypatch, silent_redis)
    _browse_and_sign_in(seller)
