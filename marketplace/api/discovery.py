"""REST interface for discovery: reviews, favourites, related and trending listings, seller profiles."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.catalog import CATALOG_PAGE, CATALOG_PARAMETERS, catalog_page_body
from marketplace.api.fields import RatingField
from marketplace.api.openapi import OPTIONAL_TOKEN, RatingOutput, cursor_page, errors, sized_page_parameters
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user
from marketplace.api.schema import CardOutput, PersonOutput, SavedListingOutput
from marketplace.core.errors import ApplicationError
from payments.selectors import has_unlocked
from prompts import discovery, selectors
from prompts.catalog_query import MAX_PAGE_SIZE
from prompts.documents import rating_json
from prompts.models import REVIEW_TEXT_MAX, Review


def _card(card_json: str, public_id: str) -> Any:
    return orjson.loads(card_json) if card_json else {"id": public_id}


PAGE_PARAMETERS = sized_page_parameters(default=20, most=MAX_PAGE_SIZE)


# --- Related and trending ------------------------------------------------------------------------


class RelatedListingsApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=inline_serializer("RelatedListings", {"results": CardOutput(many=True)}),
        summary=f"Up to {discovery.RELATED_LIMIT} published listings like this one (shared tags first)",
        operation_id="listing_related",
    )
    def get(self, request: Request, public_id: str) -> HttpResponse:
        cards = discovery.related_listings(public_id=public_id)
        body = {"results": [orjson.Fragment(card) for card in cards]}
        return HttpResponse(orjson.dumps(body), content_type="application/json")


class TrendingApi(APIView):
    """The catalog's `popular` sort: published listings by trending score, with the catalog's filters."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[p for p in CATALOG_PARAMETERS if p.name != "sort"],
        responses=CATALOG_PAGE,
        summary="Trending listings: recent unlocks, favourites and views, decayed by age",
        operation_id="trending_list",
    )
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params.copy()
        params["sort"] = "popular"
        _, body = catalog_page_body(request, params)
        return HttpResponse(orjson.dumps(body), content_type="application/json")


# --- Reviews -------------------------------------------------------------------------------------


class ReviewInput(serializers.Serializer):
    rating = RatingField()
    text = serializers.CharField(max_length=REVIEW_TEXT_MAX, required=False, allow_blank=True, default="")


class ReplyInput(serializers.Serializer):
    text = serializers.CharField(max_length=REVIEW_TEXT_MAX)


class ReplyOutput(serializers.Serializer):
    text = serializers.CharField()
    replied_at = serializers.DateTimeField()


class ReviewOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    rating = serializers.IntegerField()
    text = serializers.CharField()
    buyer = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonOutput)
    def get_buyer(self, review: Review) -> dict[str, str]:
        return {"handle": review.buyer.handle, "name": review.buyer.public_name}

    @extend_schema_field(ReplyOutput(allow_null=True))
    def get_reply(self, review: Review) -> dict[str, Any] | None:
        if review.replied_at is None:
            return None
        return {"text": review.seller_reply, "replied_at": review.replied_at}


class _ReadOpenWriteAuthenticated(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS") or IsAuthenticated().has_permission(request, view)


class ListingReviewsApi(APIView):
    permission_classes = (_ReadOpenWriteAuthenticated,)

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=cursor_page("ReviewPage", ReviewOutput(), rating=RatingOutput()),
        auth=OPTIONAL_TOKEN,
        summary="Reviews of a listing, newest first, with its average rating",
        operation_id="listing_reviews_list",
    )
    def get(self, request: Request, public_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        response = cursor_page_response(
            request,
            discovery.reviews_for_listing(listing=listing),
            lambda page: ReviewOutput(page, many=True).data,
            ordering=("-created_at", "-pk"),
            page_size=20,
            max_page_size=MAX_PAGE_SIZE,
        )
        response.data["rating"] = rating_json(listing.rating_sum, listing.rating_count)
        return response

    @extend_schema(
        request=ReviewInput,
        responses={201: ReviewOutput, **errors(403, 409)},
        summary="Rate a listing you unlocked (once), with an optional text",
        operation_id="listing_reviews_create",
    )
    def post(self, request: Request, public_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        if not has_unlocked(user=request.user, listing=listing):
            raise ApplicationError(
                "not_unlocked",
                gettext("Only buyers who unlocked this listing can review it."),
                status_code=status.HTTP_403_FORBIDDEN,
            )
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = discovery.review_create(listing=listing, buyer=current_user(request), **data.validated_data)
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class ReviewReplyApi(APIView):
    @extend_schema(
        request=ReplyInput,
        responses={200: ReviewOutput, **errors(403, 409)},
        summary="Reply to a review of your listing (once)",
        operation_id="listing_review_reply",
    )
    def post(self, request: Request, public_id: str, review_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        review = discovery.review_get(listing=listing, public_id=review_id)
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = discovery.review_reply(
            review=review, by=current_user(request), text=data.validated_data["text"]
        )
        return Response(ReviewOutput(review).data)


# --- Sellers --------------------------------------------------------------------------------------


class SellerProfileApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=inline_serializer(
            "SellerProfile",
            {
                "handle": serializers.CharField(),
                "name": serializers.CharField(),
                "bio": serializers.CharField(),
                "rating": RatingOutput(),
                "listing_count": serializers.IntegerField(),
                "sales_count": serializers.IntegerField(),
                "listings_url": serializers.CharField(),
            },
        ),
        summary="A seller's public profile: rating across their listings, listings and sales",
        operation_id="seller_profile",
    )
    def get(self, request: Request, handle: str) -> Response:
        return Response(discovery.seller_rating(handle=handle))


# --- Favourites -----------------------------------------------------------------------------------


class FavouriteInput(serializers.Serializer):
    listing = serializers.RegexField(
        r"^[A-Za-z0-9_-]{1,16}$",
        help_text="The listing's id.",
        error_messages={"invalid": "Not a listing id."},
    )


FavouriteOutput = inline_serializer(
    "Favourite", {"listing": SavedListingOutput(), "saved_at": serializers.DateTimeField()}
)


def _favourite_json(card_json: str, public_id: str, saved_at: Any) -> dict[str, Any]:
    return {"listing": _card(card_json, public_id), "saved_at": saved_at}


class FavouritesApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=cursor_page("FavouritePage", FavouriteOutput),
        summary="Listings you saved, newest first",
        operation_id="favourites_list",
    )
    def get(self, request: Request) -> Response:
        return cursor_page_response(
            request,
            discovery.favourites_for(buyer=current_user(request)),
            lambda rows: [
                _favourite_json(row["listing__card_json"], row["listing__public_id"], row["created_at"])
                for row in rows
            ],
            ordering=("-created_at", "-pk"),
            page_size=20,
            max_page_size=MAX_PAGE_SIZE,
        )

    @extend_schema(
        request=FavouriteInput,
        responses={201: FavouriteOutput, 200: FavouriteOutput, **errors(404, 409)},
        summary="Save a listing: 201 when newly saved, 200 when it already was",
        operation_id="favourites_add",
    )
    def post(self, request: Request) -> Response:
        data = FavouriteInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = selectors.listing_get_visible(public_id=data.validated_data["listing"], user=request.user)
        favourite, created = discovery.favourite_add(buyer=current_user(request), listing=listing)
        body = _favourite_json(listing.card_json, listing.public_id, favourite.created_at)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class FavouriteDetailApi(APIView):
    @extend_schema(
        responses={204: None},
        summary="Unsave a listing (saved or not: 204)",
        operation_id="favourites_remove",
    )
    def delete(self, request: Request, listing_id: str) -> Response:
        discovery.favourite_remove(buyer=current_user(request), listing_public_id=listing_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
