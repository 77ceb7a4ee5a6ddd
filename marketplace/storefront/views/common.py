"""Small helpers shared by the website's views."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.accounts.models import User


def cards(documents: list[str]) -> list[dict[str, Any]]:
    """Card documents (stored JSON) as dicts for templates."""
    return [orjson.loads(document) for document in documents]


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a @login_required view."""
    assert isinstance(request.user, User)
    return request.user


def safe_next(request: HttpRequest) -> str:
    """The `next` parameter if it points at this site, else ""; forms carry it to the POST."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def site_url(request: HttpRequest) -> str:
    """This site as the visitor reached it ("http://localhost:8100"), for the URLs a service builds.

    The host was checked against ALLOWED_HOSTS by get_host(); SITE_URL is only for links made
    outside a request, where no visitor's host is known.
    """
    return request.build_absolute_uri("/").rstrip("/")


def see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """303 to the `next` field if it is one of our own URLs, else to `fallback`."""
    return see_other(safe_next(request) or fallback)
