"""REST interface for bookings: placing one (hold + checkout), cancelling (refund by policy),
rescheduling, reviewing a session paid for and kept, the buyer's and the seller's bookings (with
the payout) and their .ics invites."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.fields import empty
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.api.fields import RatingField
from marketplace.api.openapi import (
    CURSOR_PARAMETERS,
    MoneyOutput,
    cursor_page,
    errors,
    idempotency_key_parameter,
)
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user, idempotency_key
from marketplace.api.schema import BookingOutput, TutorReviewOutput
from marketplace.api.tutoring import review_json
from marketplace.core.errors import ApplicationError
from marketplace.core.money import money_json
from marketplace.tutoring import ics
from marketplace.tutoring import selectors as tutoring_selectors
from marketplace.tutoring import services as tutoring_services
from marketplace.tutoring.models import REVIEW_TEXT_MAX, Booking, BookingStatus
from marketplace.tutoring.parsing import parse_start
from marketplace.tutoring.policy import booking_terms
from payments import services
from payments.services import payouts
from payments.services.bookings import booking_review
from prompts.models import Listing


def booking_json(booking: Booking, *, for_user: User) -> dict[str, Any]:
    zone = ZoneInfo(booking.timezone)
    confirmed = booking.status == BookingStatus.CONFIRMED
    terms = booking_terms(booking=booking, user=for_user, now=timezone.now())
    return {
        "id": booking.public_id,
        "offer": {"id": booking.offer.public_id, "title": booking.offer.title},
        "role": terms.role,
        "buyer": booking.buyer.handle,
        "seller": booking.seller.handle,
        "status": booking.status,
        "starts_at": booking.starts_at.astimezone(UTC),
        "ends_at": booking.ends_at.astimezone(UTC),
        "seller_timezone": booking.timezone,
        "starts_at_seller_local": booking.starts_at.astimezone(zone).isoformat(),
        "hold_expires_at": booking.hold_expires_at if booking.status == BookingStatus.HELD else None,
        "price": money_json(booking.price_amount, booking.price_currency),
        "reschedules_left": terms.reschedules_left,
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


class _RefundOutput(serializers.Serializer):
    status = serializers.CharField()
    amount = serializers.IntegerField(help_text="Minor units.")


class _PayoutOutput(serializers.Serializer):
    status = serializers.CharField()
    amount = MoneyOutput()
    due_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)


CANCELLED_BOOKING = inline_serializer(
    "CancelledBooking", {**BookingOutput().get_fields(), "refund": _RefundOutput(allow_null=True)}
)
SELLER_BOOKING = inline_serializer(
    "SellerBooking", {**BookingOutput().get_fields(), "payout": _PayoutOutput(allow_null=True)}
)


@extend_schema_field(OpenApiTypes.STR)
class StartField(serializers.Field):
    """A session's start: ISO 8601 with its offset, refused with parse_start's envelope codes
    (invalid, invalid_start, naive_datetime, invalid_date) whatever the interface."""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is empty or data is None:
            parse_start(None)  # raises "start is required."
        return False, data

    def to_internal_value(self, data: Any) -> datetime:
        return parse_start(data)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class _Body(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        # A body that is not an object reads as an empty one: "start is required." says what to send.
        return super().to_internal_value(data if isinstance(data, Mapping) else {})


class BookingCreateApi(APIView):
    class InputSerializer(_Body):
        class Meta:
            ref_name = "BookingInput"

        start = StartField(help_text="ISO 8601 with offset, one of the offer's slots.")
        listing = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, help_text="A listing you bought, to work on."
        )
        timezone = serializers.CharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Your IANA zone (as in slots' tz): your emails and invite use it.",
        )
        code = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=60, help_text="A tutor's discount code."
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BookingCheckout"

        booking_id = serializers.CharField()
        order_id = serializers.CharField()
        checkout_url = serializers.CharField(help_text="Where to pay to confirm the booking.")
        hold_expires_at = serializers.DateTimeField(allow_null=True)
        status = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        parameters=[idempotency_key_parameter("booking")],
        responses={201: OutputSerializer, **errors(409, 502, 503)},
        summary="Hold a slot and get the checkout URL that confirms it",
    )
    def post(self, request: Request, public_id: str) -> Response:
        key = idempotency_key(request)
        offer = tutoring_selectors.offer_get_public(public_id=public_id)
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = services.booking_place(
            buyer=current_user(request),
            offer=offer,
            start=data["start"],
            listing=_bought_listing(data.get("listing")),
            idempotency_key=key,
            buyer_timezone=(data.get("timezone") or "")[:64],
            code=data.get("code", "").strip(),
        )
        assert result.order is not None and result.order.booking is not None
        booking = result.order.booking
        booking.refresh_from_db()
        output = {
            "booking_id": booking.public_id,
            "order_id": result.order.public_id,
            "checkout_url": result.checkout_url,
            "hold_expires_at": booking.hold_expires_at,
            "status": booking.status,
        }
        return Response(self.OutputSerializer(output).data, status=status.HTTP_201_CREATED)


def _bought_listing(public_id: str | None) -> Listing | None:
    if not public_id:
        return None
    listing = Listing.objects.filter(public_id=public_id[:16]).first()
    if listing is None:
        raise ApplicationError(
            "listing_not_owned", _("No such listing."), fields={"listing": [_("Unknown listing.")]}
        )
    return listing


class BookingCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={200: CANCELLED_BOOKING, **errors(409)},
        summary="Cancel a booking: the refund follows the offer's policy (the seller always refunds)",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = current_user(request)
        booking = tutoring_selectors.booking_get_for_party(user=user, public_id=public_id)
        refund = services.booking_cancel(booking=booking, by=user)
        booking.refresh_from_db()
        body = booking_json(booking, for_user=user)
        body["refund"] = None if refund is None else {"status": refund.status, "amount": refund.amount}
        return Response(body)


class TutorReviewInput(serializers.Serializer):
    rating = RatingField()
    text = serializers.CharField(max_length=REVIEW_TEXT_MAX, required=False, allow_blank=True, default="")


class BookingReviewApi(APIView):
    @extend_schema(
        request=TutorReviewInput,
        responses={201: TutorReviewOutput, **errors(409)},
        summary="Rate the tutor of a session you had (once, after it ended)",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = current_user(request)
        booking = tutoring_selectors.booking_get_for_buyer(buyer=user, public_id=public_id)
        data = TutorReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = booking_review(
            booking=booking, by=user, rating=data.validated_data["rating"], text=data.validated_data["text"]
        )
        return Response(review_json(review), status=status.HTTP_201_CREATED)


class SellerBookingsApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("SellerBookingPage", SELLER_BOOKING),
        summary="Sessions booked with you, latest first, with their payout",
        operation_id="v1_seller_bookings_retrieve",
    )
    def get(self, request: Request) -> Response:
        rows = tutoring_selectors.bookings_for_seller(seller=current_user(request))
        return booking_page(request, rows, extra=payouts.booking_payouts_json)


def booking_page(request: Request, rows: Any, extra: Any = None) -> Response:
    """A page of bookings; ``extra(page)`` may add fields per booking (payments adds the payout)."""
    user = current_user(request)

    def render(page: list[Booking]) -> list[dict[str, Any]]:
        added = extra(page) if extra else {}
        return [{**booking_json(b, for_user=user), **added.get(b.pk, {})} for b in page]

    return cursor_page_response(request, rows, render, ordering=("-starts_at", "-pk"), page_size=50)


class MyBookingsApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page("BookingPage", BookingOutput()),
        summary="Sessions you booked, latest first",
        operation_id="v1_me_bookings_retrieve",
    )
    def get(self, request: Request) -> Response:
        return booking_page(request, tutoring_selectors.bookings_for_buyer(buyer=current_user(request)))


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
        user = current_user(request)
        return _invite_response(
            tutoring_selectors.booking_get_for_buyer(buyer=user, public_id=public_id), user
        )


class SellerBookingInviteApi(APIView):
    content_negotiation_class = _AnyAccept

    @extend_schema(responses=_ICS, summary="The .ics invite of a session booked with you, in your zone")
    def get(self, request: Request, public_id: str) -> HttpResponse:
        user = current_user(request)
        return _invite_response(
            tutoring_selectors.booking_get_for_seller(seller=user, public_id=public_id), user
        )


class BookingRescheduleApi(APIView):
    class InputSerializer(_Body):
        class Meta:
            ref_name = "RescheduleInput"

        start = StartField(help_text="ISO 8601 with offset, one of the offer's slots.")

    @extend_schema(
        request=InputSerializer,
        responses={200: BookingOutput, **errors(409)},
        summary="Move a booking once, within policy",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = current_user(request)
        booking = tutoring_selectors.booking_get_for_party(user=user, public_id=public_id)
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        start = body.validated_data["start"]
        booking = tutoring_services.booking_reschedule(booking=booking, by=user, start=start)
        return Response(booking_json(booking, for_user=user))
