"""REST interface for listings: the public catalog and the seller's own listings."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.core.fields import PriceField
from marketplace.core.money import CURRENCIES, money_json
from marketplace.core.openapi import CURSOR_PARAMETERS, MoneyOutput, cursor_page, errors
from marketplace.core.pagination import CursorPage
from payments.selectors import prompt_access_allowed
from prompts import selectors, services
from prompts.api_schema import CatalogPageOutput, ListingDetailOutput, PreviewSizeOutput
from prompts.cleaning import (
    MAX_EXAMPLE_OUTPUTS,
    MAX_TAGS,
    MAX_VARIABLE_EXAMPLE_CHARS,
    MAX_VARIABLE_EXAMPLES,
    normalize_tag,
)
from prompts.discovery import views_record
from prompts.documents import preview_json
from prompts.models import Category, Language, License, Listing, ListingStatus, TargetModel
from prompts.search.suggest import suggest

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 60


def _json(payload: Any, status_code: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(payload), content_type="application/json", status=status_code)


# --- Public catalog ------------------------------------------------------------------------------

CATALOG_PARAMETERS = [
    OpenApiParameter("q", str, description="Words to find in title, description, tags and model."),
    OpenApiParameter("model", str, enum=TargetModel.values),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("tag", str),
    OpenApiParameter("language", str, enum=Language.values),
    OpenApiParameter("currency", str, enum=list(CURRENCIES)),
    OpenApiParameter("min_price", int, description="Minor units; needs `currency`."),
    OpenApiParameter("max_price", int, description="Minor units; needs `currency`."),
    OpenApiParameter("free", bool),
    OpenApiParameter("seller", str, description="Seller handle."),
    OpenApiParameter(
        "sort", str, enum=list(selectors.SORTS), description="Default: relevance with q, else newest."
    ),
    OpenApiParameter("cursor", str, description="`next_cursor` of the previous page."),
    OpenApiParameter("page_size", int, description=f"1-{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}."),
    OpenApiParameter("facets", bool, description="Add counts per model, category, language, currency, free."),
]


def _bad_param(name: str, message: str) -> ApplicationError:
    return ApplicationError(
        "invalid_parameter",
        _("%(name)s: %(message)s") % {"name": name, "message": message},
        fields={name: [message]},
    )


def _choice(params: Any, name: str, choices: Any) -> str:
    value = params.get(name, "").strip()
    if value and value not in choices:
        raise _bad_param(name, _("Use one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def _integer(params: Any, name: str, minimum: int, maximum: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not minimum <= int(raw) <= maximum:
        raise _bad_param(
            name, _("Use a whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}
        )
    return int(raw)


def _boolean(params: Any, name: str) -> bool | None:
    raw = params.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise _bad_param(name, _("Use true or false."))


def parse_catalog_query(params: Any) -> tuple[selectors.CatalogFilters, str, str | None, int]:
    for name, value in params.items():
        if "\x00" in value:
            raise _bad_param(name, _("Remove the NUL character."))
    currency = params.get("currency", "").strip().upper()
    if currency and currency not in CURRENCIES:
        raise _bad_param("currency", _("Use one of: %(choices)s.") % {"choices": ", ".join(CURRENCIES)})
    min_price = _integer(params, "min_price", 0, 10**12)
    max_price = _integer(params, "max_price", 0, 10**12)
    if (min_price is not None or max_price is not None) and not currency:
        raise _bad_param(
            "currency", _("Price filters compare amounts in one currency; add currency=USD (or CNY, ...).")
        )
    q = params.get("q", "").strip()
    if len(q) > 100:
        raise _bad_param("q", _("Search for at most 100 characters."))
    filters = selectors.CatalogFilters(
        q=q,
        model=_choice(params, "model", TargetModel.values),
        category=_choice(params, "category", Category.values),
        language=_choice(params, "language", Language.values),
        tag=normalize_tag(params.get("tag", ""))[:30],
        currency=currency,
        min_price=min_price,
        max_price=max_price,
        free=_boolean(params, "free"),
        seller=params.get("seller", "").strip()[:30],
    )
    sort = params.get("sort", "").strip() or ("relevance" if q else "newest")
    if sort not in selectors.SORTS:
        raise _bad_param("sort", _("Use one of: %(choices)s.") % {"choices": ", ".join(selectors.SORTS)})
    page_size = _integer(params, "page_size", 1, MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    cursor = params.get("cursor") or None
    if cursor and len(cursor) > 200:
        raise _bad_param("cursor", _("Not a cursor returned by this API."))
    return filters, sort, cursor, page_size


CATALOG_PAGE = CatalogPageOutput


def catalog_page_body(request: Request, params: Any) -> tuple[selectors.CatalogFilters, dict[str, Any]]:
    """One catalog page as a response body (cards, cursor, next link), for `params`."""
    filters, sort, cursor, page_size = parse_catalog_query(params)
    cards, next_cursor = selectors.catalog_page(
        filters=filters, sort=sort, cursor=cursor, page_size=page_size
    )
    next_url = None
    if next_cursor:
        query = request.query_params.copy()
        query["cursor"] = next_cursor
        next_url = f"{request.path}?{query.urlencode()}"
    body = {
        "results": [orjson.Fragment(card) for card in cards],
        "next_cursor": next_cursor,
        "next": next_url,
    }
    return filters, body


class CatalogListApi(APIView):
    """Published listings. Never includes prompt text."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=CATALOG_PARAMETERS,
        responses=CATALOG_PAGE,
        summary="Browse the catalog",
        operation_id="catalog_list",
    )
    def get(self, request: Request) -> HttpResponse:
        filters, body = catalog_page_body(request, request.query_params)
        if _boolean(request.query_params, "facets"):
            body["facets"] = selectors.catalog_facets(filters=filters)
        return _json(body)


class SuggestApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What the person has typed so far.")
        ],
        responses=inline_serializer(
            "Suggestions", {"suggestions": serializers.ListField(child=serializers.CharField())}
        ),
        summary="Autocomplete from tags, titles and words in titles",
    )
    def get(self, request: Request) -> HttpResponse:
        prefix = request.query_params.get("q", "")
        if "\x00" in prefix or len(prefix) > 60:
            raise _bad_param("q", _("Type at most 60 characters."))
        return _json({"suggestions": suggest(prefix)})


class CatalogDetailApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=ListingDetailOutput,
        summary="One published listing (no prompt text)",
        operation_id="catalog_detail",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        document = selectors.listing_public_detail_json(public_id=public_id)
        views_record(public_id=public_id)  # Redis (in-process without it), never the database
        return HttpResponse(document, content_type="application/json")


class PromptApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        responses={
            200: inline_serializer(
                "PromptOutput",
                {
                    "listing": serializers.CharField(),
                    "version": serializers.IntegerField(),
                    "text": serializers.CharField(),
                    "usage_notes": serializers.CharField(),
                    "variables": serializers.ListField(child=serializers.CharField()),
                    "updated_at": serializers.DateTimeField(),
                },
            ),
            **errors(403),
        },
        summary="The prompt text, for its seller, staff and buyers who unlocked it",
    )
    def get(self, request: Request, public_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        if not prompt_access_allowed(user=request.user, listing=listing):
            raise ApplicationError(
                "not_unlocked",
                _("Unlock this listing to read its prompt."),
                status_code=status.HTTP_403_FORBIDDEN,
            )
        version = listing.versions.order_by("-number").first()
        assert version is not None
        return Response(
            {
                "listing": listing.public_id,
                "version": version.number,
                "text": version.text,
                "usage_notes": version.usage_notes,
                "variables": version.variables,
                "updated_at": version.created_at,
            }
        )


# --- Seller listings --------------------------------------------------------------------------------


class ListingInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    target_model = serializers.ChoiceField(choices=TargetModel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60),
        max_length=MAX_TAGS,
        required=False,
        error_messages={"max_length": f"Use at most {MAX_TAGS} tags."},
    )
    price = PriceField(required=False, help_text="Omit for a free listing.")
    license = serializers.ChoiceField(choices=License.choices, required=False)
    prompt_text = serializers.CharField(max_length=20_000, trim_whitespace=False)
    usage_notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    example_outputs = serializers.ListField(
        child=serializers.CharField(max_length=4000),
        max_length=MAX_EXAMPLE_OUTPUTS,
        required=False,
        help_text="For text models: what the prompt produces.",
    )
    variable_examples = serializers.DictField(
        child=serializers.CharField(max_length=MAX_VARIABLE_EXAMPLE_CHARS, allow_blank=True),
        required=False,
        help_text=(
            f"Example value per [variable], at most {MAX_VARIABLE_EXAMPLES}: they fill the prompt "
            "when the platform generates example images."
        ),
    )


class ListingUpdateInput(ListingInput):
    """Every field optional (partial=True also reaches the nested price)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


def _service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    price = data.pop("price", None)
    if price is not None:
        if "amount" in price:
            data["price_amount"] = price["amount"]
        if "currency" in price:
            data["price_currency"] = price["currency"].upper()
    return data


class ImageOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    status = serializers.CharField()
    failure_reason = serializers.CharField()
    source_width = serializers.IntegerField()
    source_height = serializers.IntegerField()
    previews = serializers.SerializerMethodField()
    generated_by_platform = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PreviewSizeOutput(many=True))
    def get_previews(self, image: Any) -> list[dict[str, Any]]:
        return preview_json(image)["sizes"] if image.renditions else []


class SellerListingOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    status = serializers.ChoiceField(choices=ListingStatus.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField()
    target_model = serializers.CharField()
    category = serializers.CharField()
    tags = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    license = serializers.CharField()
    prompt_text = serializers.SerializerMethodField()
    usage_notes = serializers.SerializerMethodField()
    prompt_version = serializers.SerializerMethodField()
    variables = serializers.ListField(child=serializers.CharField())
    variable_examples = serializers.SerializerMethodField()
    example_outputs = serializers.ListField(child=serializers.CharField())
    images = ImageOutput(many=True)
    rejection_reason = serializers.CharField()
    review_note = serializers.CharField()
    counters = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)

    def get_tags(self, listing: Listing) -> list[str]:
        return sorted(tag.slug for tag in listing.tags.all())

    @extend_schema_field(MoneyOutput)
    def get_price(self, listing: Listing) -> dict[str, Any]:
        return money_json(listing.price_amount, listing.price_currency)

    def get_prompt_text(self, listing: Listing) -> str:
        version = selectors.current_version(listing)
        return version.text if version else ""

    def get_usage_notes(self, listing: Listing) -> str:
        version = selectors.current_version(listing)
        return version.usage_notes if version else ""

    def get_prompt_version(self, listing: Listing) -> int:
        version = selectors.current_version(listing)
        return version.number if version else 0

    def get_variable_examples(self, listing: Listing) -> dict[str, str]:
        version = selectors.current_version(listing)
        return dict(version.variable_examples) if version else {}

    def get_counters(self, listing: Listing) -> dict[str, int]:
        return {"views": listing.view_count, "unlocks": listing.unlock_count}


def _seller(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _seller_listing(request: Request, public_id: str) -> Listing:
    return selectors.listing_get_for_seller(seller=_seller(request), public_id=public_id)


def _listing_response(request: Request, public_id: str, status_code: int = 200) -> Response:
    return Response(SellerListingOutput(_seller_listing(request, public_id)).data, status=status_code)


class SellerListingPagination(CursorPage):
    page_size = 50
    ordering = ("-created_at", "-id")



class SellerListingListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ListingStatus.values),
            *CURSOR_PARAMETERS,
        ],
        responses=cursor_page("SellerListingPage", SellerListingOutput()),
        summary="Your listings, newest first",
        operation_id="v1_seller_listings_list",
    )
    def get(self, request: Request) -> Response:
        status_filter = _choice(request.query_params, "status", ListingStatus.values)
        paginator = SellerListingPagination()
        page = paginator.paginate_queryset(
            selectors.listing_list_for_seller(seller=_seller(request), status=status_filter),
            request,
            view=self,
        )
        return paginator.get_paginated_response(SellerListingOutput(page, many=True).data)

    @extend_schema(
        request=ListingInput,
        responses={201: SellerListingOutput, **errors(422)},
        summary="Create a draft listing",
    )
    def post(self, request: Request) -> Response:
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_create(seller=_seller(request), **_service_kwargs(data.validated_data))
        return _listing_response(request, listing.public_id, status.HTTP_201_CREATED)


class SellerListingDetailApi(APIView):
    @extend_schema(responses=SellerListingOutput, summary="One of your listings, with its prompt")
    def get(self, request: Request, public_id: str) -> Response:
        return _listing_response(request, public_id)

    @extend_schema(
        request=ListingUpdateInput,
        responses={200: SellerListingOutput, **errors(409, 422)},
        summary="Edit a listing",
    )
    def patch(self, request: Request, public_id: str) -> Response:
        listing = _seller_listing(request, public_id)
        data = ListingUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.listing_update(
            listing=listing, by=_seller(request), changes=_service_kwargs(data.validated_data)
        )
        return _listing_response(request, public_id)

    @extend_schema(responses={204: None, **errors(409)}, summary="Delete a listing that was never on sale")
    def delete(self, request: Request, public_id: str) -> Response:
        services.listing_delete(listing=_seller_listing(request, public_id), by=_seller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SellerListingImagesApi(APIView):
    class ImageUploadInput(serializers.Serializer):
        image = serializers.FileField(
            help_text="PNG, JPEG, WebP or AVIF; at most 15 MB and 40 megapixels.",
            error_messages={
                "empty": "The file is empty; choose an image file (PNG, JPEG, WebP or AVIF).",
                "required": "Attach the image as the multipart field 'image'.",
                "invalid": "Send the image as a file in the multipart field 'image'.",
            },
        )

    @extend_schema(
        request={"multipart/form-data": ImageUploadInput},
        responses={201: ImageOutput, **errors(409)},
        summary="Attach an example output image",
    )
    def post(self, request: Request, public_id: str) -> Response:
        listing = _seller_listing(request, public_id)
        data = self.ImageUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.listing_image_add(
            listing=listing, by=_seller(request), upload=data.validated_data["image"]
        )
        image.refresh_from_db()
        return Response(ImageOutput(image).data, status=status.HTTP_201_CREATED)


class SellerListingImageDetailApi(APIView):
    @extend_schema(responses={204: None, **errors(409)}, summary="Remove an example image")
    def delete(self, request: Request, public_id: str, image_id: str) -> Response:
        image = selectors.image_get_for_seller(
            seller=_seller(request), listing_public_id=public_id, image_public_id=image_id
        )
        services.listing_image_delete(image=image, by=_seller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SellerListingSubmitApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SellerListingOutput, **errors(409, 422)},
        summary="Screen and submit: publishes at once or queues for review",
    )
    def post(self, request: Request, public_id: str) -> Response:
        services.listing_submit(listing=_seller_listing(request, public_id), by=_seller(request))
        return _listing_response(request, public_id)


class SellerListingArchiveApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SellerListingOutput, **errors(409)},
        summary="Withdraw a listing from sale",
    )
    def post(self, request: Request, public_id: str) -> Response:
        services.listing_archive(listing=_seller_listing(request, public_id), by=_seller(request))
        return _listing_response(request, public_id)
