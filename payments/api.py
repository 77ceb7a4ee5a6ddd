"""REST interface for buying, the buyer's library, and the seller's sales, refunds and payouts."""

from __future__ import annotations

from typing import Any

import orjson
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.core.fields import StrictIntegerField
from marketplace.core.money import money_json
from marketplace.core.openapi import CURSOR_PARAMETERS, cursor_page, errors
from marketplace.core.pagination import CursorPage
from payments import selectors, services
from payments.api_schema import (
    CheckoutOutput,
    LibraryItemOutput,
    OnboardingOutput,
    OrderOutput,
    PayoutsOutput,
    RefundedOrderOutput,
    SalesTotalOutput,
)
from payments.models import ConnectedAccount, Order
from prompts import selectors as prompt_selectors


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.public_id,
        "listing": order.listing.public_id if order.listing else None,
        "booking": order.booking.public_id if order.booking else None,
        "title": order.listing.title if order.listing else order.booking.offer.title if order.booking else "",
        "status": order.status,
        "amount": money_json(order.amount, order.currency),
        "platform_fee": money_json(order.platform_fee, order.currency),
        "seller_amount": money_json(order.seller_amount, order.currency),
        "refunded": money_json(order.refunded_amount, order.currency),
        "checkout_url": order.checkout_url if order.status == "pending" else None,
        "failure_reason": order.failure_reason,
        "disputed": order.disputed,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
    }


def idempotency_key(request: Request) -> str:
    """The request's Idempotency-Key header ("" without one); a malformed one is a 400."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 100 or "\x00" in key:
        raise ApplicationError("invalid", _("Idempotency-Key is at most 100 characters."))
    return key


class CheckoutApi(APIView):
    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key returns the same order.",
            )
        ],
        responses={201: CheckoutOutput, **errors(409, 502, 503)},
        summary="Buy a listing: a checkout URL, or an instant unlock when it is free",
    )
    def post(self, request: Request, public_id: str) -> Response:
        key = idempotency_key(request)
        listing = prompt_selectors.listing_get_visible(public_id=public_id, user=request.user)
        result = services.checkout_start(buyer=_user(request), listing=listing, idempotency_key=key)
        return Response(
            {
                "order_id": result.order.public_id if result.order else None,
                "checkout_url": result.checkout_url,
                "unlocked": result.unlocked,
            },
            status=status.HTTP_201_CREATED,
        )


class OrderApi(APIView):
    @extend_schema(responses=OrderOutput, summary="One of your orders: poll it after checkout")
    def get(self, request: Request, public_id: str) -> Response:
        return Response(order_json(selectors.order_get_for_buyer(buyer=_user(request), public_id=public_id)))


class LibraryPagination(CursorPage):
    page_size = 24
    ordering = ("-granted_at", "-pk")


class LibraryApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("LibraryPage", LibraryItemOutput()),
        summary="Everything you unlocked, newest first",
        operation_id="v1_me_library_retrieve",
    )
    def get(self, request: Request) -> Response:
        paginator = LibraryPagination()
        rows = paginator.paginate_queryset(selectors.library_for(buyer=_user(request)), request, view=self)
        results = [
            {
                "listing": orjson.loads(row["listing__card_json"])
                if row["listing__card_json"]
                else {"id": row["listing__public_id"]},
                "unlocked_at": row["granted_at"],
                "prompt_version": row["latest_version"],
                "prompt_url": f"/api/v1/listings/{row['listing__public_id']}/prompt/",
                "order": row["order__public_id"],
            }
            for row in rows or []
        ]
        return paginator.get_paginated_response(results)


class SalesPagination(CursorPage):
    page_size = 50
    ordering = ("-created_at", "-pk")


class SellerSalesApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("SalesPage", OrderOutput(), totals=SalesTotalOutput(many=True)),
        summary="Your sales, fees, refunds and net earnings",
        operation_id="v1_seller_sales_retrieve",
    )
    def get(self, request: Request) -> Response:
        seller = _user(request)
        paginator = SalesPagination()
        page = paginator.paginate_queryset(selectors.sales_for(seller=seller), request, view=self)
        response = paginator.get_paginated_response([order_json(order) for order in page or []])
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
        summary="Refund a sale in full or in part",
    )
    def post(self, request: Request, public_id: str) -> Response:
        order = selectors.order_get_for_seller(seller=_user(request), public_id=public_id)
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.order_refund(
            order=order,
            amount=data.validated_data.get("amount"),
            by=_user(request),
            reason=data.validated_data["reason"],
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
        return Response(_payout_json(_user(request)))


class SellerOnboardingApi(APIView):
    @extend_schema(
        request=None,
        responses={201: OnboardingOutput},
        summary="Start or continue Stripe Connect onboarding; returns the link to follow",
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        url = services.seller_onboarding_link(user=user)
        user.refresh_from_db()
        return Response({"url": url, **_payout_json(user)}, status=status.HTTP_201_CREATED)
