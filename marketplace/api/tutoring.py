"""REST interface for tutoring offers: sellers' offers and availability, public offers, their
free slots and their tutor reviews."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.fields import PriceField, StrictIntegerField
from marketplace.api.openapi import CURSOR_PARAMETERS, RatingOutput, cursor_page
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user, date_param
from marketplace.api.schema import (
    AvailabilityOutput,
    OfferOutput,
    PublicOfferOutput,
    SlotsOutput,
    TutorReviewOutput,
)
from marketplace.core import dates
from marketplace.core.errors import ApplicationError
from marketplace.core.money import money_json
from marketplace.tutoring import selectors, services
from marketplace.tutoring.models import OFFER_BOUNDS, TutoringOffer, TutorReview


def offer_json(offer: TutoringOffer) -> dict[str, Any]:
    return {
        "id": offer.public_id,
        "seller": offer.seller.handle,
        "title": offer.title,
        "description": offer.description,
        "languages": offer.languages,
        "duration_minutes": offer.duration_minutes,
        "price": money_json(offer.price_amount, offer.price_currency),
        "buffer_before_minutes": offer.buffer_before_minutes,
        "buffer_after_minutes": offer.buffer_after_minutes,
        "min_notice_minutes": offer.min_notice_minutes,
        "max_days_ahead": offer.max_days_ahead,
        "cancel_full_refund_hours": offer.cancel_full_refund_hours,
        "timezone": offer.timezone,
        "is_active": offer.is_active,
    }


def review_json(review: TutorReview) -> dict[str, Any]:
    return {
        "id": review.public_id,
        "rating": review.rating,
        "text": review.text,
        "buyer": {"handle": review.buyer.handle, "name": review.buyer.public_name},
        "created_at": review.created_at,
    }


# --- sellers' offers ----------------------------------------------------------------------------------


def _bounded(name: str, **kwargs: Any) -> StrictIntegerField:
    low, high = OFFER_BOUNDS[name]
    return StrictIntegerField(min_value=low, max_value=high, **kwargs)


class OfferInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=35), max_length=10, required=False
    )
    duration_minutes = _bounded("duration_minutes")
    price = PriceField()
    buffer_before_minutes = _bounded("buffer_before_minutes", required=False)
    buffer_after_minutes = _bounded("buffer_after_minutes", required=False)
    min_notice_minutes = _bounded("min_notice_minutes", required=False)
    max_days_ahead = _bounded("max_days_ahead", required=False)
    meeting_link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    cancel_full_refund_hours = _bounded("cancel_full_refund_hours", required=False)
    timezone = serializers.CharField(max_length=64, help_text="IANA, e.g. Asia/Shanghai.")
    is_active = serializers.BooleanField(required=False)


def _offer_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    price = fields.pop("price", None) or {}
    # A PATCH may change the amount or the currency alone; the service validates the pair.
    if "amount" in price:
        fields["price_amount"] = price["amount"]
    if "currency" in price:
        fields["price_currency"] = price["currency"]
    return fields


class SellerOfferListApi(APIView):
    @extend_schema(
        operation_id="v1_seller_tutoring_offers_list",
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("OfferPage", OfferOutput()),
        summary="Your offers",
    )
    def get(self, request: Request) -> Response:
        return cursor_page_response(
            request,
            selectors.offers_for_seller(seller=current_user(request)),
            lambda page: [offer_json(o) for o in page],
            ordering=("-created_at", "-pk"),
            page_size=50,
        )

    @extend_schema(request=OfferInput, responses={201: OfferOutput}, summary="Publish an offer")
    def post(self, request: Request) -> Response:
        data = OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_create(seller=current_user(request), **_offer_fields(data.validated_data))
        return Response(offer_json(offer), status=status.HTTP_201_CREATED)


class SellerOfferDetailApi(APIView):
    @extend_schema(responses=OfferOutput, summary="One of your offers")
    def get(self, request: Request, public_id: str) -> Response:
        return Response(
            offer_json(selectors.offer_get_for_seller(seller=current_user(request), public_id=public_id))
        )

    @extend_schema(request=OfferInput, responses=OfferOutput, summary="Change an offer")
    def patch(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_for_seller(seller=current_user(request), public_id=public_id)
        data = OfferInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        offer = services.offer_update(offer=offer, fields=_offer_fields(data.validated_data))
        return Response(offer_json(offer))


class RuleInput(serializers.Serializer):
    weekday = StrictIntegerField(min_value=0, max_value=6, help_text="0 = Monday.")
    start = serializers.TimeField()
    end = serializers.TimeField()


class OverrideInput(serializers.Serializer):
    date = serializers.DateField(validators=[dates.validate_in_range])
    start = serializers.TimeField(required=False, allow_null=True)
    end = serializers.TimeField(required=False, allow_null=True)
    blackout = serializers.BooleanField(default=False)


class AvailabilityInput(serializers.Serializer):
    weekly = serializers.ListField(child=RuleInput(), max_length=70)
    overrides = serializers.ListField(child=OverrideInput(), required=False, max_length=400)


def _availability_json(offer: TutoringOffer) -> dict[str, Any]:
    return {
        "timezone": offer.timezone,
        "weekly": [
            {
                "weekday": r.weekday,
                "start": r.start_time.isoformat("minutes"),
                "end": r.end_time.isoformat("minutes"),
            }
            for r in offer.weekly.all()
        ],
        "overrides": [
            {
                "date": o.date,
                "start": o.start_time.isoformat("minutes") if o.start_time else None,
                "end": o.end_time.isoformat("minutes") if o.end_time else None,
                "blackout": o.blackout,
            }
            for o in offer.overrides.all()
        ],
    }


class SellerOfferAvailabilityApi(APIView):
    @extend_schema(responses=AvailabilityOutput, summary="An offer's weekly hours and date overrides")
    def get(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_for_seller(seller=current_user(request), public_id=public_id)
        return Response(_availability_json(offer))

    @extend_schema(
        request=AvailabilityInput,
        responses=AvailabilityOutput,
        summary="Replace weekly hours (wall-clock, in the offer's time zone) and date overrides",
    )
    def put(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_for_seller(seller=current_user(request), public_id=public_id)
        data = AvailabilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.availability_set(
            offer=offer,
            weekly=[services.Rule(r["weekday"], r["start"], r["end"]) for r in data.validated_data["weekly"]],
            overrides=[
                services.Override(o["date"], o.get("start"), o.get("end"), o["blackout"])
                for o in data.validated_data.get("overrides", [])
            ],
        )
        return Response(_availability_json(offer))


# --- public: offers and slots ------------------------------------------------------------------------


class OfferDetailApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(responses=PublicOfferOutput, summary="A tutoring offer, with its tutor rating")
    def get(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_public(public_id=public_id)
        return Response({**offer_json(offer), "rating": selectors.offer_rating(offer=offer)})


class OfferReviewsApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("TutorReviewPage", TutorReviewOutput(), rating=RatingOutput()),
        summary="Reviews of an offer's sessions, newest first",
        operation_id="v1_tutoring_offers_reviews_retrieve",
    )
    def get(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_public(public_id=public_id)
        response = cursor_page_response(
            request,
            selectors.reviews_for_offer(offer=offer),
            lambda page: [review_json(r) for r in page],
            ordering=("-created_at", "-pk"),
            page_size=20,
        )
        response.data["rating"] = selectors.offer_rating(offer=offer)
        return response


class OfferSlotsApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day, in the buyer's zone."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive); at most 31 days."),
            OpenApiParameter("tz", str, description="The buyer's IANA zone; default the tutor's."),
        ],
        responses=SlotsOutput,
        summary="Bookable start times, in the buyer's time zone",
    )
    def get(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_public(public_id=public_id)
        zone = services.tz_check(request.query_params.get("tz") or offer.timezone)
        today = datetime.now(zone).date()
        first = date_param(request, "from", today)
        last = date_param(request, "to", first + timedelta(days=6))
        days = (last - first).days + 1
        if days < 1 or days > selectors.MAX_SLOT_DAYS:
            raise ApplicationError(
                "invalid_range",
                _("to must be on or after from, and at most %(days)s days in all.")
                % {"days": selectors.MAX_SLOT_DAYS},
                fields={"to": [_("1 to %(days)s days.") % {"days": selectors.MAX_SLOT_DAYS}]},
            )
        start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        length = timedelta(minutes=offer.duration_minutes)
        found = selectors.slots_between(offer=offer, start=start, end=end)
        return Response(
            {
                "offer": offer.public_id,
                "timezone": zone.key,
                "duration_minutes": offer.duration_minutes,
                "slots": [
                    {
                        "start": s.astimezone(zone).isoformat(),
                        "end": (s + length).astimezone(zone).isoformat(),
                    }
                    for s in found
                ],
            }
        )


# --- bookings ------------------------------------------------------------------------------------------
