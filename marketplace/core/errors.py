"""One error type for the application and one envelope for every failure.

Every API error looks like ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

# The code of every refused price or amount of money, whether a service or an API field refuses it.
INVALID_PRICE = "invalid_price"


class ApplicationError(Exception):
    """A failure a person can act on. ``code`` is stable; ``message`` is for humans."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class NotFound(ApplicationError):
    status_code = 404

    def __init__(self, message: str | None = None) -> None:
        # Translated here, at raise time, so the message is in the language of the request.
        super().__init__("not_found", _("Not found.") if message is None else message)


class Conflict(ApplicationError):
    status_code = 409


def envelope(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _codes(detail: Any) -> set[str | None]:
    if isinstance(detail, dict):
        return {code for value in detail.values() for code in _codes(value)}
    if isinstance(detail, list):
        return {code for item in detail for code in _codes(item)}
    return {getattr(detail, "code", None)}


def _by_path(detail: Any, path: str) -> dict[str, list[str]]:
    """Errors by the path of the part that is wrong: {"price": {"amount": [...]}} is "price.amount"."""
    if not isinstance(detail, dict):
        return {path: _flatten(detail)}
    fields: dict[str, list[str]] = {}
    for key, value in detail.items():
        child = path if key == "non_field_errors" else f"{path}.{key}"
        for name, messages in _by_path(value, child).items():
            fields.setdefault(name, []).extend(messages)
    return fields


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {"non_field_errors": _flatten(detail)}
    fields: dict[str, list[str]] = {}
    for key, value in detail.items():
        if _codes(value) == {INVALID_PRICE}:
            fields.update(_by_path(value, str(key)))
        else:
            fields[str(key)] = _flatten(value)
    return fields


def _validation_envelope(detail: Any) -> dict[str, Any]:
    """A serializer's refusal; when only money is wrong, the invalid_price error a service gives."""
    fields = _field_errors(detail)
    if isinstance(detail, dict) and detail and _codes(detail) == {INVALID_PRICE}:
        return envelope(INVALID_PRICE, next(iter(fields.values()))[0], fields)
    return envelope("invalid", _("Some fields are not valid."), fields)


_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: map every known failure onto the envelope."""
    if isinstance(exc, ApplicationError):
        return Response(envelope(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(envelope("invalid", _("The request is not valid."), fields), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            envelope("request_too_large", _("The request body is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # unexpected: let it reach the logs as a 500
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_envelope(exc.detail)
    else:
        code = _DRF_CODES.get(type(exc)) or str(getattr(exc, "default_code", "error"))
        message = " ".join(_flatten(exc.detail))
        if isinstance(exc, exceptions.ParseError):
            message = _("The request body could not be parsed: %(reason)s") % {"reason": message}
        body = envelope(code, message)
    response.data = body
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def _page_or_json(request: HttpRequest, code: str, message: str, status_code: int) -> Any:
    if _is_api(request):
        return JsonResponse(envelope(code, message), status=status_code)
    from django.shortcuts import render

    return render(
        request,
        "storefront/error.html",
        {"status": status_code, "message": message},
        status=status_code,
    )


def handler400(request: HttpRequest, exception: Exception | None = None) -> Any:
    return _page_or_json(request, "bad_request", _("The request could not be understood."), 400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> Any:
    return _page_or_json(request, "permission_denied", _("You do not have permission to do this."), 403)


def handler404(request: HttpRequest, exception: Exception | None = None) -> Any:
    return _page_or_json(request, "not_found", _("Not found."), 404)


def handler500(request: HttpRequest) -> Any:
    return _page_or_json(request, "server_error", _("Something went wrong on our side. Please retry."), 500)
