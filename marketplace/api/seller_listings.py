"""REST interface for a seller's own listings: create, edit, images, submit for review, archive."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.fields import PriceField
from marketplace.api.openapi import CURSOR_PARAMETERS, MoneyOutput, cursor_page, errors
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user
from marketplace.api.schema import PreviewSizeOutput
from marketplace.core.money import money_json
from prompts import lifecycle, listing_images, selectors, services
from prompts.catalog_query import choice_param
from prompts.cleaning import MAX_EXAMPLE_OUTPUTS, MAX_TAGS, MAX_VARIABLE_EXAMPLE_CHARS, MAX_VARIABLE_EXAMPLES
from prompts.documents import preview_json
from prompts.models import (
    TRIAL_RUNS_MAX,
    AiClass,
    AiEvidence,
    Category,
    Language,
    License,
    Listing,
    ListingStatus,
    TargetModel,
)


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
    trial_runs = serializers.IntegerField(
        min_value=0,
        max_value=TRIAL_RUNS_MAX,
        required=False,
        help_text=f"Trial runs each signed-in buyer may make before buying (0-{TRIAL_RUNS_MAX}; 0: off).",
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
    ai_class = serializers.ChoiceField(choices=AiClass.choices)
    ai_evidence = serializers.ChoiceField(
        choices=AiEvidence.choices, help_text="The kind of evidence that decided ai_class; '' for none."
    )
    ai_declared = serializers.BooleanField()
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
    trial_runs = serializers.IntegerField()
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


def _seller_listing(request: Request, public_id: str) -> Listing:
    return selectors.listing_get_for_seller(seller=current_user(request), public_id=public_id)


def _listing_response(request: Request, public_id: str, status_code: int = 200) -> Response:
    return Response(SellerListingOutput(_seller_listing(request, public_id)).data, status=status_code)


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
        status_filter = choice_param(request.query_params, "status", ListingStatus.values)
        return cursor_page_response(
            request,
            selectors.listing_list_for_seller(seller=current_user(request), status=status_filter),
            lambda page: SellerListingOutput(page, many=True).data,
            ordering=("-created_at", "-id"),
            page_size=50,
        )

    @extend_schema(
        request=ListingInput,
        responses={201: SellerListingOutput, **errors(422)},
        summary="Create a draft listing",
    )
    def post(self, request: Request) -> Response:
        data = ListingInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_create(
            seller=current_user(request), **_service_kwargs(data.validated_data)
        )
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
            listing=listing, by=current_user(request), changes=_service_kwargs(data.validated_data)
        )
        return _listing_response(request, public_id)

    @extend_schema(responses={204: None, **errors(409)}, summary="Delete a listing that was never on sale")
    def delete(self, request: Request, public_id: str) -> Response:
        services.listing_delete(listing=_seller_listing(request, public_id), by=current_user(request))
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
        ai_declared = serializers.BooleanField(
            default=False,
            help_text="The image is AI-generated: the listing page says so when its metadata does not.",
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
            listing=listing,
            by=current_user(request),
            upload=data.validated_data["image"],
            ai_declared=data.validated_data["ai_declared"],
        )
        image.refresh_from_db()
        return Response(ImageOutput(image).data, status=status.HTTP_201_CREATED)


class SellerListingImageDetailApi(APIView):
    class ImageMoveInput(serializers.Serializer):
        position = serializers.IntegerField(min_value=1, help_text="1 is the cover image.")

    @extend_schema(
        request=ImageMoveInput,
        responses=ImageOutput,
        summary="Move an example image to another position",
    )
    def patch(self, request: Request, public_id: str, image_id: str) -> Response:
        image = selectors.image_get_for_seller(
            seller=current_user(request), listing_public_id=public_id, image_public_id=image_id
        )
        data = self.ImageMoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = listing_images.listing_image_move(
            image=image, by=current_user(request), position=data.validated_data["position"]
        )
        return Response(ImageOutput(image).data)

    @extend_schema(responses={204: None, **errors(409)}, summary="Remove an example image")
    def delete(self, request: Request, public_id: str, image_id: str) -> Response:
        image = selectors.image_get_for_seller(
            seller=current_user(request), listing_public_id=public_id, image_public_id=image_id
        )
        services.listing_image_delete(image=image, by=current_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SellerListingSubmitApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SellerListingOutput, **errors(409, 422)},
        summary="Screen and submit: publishes at once or queues for review",
    )
    def post(self, request: Request, public_id: str) -> Response:
        services.listing_submit(listing=_seller_listing(request, public_id), by=current_user(request))
        return _listing_response(request, public_id)


class SellerListingArchiveApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SellerListingOutput, **errors(409)},
        summary="Withdraw a listing from sale",
    )
    def post(self, request: Request, public_id: str) -> Response:
        services.listing_archive(listing=_seller_listing(request, public_id), by=current_user(request))
        return _listing_response(request, public_id)


class SellerListingRestoreApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SellerListingOutput, **errors(409)},
        summary="Bring an archived listing back to your drafts",
    )
    def post(self, request: Request, public_id: str) -> Response:
        lifecycle.listing_restore(listing=_seller_listing(request, public_id), by=current_user(request))
        return _listing_response(request, public_id)
