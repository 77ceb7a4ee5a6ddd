"""The site with the database unreachable: 503s with Retry-After, never a 500 and a traceback."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, ProgrammingError, connection
from django.test import Client

from marketplace.core.database import database_unavailable
from tests.support.fake_stripe import sign


def _driver_refusal() -> Exception:
    """What the database driver raises when the database cannot be reached."""
    if connection.vendor == "postgresql":
        import psycopg

        try:
            psycopg.connect("host=127.0.0.1 port=1 dbname=dimsum connect_timeout=2")
        except psycopg.OperationalError as exc:
            return exc
    else:
        try:
            sqlite3.connect("/nonexistent-directory/dimsum.sqlite3")
        except sqlite3.OperationalError as exc:
            return exc
    raise AssertionError("connected to a database that cannot exist")


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection attempt fails as it does with the database server stopped."""
    error = _driver_refusal()

    def refuse() -> None:
        with connection.wrap_database_errors:  # as Django wraps the driver's errors
            raise error

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def _assert_logged_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    warnings = [r.getMessage() for r in caplog.records if r.name == "marketplace.core.middleware"]
    assert warnings and all("OperationalError" in line for line in warnings)


def test_with_the_database_down_the_api_answers_503_with_the_envelope(database_down, caplog):
    response = Client().get("/api/v1/listings/", HTTP_ACCEPT_LANGUAGE="en")
    _assert_unavailable(response)
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": "The service is unavailable for a moment. Please retry shortly.",
            "fields": {},
        }
    }
    _assert_logged_without_traceback(caplog)


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The service is unavailable for a moment. Please retry shortly."), ("zh-hans", "服务暂时不可用")],
)
def test_with_the_database_down_pages_speak_the_visitors_language(database_down, caplog, language, message):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE=language)
    _assert_unavailable(response)
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    _assert_logged_without_traceback(caplog)


def test_a_signed_in_visitor_on_a_missing_page_gets_503_not_a_crash(database_down, caplog, settings):
    # The 404 page reads the session (the header shows who is signed in): the outage surfaces while
    # Django renders its error page, outside any view.
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = client.get("/no-such-page/")
    _assert_unavailable(response)
    _assert_logged_without_traceback(caplog)


def test_with_the_database_down_stripe_is_told_to_retry(stripe_fake, database_down, caplog):
    body = json.dumps({"id": "evt_db_down", "object": "event", "type": "payout.paid", "data": {"object": {}}})
    response = Client().post(
        "/webhooks/stripe/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    _assert_unavailable(response)
    assert response.json()["error"]["code"] == "service_unavailable"
    _assert_logged_without_traceback(caplog)


def test_with_the_database_down_readyz_names_it_and_healthz_is_up(database_down):
    client = Client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "error: OperationalError"


def _as_django(driver_error: Exception) -> OperationalError:
    """The driver's error as Django raises it: django.db.OperationalError caused by it."""
    error = OperationalError(*driver_error.args)
    error.__cause__ = driver_error
    return error


def test_only_connection_failures_count_as_the_database_being_down():
    import psycopg

    assert database_unavailable(_as_django(_driver_refusal()))
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM missing_table")
    except sqlite3.OperationalError as exc:
        missing_table = exc
    # Bugs and slow queries, not outages: they stay 500s with their tracebacks.
    assert not database_unavailable(_as_django(missing_table))
    assert not database_unavailable(_as_django(psycopg.errors.QueryCanceled("statement timeout")))
    assert not database_unavailable(IntegrityError("duplicate key"))
    assert not database_unavailable(ProgrammingError("syntax error"))
