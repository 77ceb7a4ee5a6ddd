"""Every API failure is the JSON envelope; every website failure is a page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory

from marketplace.core import errors
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/listings/abc/nope/", "/api/v2/listings/"])
def test_unknown_api_path_is_a_404_envelope(anon, method, path):
    assert_envelope(getattr(anon, method)(path), 404, "not_found")


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_wrong_method_on_the_catalog_is_a_405_envelope(anon, method):
    response = getattr(anon, method)("/api/v1/listings/", {}, format="json")
    error = assert_envelope(response, 405, "method_not_allowed")
    assert method.upper() in error["message"]
    assert "GET" in response["Allow"]


def test_wrong_method_on_a_listing_is_a_405_envelope(seller, anon):
    listing = make_listing(seller, publish=True)
    response = anon.put(f"/api/v1/listings/{listing.public_id}/", {"title": "mine"}, format="json")
    assert_envelope(response, 405, "method_not_allowed")
    listing.refresh_from_db()
    assert listing.title == "Neon koi wallpaper"


def test_wrong_method_on_the_seller_api_is_a_405_envelope(seller_api):
    assert_envelope(seller_api.put("/api/v1/seller/listings/", {}, format="json"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page/",
        "/listings/doesnotexist/",
        "/listings/a%00b/",
    ],
)
def test_website_404_is_an_html_page(path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<title>404" in page
    assert "Not found." in page
    assert '"error"' not in page


def test_unexpected_error_is_an_envelope_on_the_api_and_a_page_on_the_website():
    factory = RequestFactory()
    api = errors.handler500(factory.get("/api/v1/listings/"))
    assert_envelope(api, 500, "server_error")
    page = errors.handler500(factory.get("/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert "Something went wrong" in page.content.decode()
