"""Control characters outside request bodies: the path (a 404, since no address of ours holds one),
the query string, the website's form posts, the headers we store, and cookies.

API bodies are checked by the parsers (marketplace.core.parsers); the Stripe webhook's raw body
by its own reader. A refusal is a 400 naming the field: the JSON envelope under /api/ and
/webhooks/, the error page elsewhere. A cookie holding a control character is ignored as if it
were absent, since a browser would send it again with every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from marketplace.core.errors import ApplicationError, envelope, handler404
from marketplace.core.parsers import control_character_error
from marketplace.core.text import control_character_name, has_control_character

STORED_HEADERS = ("Idempotency-Key",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/webhooks/"))


def _refusal(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(envelope(error.code, error.message, error.fields), status=error.status_code)
    context = {"status": error.status_code, "message": error.message}
    return render(request, "storefront/error.html", context, status=error.status_code)


def _outside_body_error(request: HttpRequest) -> ApplicationError | None:
    for header in STORED_HEADERS:
        if has_control_character(request.headers.get(header, "")):
            return control_character_error(header)
    name = control_character_name(request.GET)
    # The code query parameters are refused with everywhere in the API.
    return None if name is None else control_character_error(name, code="invalid_parameter")


class ControlCharacterCookieMiddleware:
    """Before the session middleware: a cookie holding a control character is dropped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in list(request.COOKIES.items()):
            if has_control_character(name) or has_control_character(value):
                del request.COOKIES[name]
        return self.get_response(request)


class ControlCharacterMiddleware:
    """After authentication and CSRF: refuse control characters in the path, query and form posts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_character(request.path):
            return handler404(request)  # none of our addresses holds one
        error = _outside_body_error(request)
        return self.get_response(request) if error is None else _refusal(request, error)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.method != "POST" or _is_api(request) or request.content_type not in FORM_TYPES:
            return None
        field = control_character_name(request.POST) or control_character_name(request.FILES)
        return None if field is None else _refusal(request, control_character_error(field))
