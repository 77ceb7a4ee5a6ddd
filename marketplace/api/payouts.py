"""REST interface for the seller's money: sales and their totals, refunds, the payout account."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.api.fields import StrictIntegerField
from marketplace.api.openapi import CURSOR_PARAMETERS, cursor_page, errors, idempotency_key_parameter
from marketplace.api.orders import order_json
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user, idempotency_key
from marketplace.api.schema import (
    OnboardingOutput,
    OrderOutput,
    PayoutsOutput,
    RefundedOrderOutput,
    SalesTotalOutput,
)
from marketplace.core.money import money_json
from payments import selectors, services
from payments.models import ConnectedAccount


class SellerSalesApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("SalesPage", OrderOutput(), totals=SalesTotalOutput(many=True)),
        summary="Your sales, fees, refunds and net earnings",
        operation_id="v1_seller_sales_retrieve",
    )
    def get(self, request: Request) -> Response:
        seller = current_user(request)
        response = cursor_page_response(
            request,
            selectors.sales_for(seller=seller),
            lambda page: [order_json(order) for order in page],
            ordering=("-created_at", "-pk"),
            page_size=50,
        )
        response.data["totals"] = [
            {
                "currency": row["currency"],
                "sales": row["count"],
                "gross": money_json(row["gross"], row["currency"]),
                "platform_fees": money_json(row["fees"], row["currency"]),
                "refunds": money_json(row["refunded"], row["currency"]),
                "net": money_json(row["net"], row["currency"]),
                "held": money_json(row["held"], row["currency"]),
            }
            for row in selectors.sales_totals(seller=seller)
        ]
        return response


class RefundInput(serializers.Serializer):
    amount = StrictIntegerField(required=False, help_text="Minor units; omit to refund what is left.")
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class SellerRefundApi(APIView):
    @extend_schema(
        request=RefundInput,
        responses={201: RefundedOrderOutput, 202: RefundedOrderOutput, **errors(409)},
        parameters=[idempotency_key_parameter("refund")],
        summary="Refund a sale in full or in part",
    )
    def post(self, request: Request, public_id: str) -> Response:
        order = selectors.order_get_for_seller(seller=current_user(request), public_id=public_id)
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.order_refund(
            order=order,
            amount=data.validated_data.get("amount"),
            by=current_user(request),
            reason=data.validated_data["reason"],
            request_key=idempotency_key(request),
        )
        order.refresh_from_db()
        body = order_json(order) | {"refund": {"status": refund.status, "amount": refund.amount}}
        if refund.status == "pending":
            body["refund"]["message"] = "The payment provider did not answer; the refund will be retried."
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(body, status=status.HTTP_201_CREATED)


def _payout_json(user: User) -> dict[str, Any]:
    account = ConnectedAccount.objects.filter(user=user).first()
    return {
        "can_accept_payments": user.can_accept_payments,
        "account": None
        if account is None
        else {
            "id": account.account_id,
            "charges_enabled": account.charges_enabled,
            "payouts_enabled": account.payouts_enabled,
            "details_submitted": account.details_submitted,
        },
    }


class SellerPayoutsApi(APIView):
    @extend_schema(responses=PayoutsOutput, summary="Your payout account status")
    def get(self, request: Request) -> Response:
        return Response(_payout_json(current_user(request)))


class SellerOnboardingApi(APIView):
    @extend_schema(
        request=None,
        responses={201: OnboardingOutput},
        summary="Start or continue Stripe Connect onboarding; returns the link to follow",
    )
    def post(self, request: Request) -> Response:
        user = current_user(request)
        url = services.seller_onboarding_link(user=user)
        user.refresh_from_db()
        return Response({"url": url, **_payout_json(user)}, status=status.HTTP_201_CREATED)
