"""REST interface for accounts: register, get a token, read and edit yourself."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts import lockout, services, signup_limits
from marketplace.accounts.models import ApiToken, User
from marketplace.api.openapi import ErrorEnvelope, errors
from marketplace.core.client import ClientAddressThrottle, client_address, user_agent
from marketplace.core.errors import envelope
from marketplace.privacy.deletion import account_delete


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    handle = serializers.CharField()
    display_name = serializers.CharField()
    date_joined = serializers.DateTimeField()


def user_json(user: User) -> dict[str, object]:
    return dict(UserOutput(user).data)


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)
    handle = serializers.CharField(max_length=30)
    display_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)


class RegisterApi(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ClientAddressThrottle,)
    throttle_scope = signup_limits.ATTEMPTS_SCOPE  # every attempt; accounts created: below

    @extend_schema(
        request=RegisterInput,
        responses={
            201: inline_serializer(
                "RegisterOutput", {"user": UserOutput(), "token": serializers.CharField()}
            ),
            **errors(409),
        },
        summary="Create an account and get an API token",
    )
    def post(self, request: Request) -> Response:
        try:
            signup_limits.sign_up_check(request, count_attempt=False)
        except signup_limits.SignUpLimited as limited:
            return Response(
                envelope(limited.code, limited.message),
                status=limited.status_code,
                headers={"Retry-After": str(limited.retry_after)},
            )
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        signup_limits.sign_up_counted(request)
        _, raw = services.token_sign_in(
            user=user, name="registration", address=client_address(request), user_agent=user_agent(request)
        )
        return Response({"user": user_json(user), "token": raw}, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    throttle_classes = (ClientAddressThrottle,)
    throttle_scope = "auth"

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    class TokenInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128)
        name = serializers.CharField(max_length=60, required=False, default="default")

    @extend_schema(
        request=TokenInput,
        responses={
            201: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
            401: OpenApiResponse(
                ErrorEnvelope, description="invalid_credentials: the email or the password is wrong"
            ),
            429: OpenApiResponse(
                ErrorEnvelope,
                description=(
                    "too_many_attempts: the sign-in lock holds for this email and address (shared with "
                    "the website and the admin); wait the Retry-After header's seconds or reset the password"
                ),
            ),
        },
        summary="Exchange email and password for an API token",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = self.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            _, raw = services.token_obtain(
                **data.validated_data, address=client_address(request), user_agent=user_agent(request)
            )
        except lockout.SignInLocked as locked:
            return Response(
                envelope(locked.code, locked.message),
                status=locked.status_code,
                headers={"Retry-After": str(locked.retry_after)},
            )
        return Response({"token": raw}, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Revoke the token used for this request")
    def delete(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.token_sign_out(
                token=request.auth, address=client_address(request), user_agent=user_agent(request)
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=UserOutput, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        return Response(user_json(request.user))


class AccountDeleteApi(APIView):
    throttle_classes = (ClientAddressThrottle,)
    throttle_scope = "auth"

    class DeleteInput(serializers.Serializer):
        password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        request=DeleteInput,
        responses={
            204: None,
            403: OpenApiResponse(ErrorEnvelope, description="password_incorrect: confirm with your password"),
            409: OpenApiResponse(
                ErrorEnvelope,
                description=(
                    "money_in_flight: an unpaid payout, an open dispute, a refund being sent or a session "
                    "still to come; the message says what to settle first"
                ),
            ),
            429: OpenApiResponse(ErrorEnvelope, description="too_many_attempts: the sign-in lock holds"),
        },
        summary="Delete your account (personal data anonymised at once; the records the law requires kept)",
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        data = self.DeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            account_delete(
                user=request.user, password=data.validated_data["password"], address=client_address(request)
            )
        except lockout.SignInLocked as locked:
            return Response(
                envelope(locked.code, locked.message),
                status=locked.status_code,
                headers={"Retry-After": str(locked.retry_after)},
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
