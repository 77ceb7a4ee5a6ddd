"""REST interface for prices beyond the list price: quotes, sellers' discount codes and licence tiers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.api.fields import CurrencyField, MinorUnitsField, MoneyInput
from marketplace.api.openapi import CURSOR_PARAMETERS, MoneyOutput, cursor_page, errors
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user
from marketplace.core.errors import ApplicationError
from marketplace.core.money import money_json
from payments import selectors
from payments.models import CodeKind, CodeScope, DiscountCode, Licence
from payments.services import codes as code_services
from payments.services.pricing import Quote, licence_prices, quote
from prompts import selectors as prompt_selectors
from prompts.models import Listing


def quote_json(priced: Quote) -> dict[str, Any]:
    line, currency = priced.line, priced.line.currency
    return {
        "licence": priced.licence or None,
        "upgrade_from": priced.upgrade_from or None,
        "code": priced.code.code if priced.code else None,
        "list_price": money_json(line.list_amount, currency),
        "credit": money_json(line.credit, currency),
        "discount": money_json(line.discount, currency),
        "price": money_json(line.amount, currency),
        "platform_fee": money_json(line.fee, currency),
        "seller_amount": money_json(line.seller_share, currency),
    }


class QuoteOutput(serializers.Serializer):
    licence = serializers.CharField(allow_null=True)
    upgrade_from = serializers.CharField(allow_null=True, help_text="The licence you hold, when upgrading.")
    code = serializers.CharField(allow_null=True)
    list_price = MoneyOutput(help_text="The licence's price before anything comes off.")
    credit = MoneyOutput(help_text="What you paid for the licence you upgrade from.")
    discount = MoneyOutput()
    price = MoneyOutput(help_text="What you pay; 0 unlocks at once.")
    platform_fee = MoneyOutput()
    seller_amount = MoneyOutput()


class QuoteApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("licence", OpenApiTypes.STR, enum=Licence.values, required=False),
            OpenApiParameter("code", OpenApiTypes.STR, required=False),
        ],
        responses={200: QuoteOutput, **errors(409)},
        summary="The price of a listing for you, with a licence and a discount code, before you buy",
    )
    def get(self, request: Request, public_id: str) -> Response:
        listing = prompt_selectors.listing_get_visible(public_id=public_id, user=request.user)
        priced = quote(
            buyer=current_user(request),
            item=listing,
            licence=request.query_params.get("licence", "")[:20],
            code=request.query_params.get("code", "")[:60],
        )
        return Response(quote_json(priced))


def code_json(code: DiscountCode) -> dict[str, Any]:
    return {
        "code": code.code,
        "kind": code.kind,
        "percent": code.percent,
        "amount": money_json(code.amount, code.currency) if code.amount is not None else None,
        "scope": code.scope,
        "listings": [listing.public_id for listing in code.listings.all()],
        "starts_at": code.starts_at,
        "ends_at": code.ends_at,
        "max_uses": code.max_uses,
        "max_uses_per_buyer": code.max_uses_per_buyer,
        "min_order": money_json(code.min_order_amount, code.min_order_currency)
        if code.min_order_amount
        else None,
        "active": code.active,
        "uses": code.uses,
        "created_at": code.created_at,
    }


class CodeOutput(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=CodeKind.values)
    percent = serializers.IntegerField(allow_null=True)
    amount = MoneyOutput(allow_null=True)
    scope = serializers.ChoiceField(choices=CodeScope.values)
    listings = serializers.ListField(child=serializers.CharField())
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    max_uses = serializers.IntegerField(allow_null=True)
    max_uses_per_buyer = serializers.IntegerField(allow_null=True)
    min_order = MoneyOutput(allow_null=True)
    active = serializers.BooleanField()
    uses = serializers.IntegerField(help_text="Paid orders, and pending ones holding a use.")
    created_at = serializers.DateTimeField()


class CodeCreateInput(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="Buyers type it in any case.")
    kind = serializers.ChoiceField(choices=CodeKind.values)
    percent = serializers.IntegerField(required=False, allow_null=True, help_text="1-100, for kind=percent.")
    amount = MinorUnitsField(required=False, allow_null=True, help_text="Minor units, for kind=fixed.")
    currency = CurrencyField(required=False, allow_blank=True, default="")
    scope = serializers.ChoiceField(choices=CodeScope.values, default=CodeScope.ALL_LISTINGS)
    listings = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, default=list, max_length=200
    )
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    max_uses = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    max_uses_per_buyer = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    min_order_amount = MinorUnitsField(
        required=False, default=0, min_value=0, help_text="Minor units; 0 for no minimum."
    )
    min_order_currency = CurrencyField(required=False, allow_blank=True, default="")


class CodeUpdateInput(serializers.Serializer):
    active = serializers.BooleanField(required=False)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    max_uses = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    max_uses_per_buyer = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class SellerCodeListApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("CodePage", CodeOutput()),
        summary="Your discount codes, newest first",
        operation_id="v1_seller_codes_list",
    )
    def get(self, request: Request) -> Response:
        return cursor_page_response(
            request,
            selectors.codes_for_seller(seller=current_user(request)),
            lambda page: [code_json(code) for code in page],
            ordering=("-created_at", "-pk"),
            page_size=50,
        )

    @extend_schema(
        request=CodeCreateInput, responses={201: CodeOutput, **errors(409)}, summary="Create a discount code"
    )
    def post(self, request: Request) -> Response:
        seller = current_user(request)
        body = CodeCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["listings"] = _own_listings(seller, data.get("listings") or [])
        created = code_services.code_create(seller=seller, **data)
        return Response(code_json(created), status=status.HTTP_201_CREATED)


def _own_listings(seller: User, public_ids: list[str]) -> list[Listing]:
    """The seller's listings with these ids; an id that is not one of theirs is a 400 on the field."""
    found = {
        listing.public_id: listing
        for listing in prompt_selectors.listing_list_for_seller(seller=seller).filter(
            public_id__in=public_ids
        )
    }
    missing = [public_id for public_id in public_ids if public_id not in found]
    if missing:
        message = _("You have no listing with the id %(id)s.") % {"id": missing[0][:16]}
        raise ApplicationError("invalid", message, fields={"listings": [message]})
    return [found[public_id] for public_id in dict.fromkeys(public_ids)]


class SellerCodeDetailApi(APIView):
    @extend_schema(responses=CodeOutput, summary="One of your discount codes")
    def get(self, request: Request, code: str) -> Response:
        return Response(code_json(selectors.code_get_for_seller(seller=current_user(request), code=code)))

    @extend_schema(
        request=CodeUpdateInput,
        responses=CodeOutput,
        summary="Change a code's window or limits, or switch it off",
    )
    def patch(self, request: Request, code: str) -> Response:
        found = selectors.code_get_for_seller(seller=current_user(request), code=code)
        body = CodeUpdateInput(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(code_json(code_services.code_update(code=found, **body.validated_data)))

    @extend_schema(responses={204: None}, summary="Switch a code off (orders keep the discount they got)")
    def delete(self, request: Request, code: str) -> Response:
        found = selectors.code_get_for_seller(seller=current_user(request), code=code)
        code_services.code_update(code=found, active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LicenceTierInput(MoneyInput):
    """A tier's price: an amount, or a multiple of the listing's price. Anything wrong with it is a
    400 with code `invalid_price`, its message on `commercial.amount` (and so on) in `error.fields`."""

    amount = MinorUnitsField(
        required=False, allow_null=True, help_text="Minor units, the listing's currency."
    )
    multiple_bps = serializers.IntegerField(
        required=False, allow_null=True, help_text="A multiple of the base price: 25000 = 2.5x."
    )


class LicencesInput(serializers.Serializer):
    commercial = LicenceTierInput(required=False, allow_null=True, help_text="null withdraws the tier.")
    extended = LicenceTierInput(required=False, allow_null=True, help_text="null withdraws the tier.")


class LicencesOutput(serializers.Serializer):
    personal = MoneyOutput()
    commercial = MoneyOutput(required=False)
    extended = MoneyOutput(required=False)


def _licences_json(listing: Listing) -> dict[str, Any]:
    return {
        name: money_json(amount, listing.price_currency) for name, amount in licence_prices(listing).items()
    }


class SellerListingLicencesApi(APIView):
    @extend_schema(responses=LicencesOutput, summary="The licences a listing offers and their prices")
    def get(self, request: Request, public_id: str) -> Response:
        listing = prompt_selectors.listing_get_for_seller(seller=current_user(request), public_id=public_id)
        return Response(_licences_json(listing))

    @extend_schema(
        request=LicencesInput,
        responses=LicencesOutput,
        summary="Offer commercial and extended licences: an amount or a multiple of the base price each",
    )
    def put(self, request: Request, public_id: str) -> Response:
        listing = prompt_selectors.listing_get_for_seller(seller=current_user(request), public_id=public_id)
        body = LicencesInput(data=request.data)
        body.is_valid(raise_exception=True)
        tiers: dict[str, dict[str, int | None]] = {
            licence.value: dict(body.validated_data[licence] or {})
            for licence in (Licence.COMMERCIAL, Licence.EXTENDED)
            if licence in body.validated_data
        }
        code_services.licences_set(listing=listing, tiers=tiers)
        return Response(_licences_json(listing))
