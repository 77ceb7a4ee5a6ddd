"""REST interface for bundles: sellers' bundles, the public pages, a buyer's quote and checkout.

Bundles never carry prompt text: a member listing is shown by its public card.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.openapi import (
    CURSOR_PARAMETERS,
    MoneyOutput,
    cursor_page,
    errors,
    idempotency_key_parameter,
)
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user, idempotency_key
from marketplace.api.schema import CheckoutOutput
from marketplace.core.money import money_json
from payments.services.bundles import BundleQuote, bundle_checkout_start, bundle_quote
from prompts import bundles as bundle_services
from prompts.models import Bundle, BundleStatus, Listing


def _listing_card(listing: Listing) -> dict[str, Any]:
    return (
        orjson.loads(listing.card_json)
        if listing.card_json
        else {"id": listing.public_id, "title": listing.title}
    )


def bundle_json(bundle: Bundle, *, for_seller: bool = False) -> dict[str, Any]:
    listings = bundle_services.bundle_listings(bundle)
    total = sum(listing.price_amount for listing in listings)
    body = {
        "id": bundle.public_id,
        "title": bundle.title,
        "description": bundle.description,
        "discount_percent": bundle.discount_percent,
        "seller": bundle.seller.handle,
        "list_price": money_json(total, bundle.currency),
        "listings": [_listing_card(listing) for listing in listings],
        "published_at": bundle.published_at,
    }
    if for_seller:
        body["status"] = bundle.status
    return body


class BundleOutput(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    discount_percent = serializers.IntegerField()
    seller = serializers.CharField()
    list_price = MoneyOutput(help_text="The listings' prices added up, before the bundle's discount.")
    listings = serializers.ListField(child=serializers.DictField(), help_text="Each listing's public card.")
    published_at = serializers.DateTimeField(allow_null=True)


class SellerBundleOutput(BundleOutput):
    status = serializers.ChoiceField(choices=BundleStatus.values)


class BundleInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    discount_percent = serializers.IntegerField(help_text="1-90: what comes off each listing's price.")
    listings = serializers.ListField(
        child=serializers.CharField(max_length=16),
        max_length=50,
        help_text="2-20 of your published, paid listings in one currency, in the order shown.",
    )


class BundleUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    discount_percent = serializers.IntegerField(required=False)
    listings = serializers.ListField(
        child=serializers.CharField(max_length=16), max_length=50, required=False
    )


class SellerBundleListApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("SellerBundlePage", SellerBundleOutput()),
        summary="Your bundles, newest first",
        operation_id="v1_seller_bundles_list",
    )
    def get(self, request: Request) -> Response:
        return cursor_page_response(
            request,
            bundle_services.bundle_list_for_seller(seller=current_user(request)),
            lambda page: [bundle_json(b, for_seller=True) for b in page],
            ordering=("-created_at", "-pk"),
            page_size=24,
        )

    @extend_schema(request=BundleInput, responses={201: SellerBundleOutput}, summary="Create a draft bundle")
    def post(self, request: Request) -> Response:
        body = BundleInput(data=request.data)
        body.is_valid(raise_exception=True)
        bundle = bundle_services.bundle_create(seller=current_user(request), **body.validated_data)
        bundle = bundle_services.bundle_get_for_seller(
            seller=current_user(request), public_id=bundle.public_id
        )
        return Response(bundle_json(bundle, for_seller=True), status=status.HTTP_201_CREATED)


class SellerBundleDetailApi(APIView):
    @extend_schema(responses=SellerBundleOutput, summary="One of your bundles")
    def get(self, request: Request, public_id: str) -> Response:
        bundle = bundle_services.bundle_get_for_seller(seller=current_user(request), public_id=public_id)
        return Response(bundle_json(bundle, for_seller=True))

    @extend_schema(
        request=BundleUpdateInput, responses={200: SellerBundleOutput, **errors(409)}, summary="Edit a bundle"
    )
    def patch(self, request: Request, public_id: str) -> Response:
        seller = current_user(request)
        bundle = bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id)
        body = BundleUpdateInput(data=request.data)
        body.is_valid(raise_exception=True)
        bundle_services.bundle_update(bundle=bundle, by=seller, data=dict(body.validated_data))
        bundle = bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id)
        return Response(bundle_json(bundle, for_seller=True))


class SellerBundlePublishApi(APIView):
    @extend_schema(
        request=None, responses={200: SellerBundleOutput, **errors(409)}, summary="Put a bundle on sale"
    )
    def post(self, request: Request, public_id: str) -> Response:
        seller = current_user(request)
        bundle = bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id)
        bundle_services.bundle_publish(bundle=bundle, by=seller)
        return Response(
            bundle_json(
                bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id), for_seller=True
            )
        )


class SellerBundleArchiveApi(APIView):
    @extend_schema(request=None, responses=SellerBundleOutput, summary="Take a bundle off sale for good")
    def post(self, request: Request, public_id: str) -> Response:
        seller = current_user(request)
        bundle = bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id)
        bundle_services.bundle_archive(bundle=bundle, by=seller)
        return Response(
            bundle_json(
                bundle_services.bundle_get_for_seller(seller=seller, public_id=public_id), for_seller=True
            )
        )


class BundleListApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("BundlePage", BundleOutput()),
        summary="Bundles on sale, newest first",
        operation_id="v1_bundles_list",
    )
    def get(self, request: Request) -> Response:
        return cursor_page_response(
            request,
            bundle_services.bundle_list_public(),
            lambda page: [bundle_json(b) for b in page],
            ordering=("-published_at", "-pk"),
            page_size=24,
        )


class BundleDetailApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=BundleOutput, summary="A bundle on sale: its listings' cards, never their prompts"
    )
    def get(self, request: Request, public_id: str) -> Response:
        return Response(bundle_json(bundle_services.bundle_get_public(public_id=public_id)))


def bundle_quote_json(priced: BundleQuote) -> dict[str, Any]:
    currency = priced.currency
    return {
        "code": priced.code.code if priced.code else None,
        "lines": [
            {
                "listing": line.listing.public_id,
                "title": line.listing.title,
                "list_price": money_json(line.price.list_amount, currency),
                "bundle_discount": money_json(line.price.credit, currency),
                "code_discount": money_json(line.price.discount, currency),
                "price": money_json(line.price.amount, currency),
                "platform_fee": money_json(line.price.fee, currency),
                "seller_amount": money_json(line.price.seller_share, currency),
            }
            for line in priced.lines
        ],
        "owned": [listing.public_id for listing in priced.owned],
        "list_price": money_json(priced.list_amount, currency),
        "bundle_discount": money_json(priced.bundle_discount, currency),
        "code_discount": money_json(priced.code_discount, currency),
        "price": money_json(priced.amount, currency),
        "platform_fee": money_json(priced.fee, currency),
        "seller_amount": money_json(priced.seller_share, currency),
    }


class BundleQuoteLineOutput(serializers.Serializer):
    listing = serializers.CharField()
    title = serializers.CharField()
    list_price = MoneyOutput()
    bundle_discount = MoneyOutput()
    code_discount = MoneyOutput()
    price = MoneyOutput()
    platform_fee = MoneyOutput()
    seller_amount = MoneyOutput()


class BundleQuoteOutput(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    lines = BundleQuoteLineOutput(many=True, help_text="One per listing you do not own yet.")
    owned = serializers.ListField(child=serializers.CharField(), help_text="Listings you own: not charged.")
    list_price = MoneyOutput()
    bundle_discount = MoneyOutput()
    code_discount = MoneyOutput()
    price = MoneyOutput(help_text="What you pay: the lines added up.")
    platform_fee = MoneyOutput()
    seller_amount = MoneyOutput()


class BundleQuoteApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=False)],
        responses={200: BundleQuoteOutput, **errors(409)},
        summary="What a bundle costs you: one line per listing you do not own yet",
    )
    def get(self, request: Request, public_id: str) -> Response:
        bundle = bundle_services.bundle_get_public(public_id=public_id)
        priced = bundle_quote(
            buyer=current_user(request), bundle=bundle, code=request.query_params.get("code", "")[:60]
        )
        return Response(bundle_quote_json(priced))


class BundleCheckoutInput(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data if isinstance(data, Mapping) else {})


class BundleCheckoutApi(APIView):
    @extend_schema(
        request=BundleCheckoutInput,
        parameters=[idempotency_key_parameter("order")],
        responses={201: CheckoutOutput, **errors(409, 502, 503)},
        summary="Buy a bundle: one checkout for the listings you do not own yet",
    )
    def post(self, request: Request, public_id: str) -> Response:
        key = idempotency_key(request)
        bundle = bundle_services.bundle_get_public(public_id=public_id)
        body = BundleCheckoutInput(data=request.data)
        body.is_valid(raise_exception=True)
        result = bundle_checkout_start(
            buyer=current_user(request),
            bundle=bundle,
            idempotency_key=key,
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
