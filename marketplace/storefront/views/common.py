"""Small helpers shared by the website's views."""

from __future__ import annotations

from typing import Any

import orjson
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.core.errors import ApplicationError


def cards(documents: list[str]) -> list[dict[str, Any]]:
    """Card documents (stored JSON) as dicts for templates."""
    return [orjson.loads(document) for document in documents]


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """303 to the `next` field if it is one of our own URLs, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = fallback
    response = HttpResponseRedirect(target or fallback)
    response.status_code = 303
    return response


def flash_error(request: HttpRequest, error: ApplicationError) -> None:
    messages.error(request, error.message)
