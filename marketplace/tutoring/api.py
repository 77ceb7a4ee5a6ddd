"""REST interface for tutoring: sellers' offers and availability, public slots, bookings,
invites (.ics) and tutor reviews.

What needs payments (placing, cancelling, reviewing a booking, which must not be refunded, and
the seller's bookings with their payout) lives in payments.booking_api (tutoring never imports
payments); everything else is here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.core import dates
from marketplace.core.errors import ApplicationError
from marketplace.core.fields import PriceField, StrictIntegerField
from marketplace.core.money import money_json
from marketplace.core.openapi import CURSOR_PARAMETERS, RatingOutput, cursor_page, errors
from marketplace.core.pagination import CursorPage
from marketplace.tutoring import ics, selectors, services
from marketplace.tutoring.api_schema import (
    AvailabilityOutput,
    BookingOutput,
    OfferOutput,
    PublicOfferOutput,
    SlotsOutput,
    TutorReviewOutput,
)
from marketplace.tutoring.models import (
    MAX_DURATION,
    MIN_DURATION,
    Booking,
    BookingStatus,
    TutoringOffer,
    TutorReview,
)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def parse_start(value: Any) -> datetime:
    """An ISO 8601 instant with its offset; a naive or malformed one is a 400."""
    if not isinstance(value, str) or not value.strip():
        raise ApplicationError(
            "invalid", _("start is required."), fields={"start": [_("This field is required.")]}
        )
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ApplicationError(
            "invalid_start",
            _("start must be an ISO 8601 date-time such as 2026-03-09T09:00:00+08:00."),
            fields={"start": [_("Not an ISO 8601 date-time.")]},
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ApplicationError(
            "naive_datetime",
            _("Give the start with its UTC offset, e.g. 2026-03-09T09:00:00+08:00."),
            fields={"start": [_("A time zone offset is required.")]},
        )
    dates.refuse_out_of_range(parsed, field="start")
    return parsed


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


def booking_json(booking: Booking, *, for_user: User) -> dict[str, Any]:
    zone = ZoneInfo(booking.timezone)
    confirmed = booking.status == BookingStatus.CONFIRMED
    return {
        "id": booking.public_id,
        "offer": {"id": booking.offer.public_id, "title": booking.offer.title},
        "role": "seller" if booking.seller_id == for_user.pk else "buyer",
        "buyer": booking.buyer.handle,
        "seller": booking.seller.handle,
        "status": booking.status,
        "starts_at": booking.starts_at.astimezone(UTC),
        "ends_at": booking.ends_at.astimezone(UTC),
        "seller_timezone": booking.timezone,
        "starts_at_seller_local": booking.starts_at.astimezone(zone).isoformat(),
        "hold_expires_at": booking.hold_expires_at if booking.status == BookingStatus.HELD else None,
        "price": money_json(booking.price_amount, booking.price_currency),
        "reschedules_left": max(0, 1 - booking.reschedules),
        "rescheduled_by": booking.rescheduled_by or None,
        "meeting_link": booking.offer.meeting_link if confirmed else "",
        "listing": booking.listing.public_id if booking.listing else None,
        "cancelled_by": booking.cancelled_by or None,
        "buyer_timezone": booking.buyer_timezone or None,
        "invite_url": _invite_url(booking, for_user=for_user),
    }


def _invite_url(booking: Booking, *, for_user: User) -> str | None:
    if booking.scheduled_at is None:  # never confirmed: there is no event to put in a calendar
        return None
    side = "seller" if booking.seller_id == for_user.pk else "me"
    return f"/api/v1/{side}/bookings/{booking.public_id}/ics/"


def review_json(review: TutorReview) -> dict[str, Any]:
    return {
        "id": review.public_id,
        "rating": review.rating,
        "text": review.text,
        "buyer": {"handle": review.buyer.handle, "name": review.buyer.public_name},
        "created_at": review.created_at,
    }


# --- sellers' offers ----------------------------------------------------------------------------------


class OfferInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=35), max_length=10, required=False
    )
    duration_minutes = StrictIntegerField(min_value=MIN_DURATION, max_value=MAX_DURATION)
    price = PriceField()
    buffer_before_minutes = StrictIntegerField(min_value=0, max_value=240, required=False)
    buffer_after_minutes = StrictIntegerField(min_value=0, max_value=240, required=False)
    min_notice_minutes = StrictIntegerField(min_value=0, max_value=60 * 24 * 30, required=False)
    max_days_ahead = StrictIntegerField(min_value=1, max_value=365, required=False)
    meeting_link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    cancel_full_refund_hours = StrictIntegerField(min_value=0, max_value=24 * 30, required=False)
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


class OfferPagination(CursorPage):
    page_size = 50
    ordering = ("-created_at", "-pk")


class SellerOfferListApi(APIView):
    @extend_schema(
        operation_id="v1_seller_tutoring_offers_list",
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("OfferPage", OfferOutput()),
        summary="Your offers",
    )
    def get(self, request: Request) -> Response:
        paginator = OfferPagination()
        page = paginator.paginate_queryset(selectors.offers_for_seller(seller=_user(request)), request, self)
        return paginator.get_paginated_response([offer_json(o) for o in page or []])

    @extend_schema(request=OfferInput, responses={201: OfferOutput}, summary="Publish an offer")
    def post(self, request: Request) -> Response:
        data = OfferInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_create(seller=_user(request), **_offer_fields(data.validated_data))
        return Response(offer_json(offer), status=status.HTTP_201_CREATED)


class SellerOfferDetailApi(APIView):
    @extend_schema(responses=OfferOutput, summary="One of your offers")
    def get(self, request: Request, public_id: str) -> Response:
        return Response(
            offer_json(selectors.offer_get_for_seller(seller=_user(request), public_id=public_id))
        )

    @extend_schema(request=OfferInput, responses=OfferOutput, summary="Change an offer")
    def patch(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_for_seller(seller=_user(request), public_id=public_id)
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
        offer = selectors.offer_get_for_seller(seller=_user(request), public_id=public_id)
        return Response(_availability_json(offer))

    @extend_schema(
        request=AvailabilityInput,
        responses=AvailabilityOutput,
        summary="Replace weekly hours (wall-clock, in the offer's time zone) and date overrides",
    )
    def put(self, request: Request, public_id: str) -> Response:
        offer = selectors.offer_get_for_seller(seller=_user(request), public_id=public_id)
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


class ReviewPagination(CursorPage):
    page_size = 20
    ordering = ("-created_at", "-pk")


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
        paginator = ReviewPagination()
        page = paginator.paginate_queryset(selectors.reviews_for_offer(offer=offer), request, view=self)
        response = paginator.get_paginated_response([review_json(r) for r in page or []])
        response.data["rating"] = selectors.offer_rating(offer=offer)
        return response


def _date_param(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    return dates.parse_date(raw, field=name)


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
        first = _date_param(request, "from", today)
        last = _date_param(request, "to", first + timedelta(days=6))
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


class BookingPagination(CursorPage):
    page_size = 50
    ordering = ("-starts_at", "-pk")


def booking_page(request: Request, view: APIView, rows: Any, extra: Any = None) -> Response:
    """A page of bookings; ``extra(page)`` may add fields per booking (payments adds the payout)."""
    paginator = BookingPagination()
    page: list[Booking] = paginator.paginate_queryset(rows, request, view=view) or []
    added = extra(page) if extra else {}
    user = _user(request)
    return paginator.get_paginated_response(
        [{**booking_json(b, for_user=user), **added.get(b.pk, {})} for b in page]
    )


class MyBookingsApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("BookingPage", BookingOutput()),
        summary="Sessions you booked, latest first",
        operation_id="v1_me_bookings_retrieve",
    )
    def get(self, request: Request) -> Response:
        return booking_page(request, self, selectors.bookings_for_buyer(buyer=_user(request)))


def _invite_response(booking: Booking, user: User) -> HttpResponse:
    if booking.scheduled_at is None:
        raise ApplicationError(
            "no_invite", _("This booking was never confirmed, so it has no invite."), status_code=409
        )
    response = HttpResponse(ics.invite(booking, for_user=user), content_type=ics.content_type(booking))
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(booking)}"'
    response["Cache-Control"] = "private, no-store"
    return response


_ICS: dict[Any, Any] = {
    (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="An .ics invite"),
    **errors(409),
}


class _AnyAccept(BaseContentNegotiation):
    """Calendar apps send Accept: text/calendar. The invite is a plain HttpResponse, and errors
    are the JSON envelope whatever was asked for, instead of a 406."""

    def select_parser(self, request: Any, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class MyBookingInviteApi(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(responses=_ICS, summary="The .ics invite of a session you booked, in your zone")
    def get(self, request: Request, public_id: str) -> HttpResponse:
        user = _user(request)
        return _invite_response(selectors.booking_get_for_buyer(buyer=user, public_id=public_id), user)


class SellerBookingInviteApi(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(responses=_ICS, summary="The .ics invite of a session booked with you, in your zone")
    def get(self, request: Request, public_id: str) -> HttpResponse:
        user = _user(request)
        return _invite_response(selectors.booking_get_for_seller(seller=user, public_id=public_id), user)


class RescheduleInput(serializers.Serializer):
    start = serializers.CharField(help_text="ISO 8601 with offset, one of the offer's slots.")


class BookingRescheduleApi(APIView):
    @extend_schema(
        request=RescheduleInput,
        responses={200: BookingOutput, **errors(409)},
        summary="Move a booking once, within policy",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        booking = selectors.booking_get_for_party(user=user, public_id=public_id)
        start = parse_start(request.data.get("start") if isinstance(request.data, dict) else None)
        booking = services.booking_reschedule(booking=booking, by=user, start=start)
        return Response(booking_json(booking, for_user=user))
