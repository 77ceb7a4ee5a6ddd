"""REST interface for the tutoring operations that need payments: booking (hold + checkout),
cancel (refund by policy), review (only a session paid for and kept), and the seller's bookings
with their payout.

They live in payments because payments knows what it sells; tutoring never imports payments.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.core.openapi import CURSOR_PARAMETERS, MoneyOutput, cursor_page, errors
from marketplace.tutoring import selectors as tutoring_selectors
from marketplace.tutoring.api import booking_json, booking_page, parse_start, review_json
from marketplace.tutoring.api_schema import BookingOutput, TutorReviewOutput
from marketplace.tutoring.models import REVIEW_TEXT_MAX
from payments import services
from payments.api import idempotency_key
from payments.services import payouts
from payments.services.bookings import booking_review
from prompts.models import Listing


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


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class BookingInput(serializers.Serializer):
    start = serializers.CharField(help_text="ISO 8601 with offset, one of the offer's slots.")
    listing = serializers.CharField(required=False, help_text="A listing you bought, to work on.")
    timezone = serializers.CharField(
        required=False, help_text="Your IANA zone (as in slots' tz): your emails and invite use it."
    )


class BookingCreateApi(APIView):
    @extend_schema(
        request=BookingInput,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key returns the same booking.",
            )
        ],
        responses={
            201: inline_serializer(
                "BookingCheckout",
                {
                    "booking_id": serializers.CharField(),
                    "order_id": serializers.CharField(),
                    "checkout_url": serializers.CharField(help_text="Where to pay to confirm the booking."),
                    "hold_expires_at": serializers.DateTimeField(allow_null=True),
                    "status": serializers.CharField(),
                },
            ),
            **errors(409, 502, 503),
        },
        summary="Hold a slot and get the checkout URL that confirms it",
    )
    def post(self, request: Request, public_id: str) -> Response:
        key = idempotency_key(request)
        offer = tutoring_selectors.offer_get_public(public_id=public_id)
        data = request.data if isinstance(request.data, dict) else {}
        start = parse_start(data.get("start"))
        listing = None
        if data.get("listing"):
            listing = Listing.objects.filter(public_id=str(data["listing"])[:16]).first()
            if listing is None:
                raise ApplicationError(
                    "listing_not_owned", _("No such listing."), fields={"listing": [_("Unknown listing.")]}
                )
        result = services.booking_place(
            buyer=_user(request),
            offer=offer,
            start=start,
            listing=listing,
            idempotency_key=key,
            buyer_timezone=str(data.get("timezone") or "")[:64],
        )
        assert result.order is not None and result.order.booking is not None
        booking = result.order.booking
        booking.refresh_from_db()
        return Response(
            {
                "booking_id": booking.public_id,
                "order_id": result.order.public_id,
                "checkout_url": result.checkout_url,
                "hold_expires_at": booking.hold_expires_at,
                "status": booking.status,
            },
            status=status.HTTP_201_CREATED,
        )


class BookingCancelApi(APIView):
    @extend_schema(
        request=None,
        responses={200: CANCELLED_BOOKING, **errors(409)},
        summary="Cancel a booking: the refund follows the offer's policy (the seller always refunds)",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        booking = tutoring_selectors.booking_get_for_party(user=user, public_id=public_id)
        refund = services.booking_cancel(booking=booking, by=user)
        booking.refresh_from_db()
        body = booking_json(booking, for_user=user)
        body["refund"] = None if refund is None else {"status": refund.status, "amount": refund.amount}
        return Response(body)


class RatingField(serializers.IntegerField):
    """A JSON integer from 1 to 5: never "5", 4.5 or true (as for listing reviews)."""

    default_error_messages = {"invalid": "Rate with a whole number from 1 to 5."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class TutorReviewInput(serializers.Serializer):
    rating = RatingField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=REVIEW_TEXT_MAX, required=False, allow_blank=True, default="")


class BookingReviewApi(APIView):
    @extend_schema(
        request=TutorReviewInput,
        responses={201: TutorReviewOutput, **errors(409)},
        summary="Rate the tutor of a session you had (once, after it ended)",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
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
        rows = tutoring_selectors.bookings_for_seller(seller=_user(request))
        return booking_page(request, self, rows, extra=payouts.booking_payouts_json)
