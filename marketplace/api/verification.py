"""REST interface for real-name verification: a phone by SMS code, then a name + ID number (a person)
or a business licence (a company).

Publishing (sellers) and buying or reviewing (buyers) answer 403 `verification_required` with
`error.fields.verification_url` while VERIFICATION_REQUIRED is on and these steps are not done.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.api.openapi import ErrorEnvelope, errors
from marketplace.api.parsing import current_user
from marketplace.verification import business, services
from payments.services.identity import identity_session_start

_UNAVAILABLE = {
    503: OpenApiResponse(ErrorEnvelope, description="The verification provider did not answer; retry.")
}


class VerificationOutput(serializers.Serializer):
    verification_required = serializers.BooleanField(
        help_text="Whether this deployment gates publishing and buying on it."
    )
    phone_verified = serializers.BooleanField()
    masked_phone = serializers.CharField(help_text="e.g. 138****0000; empty until verified.")
    status = serializers.ChoiceField(choices=["unverified", "pending", "verified", "failed", "expired"])
    method = serializers.ChoiceField(
        choices=["", "phone", "identity_document", "business_licence"],
        help_text="How the seller was verified: a person's ID, or a company's business licence.",
    )
    masked_name = serializers.CharField(help_text="e.g. 张* or 杭州**科技有限公司; empty until verified.")
    masked_identifier = serializers.CharField(help_text="e.g. 1****************X or 9133****XXXX.")
    verified_at = serializers.DateTimeField(allow_null=True)
    failure_reason = serializers.CharField(
        help_text="Why the last check failed, and what to do; empty otherwise."
    )


class PhoneInput(serializers.Serializer):
    phone = serializers.CharField(
        max_length=20, help_text="A mainland China mobile number, e.g. 13800000000."
    )


class CodeInput(serializers.Serializer):
    code = serializers.CharField(max_length=10, help_text="The six digits of the text message.")


class IdentityInput(serializers.Serializer):
    name = serializers.CharField(max_length=30, help_text="As on the resident ID card.")
    id_number = serializers.CharField(max_length=18, help_text="Checked by the provider; never stored.")


class BusinessInput(serializers.Serializer):
    company_name = serializers.CharField(max_length=60, help_text="As on the business licence.")
    credit_code = serializers.CharField(
        max_length=20,
        help_text="The 18-character unified social credit code (统一社会信用代码); its check character is "
        "validated; masked once verified.",
    )
    legal_representative = serializers.CharField(
        max_length=30, help_text="The legal representative's name, as on the licence."
    )


def _state(user: User) -> dict[str, Any]:
    phone = services.phone_for(user=user)
    verification = services.verification_for(user=user)
    return {
        "verification_required": settings.VERIFICATION_REQUIRED,
        "phone_verified": bool(phone and phone.is_verified),
        "masked_phone": phone.masked_phone if phone else "",
        "status": verification.status if verification else "unverified",
        "method": verification.method if verification else "",
        "masked_name": verification.masked_name if verification else "",
        "masked_identifier": verification.masked_identifier if verification else "",
        "verified_at": verification.verified_at if verification else None,
        # Stored in English where no reader's language was known (webhooks): translated here.
        "failure_reason": _(verification.failure_reason)
        if verification and verification.failure_reason
        else "",
    }


def _valid(serializer: serializers.Serializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class VerificationApi(APIView):
    @extend_schema(responses={200: VerificationOutput}, summary="Your phone and identity verification")
    def get(self, request: Request) -> Response:
        return Response(_state(current_user(request)))


class PhoneCodeApi(APIView):
    @extend_schema(
        request=PhoneInput,
        responses={202: VerificationOutput, **errors(429), **_UNAVAILABLE},
        summary="Text a six-digit code to a mobile number",
    )
    def post(self, request: Request) -> Response:
        user = current_user(request)
        services.phone_code_send(user=user, **_valid(PhoneInput(data=request.data)))
        return Response(_state(user), status=202)


class PhoneConfirmApi(APIView):
    @extend_schema(request=CodeInput, responses={200: VerificationOutput}, summary="Confirm the texted code")
    def post(self, request: Request) -> Response:
        user = current_user(request)
        services.phone_code_confirm(user=user, **_valid(CodeInput(data=request.data)))
        return Response(_state(user))


class IdentityApi(APIView):
    @extend_schema(
        request=IdentityInput,
        responses={200: VerificationOutput, **errors(409), **_UNAVAILABLE},
        summary="Verify your name against your ID number (after the phone)",
    )
    def post(self, request: Request) -> Response:
        user = current_user(request)
        services.identity_verify(user=user, **_valid(IdentityInput(data=request.data)))
        return Response(_state(user))


class BusinessApi(APIView):
    @extend_schema(
        request=BusinessInput,
        responses={200: VerificationOutput, **errors(409), **_UNAVAILABLE},
        summary="Verify your company's business licence (after the phone)",
    )
    def post(self, request: Request) -> Response:
        user = current_user(request)
        business.business_verify(user=user, **_valid(BusinessInput(data=request.data)))
        return Response(_state(user))


class DocumentSessionOutput(serializers.Serializer):
    url = serializers.URLField(
        help_text="Send the person here (Stripe Identity); the outcome comes by webhook."
    )


class DocumentSessionApi(APIView):
    @extend_schema(
        request=None,
        responses={201: DocumentSessionOutput, **errors(404, 409), **_UNAVAILABLE},
        summary="Start an identity document check (Stripe Identity, after the phone)",
    )
    def post(self, request: Request) -> Response:
        url = identity_session_start(user=current_user(request), return_url=services.verification_url())
        return Response({"url": url}, status=201)
