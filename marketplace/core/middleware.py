"""Answers that must not depend on the rest of the stack: health probes, and a database that is down.

HealthProbeMiddleware comes first in MIDDLEWARE; DatabaseUnavailableMiddleware anywhere after it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.core import errors, views
from marketplace.core.database import database_unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
}


class HealthProbeMiddleware:
    """Answer /healthz and /readyz before the HTTPS redirect, the Host check, sessions and pages.

    Load balancers probe over plain HTTP, often by IP address. The answers hold nothing taken from
    the request (no URLs, no cookies) and are never cached, so skipping the Host check for these two
    paths cannot poison a link or a cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = probe(request)
        response["Cache-Control"] = "no-store"
        _logged_already(response)  # readyz logs which check failed; Django would add an ERROR line
        return response


def _logged_already(response: HttpResponse) -> None:
    """Keep Django from logging this 5xx again at ERROR level (with the traceback, from handler500).

    The attribute is how Django marks a response it has logged (django.utils.log.log_response).
    """
    response._has_been_logged = True  # type: ignore[attr-defined]


def unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """A 503 the client may retry: the envelope for the API and webhooks, a page for the website.

    Built without the database: no session, no user, no context processors.
    """
    cause = exc.__cause__ or exc
    logger.warning(
        "Database unavailable, answered 503 to %s %s: %s.%s",
        request.method,
        request.path,
        type(cause).__module__,
        type(cause).__name__,
    )
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _("The service is unavailable for a moment. Please retry shortly.")
        if request.path.startswith(("/api/", "/webhooks/")):
            response: HttpResponse = JsonResponse(errors.envelope("service_unavailable", message), status=503)
        else:
            context = {
                "status": 503,
                "message": message,
                "visitor_timezone": getattr(request, "visitor_timezone", "UTC"),
            }
            response = HttpResponse(render_to_string("storefront/error.html", context), status=503)
            response["Content-Language"] = language
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    _logged_already(response)
    return response


class DatabaseUnavailableMiddleware:
    """A database outage while handling a request is a 503 with Retry-After, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable_response(request, exception) if database_unavailable(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: outages that began outside a view (in middleware, or in a 404 page) are 503s too.

    Django calls it while handling the exception, so sys.exc_info() holds it.
    """
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        return unavailable_response(request, exc)
    result: HttpResponse = errors.handler500(request)
    return result
