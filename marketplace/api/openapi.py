"""What the OpenAPI schema says about errors, pages and money, in one place.

Every failure is the envelope of marketplace.core.errors; the schema names it ``ErrorEnvelope``.
``AutoSchema`` documents the failures that follow from how an operation is built (a body can be
invalid or too large, a path id can be unknown, a token can be wrong, a throttle can trip); a view
declares the others (403, 409) with ``errors(...)``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

BODY_METHODS = ("POST", "PUT", "PATCH")

ERROR_DESCRIPTIONS = {
    400: "The request is not valid: `error.fields` names what to change.",
    401: "No token, or the token is not valid or was revoked.",
    403: "Signed in, but not allowed to do this.",
    404: "Not found, or not yours.",
    409: "The request conflicts with the current state; reload and retry.",
    413: "The request body is too large.",
    422: "The content is not allowed here: `error.fields` names what to edit.",
    429: "Too many requests; wait and retry.",
    502: "The payment provider refused the request; an operator has to look.",
    503: "The payment provider did not answer; retry with the same Idempotency-Key.",
}


class ErrorEnvelope(serializers.Serializer):
    # Inline: a field named "fields" cannot be a class attribute (Serializer.fields is taken).
    error = inline_serializer(
        "ErrorDetail",
        {
            "code": serializers.CharField(
                help_text="Stable, for programs: `invalid`, `invalid_price`, `not_found`, ..."
            ),
            "message": serializers.CharField(help_text="For people, in the request's language."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text=(
                    "Messages per input field, a nested one by its path (`price.amount`); empty when "
                    "the error is not about one field."
                ),
            ),
        },
    )


# extend_schema(auth=...) is typed as a list of names, but drf-spectacular uses it as the list of
# security requirements: a token, or none.
OPTIONAL_TOKEN: Any = [{"bearerAuth": []}, {}]


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """``responses={200: Output, **errors(403, 409)}``: failures beyond those AutoSchema adds."""
    return {code: OpenApiResponse(ErrorEnvelope, description=ERROR_DESCRIPTIONS[code]) for code in codes}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus the error responses every operation of its kind can give."""

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        for code in self._usual_error_codes():
            if str(code) not in responses:
                description = ERROR_DESCRIPTIONS[code]
                response = OpenApiResponse(ErrorEnvelope, description=description)
                responses[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return responses

    def _usual_error_codes(self) -> list[int]:
        codes = []
        has_query = any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )
        if self.method in BODY_METHODS or has_query:
            codes.append(400)
        if self.view.get_authenticators():
            codes.append(401)  # a wrong or revoked token fails even where no token is needed
        if "{" in self.path:
            codes.append(404)
        if self.method in BODY_METHODS and self.get_request_serializer() is not None:
            codes.append(413)
        if self.view.get_throttles():
            codes.append(429)
        return codes


class MoneyOutput(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Minor units (cents; yen have none).")
    currency = serializers.CharField(help_text="ISO 4217, e.g. USD.")
    display = serializers.CharField(help_text="Formatted for people, e.g. US$4.99.")


class RatingOutput(serializers.Serializer):
    average = serializers.FloatField(allow_null=True, help_text="Rounded to 2 places; null without ratings.")
    count = serializers.IntegerField()


CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", str, description="From the `next` link of the previous page."),
]


def sized_page_parameters(default: int, most: int) -> list[OpenApiParameter]:
    """The cursor and `page_size`, for a list that lets the client choose how many rows a page has."""
    return [
        *CURSOR_PARAMETERS,
        OpenApiParameter("page_size", int, description=f"1-{most}, default {default}."),
    ]


def cursor_page(name: str, item: Any, **extra: Any) -> Any:
    """A page as the cursor paginators render it: absolute next/previous links and the results."""
    return inline_serializer(
        name,
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page; null on the last."),
            "previous": serializers.URLField(allow_null=True),
            "results": serializers.ListField(child=item),
            **extra,
        },
    )


def idempotency_key_parameter(result: str) -> OpenApiParameter:
    """The Idempotency-Key header of a POST that creates an order; ``result`` is what a retry returns."""
    return OpenApiParameter(
        "Idempotency-Key",
        str,
        OpenApiParameter.HEADER,
        description=f"Retrying with the same key returns the same {result}.",
    )
