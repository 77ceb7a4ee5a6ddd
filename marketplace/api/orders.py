"""REST interface for buying: checkout, the buyer's orders and library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.openapi import CURSOR_PARAMETERS, cursor_page, errors, idempotency_key_parameter
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user, idempotency_key
from marketplace.api.schema import CheckoutOutput, LibraryItemOutput, OrderOutput
from marketplace.core.money import money_json
from payments import selectors, services
from payments.models import Licence, Order
from prompts import selectors as prompt_selectors


def _title(order: Order) -> str:
    if order.listing is not None:
        return order.listing.title
    if order.bundle is not None:
        return order.bundle.title
    return order.booking.offer.title if order.booking else ""


def _lines_json(order: Order) -> list[dict[str, Any]]:
    if order.bundle_id is None:
        return []
    currency = order.currency
    return [
        {
            "listing": line.listing.public_id,
            "list_price": money_json(line.list_amount, currency),
            "discount": money_json(line.bundle_discount + line.code_discount, currency),
            "amount": money_json(line.amount, currency),
            "platform_fee": money_json(line.platform_fee, currency),
            "seller_amount": money_json(line.seller_amount, currency),
            "refunded": money_json(line.refunded_amount, currency),
        }
        for line in order.lines.select_related("listing").order_by("position")
    ]


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.public_id,
        "listing": order.listing.public_id if order.listing else None,
        "booking": order.booking.public_id if order.booking else None,
        "bundle": order.bundle.public_id if order.bundle else None,
        "lines": _lines_json(order),
        "title": _title(order),
        "status": order.status,
        "amount": money_json(order.amount, order.currency),
        "platform_fee": money_json(order.platform_fee, order.currency),
        "seller_amount": money_json(order.seller_amount, order.currency),
        "refunded": money_json(order.refunded_amount, order.currency),
        "list_price": money_json(order.list_amount, order.currency),
        "discount": money_json(order.discount_amount, order.currency),
        "code": order.discount_code.code if order.discount_code else None,
        "licence": order.licence or None,
        "upgrade_from": order.upgrade_from or None,
        "checkout_url": order.checkout_url if order.status == "pending" else None,
        "failure_reason": order.failure_reason,
        "disputed": order.disputed,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
    }


class CheckoutInput(serializers.Serializer):
    licence = serializers.ChoiceField(
        choices=Licence.values,
        required=False,
        allow_blank=True,
        default="",
        help_text="personal (the default), commercial or extended; a higher one than you hold is an upgrade.",
    )
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)

    def to_internal_value(self, data: Any) -> Any:
        # No body, or one that is not an object, is the personal licence without a code.
        return super().to_internal_value(data if isinstance(data, Mapping) else {})


class CheckoutApi(APIView):
    @extend_schema(
        request=CheckoutInput,
        parameters=[idempotency_key_parameter("order")],
        responses={201: CheckoutOutput, **errors(409, 502, 503)},
        summary="Buy a listing: a checkout URL, or an instant unlock when it is free",
    )
    def post(self, request: Request, public_id: str) -> Response:
        key = idempotency_key(request)
        listing = prompt_selectors.listing_get_visible(public_id=public_id, user=request.user)
        body = CheckoutInput(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.checkout_start(
            buyer=current_user(request),
            listing=listing,
            idempotency_key=key,
            licence=body.validated_data["licence"],
            code=body.validated_data["code"].strip(),
        )
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
        return Response(
            order_json(selectors.order_get_for_buyer(buyer=current_user(request), public_id=public_id))
        )


class LibraryApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("LibraryPage", LibraryItemOutput()),
        summary="Everything you unlocked, newest first",
        operation_id="v1_me_library_retrieve",
    )
    def get(self, request: Request) -> Response:
        return cursor_page_response(
            request,
            selectors.library_for(buyer=current_user(request)),
            lambda rows: [_library_item_json(row) for row in rows],
            ordering=("-granted_at", "-pk"),
            page_size=24,
        )


def _library_item_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "listing": orjson.loads(row["listing__card_json"])
        if row["listing__card_json"]
        else {"id": row["listing__public_id"]},
        "unlocked_at": row["granted_at"],
        "prompt_version": row["latest_version"],
        "prompt_url": f"/api/v1/listings/{row['listing__public_id']}/prompt/",
        "order": row["order__public_id"],
        "licence": row["licence"],
    }
