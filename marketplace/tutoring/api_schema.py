"""Response shapes of the tutoring API for its OpenAPI schema (payments' booking views reuse them)."""

from __future__ import annotations

from rest_framework import serializers

from marketplace.core.openapi import MoneyOutput, RatingOutput


class OfferOutput(serializers.Serializer):
    id = serializers.CharField()
    seller = serializers.CharField(help_text="The tutor's handle.")
    title = serializers.CharField()
    description = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    duration_minutes = serializers.IntegerField()
    price = MoneyOutput()
    buffer_before_minutes = serializers.IntegerField()
    buffer_after_minutes = serializers.IntegerField()
    min_notice_minutes = serializers.IntegerField()
    max_days_ahead = serializers.IntegerField()
    cancel_full_refund_hours = serializers.IntegerField()
    timezone = serializers.CharField()
    is_active = serializers.BooleanField()


class PublicOfferOutput(OfferOutput):
    rating = RatingOutput()


class WeeklyHoursOutput(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    start = serializers.CharField(help_text="HH:MM, in the offer's time zone.")
    end = serializers.CharField()


class DateOverrideOutput(serializers.Serializer):
    date = serializers.DateField()
    start = serializers.CharField(allow_null=True)
    end = serializers.CharField(allow_null=True)
    blackout = serializers.BooleanField()


class AvailabilityOutput(serializers.Serializer):
    timezone = serializers.CharField()
    weekly = WeeklyHoursOutput(many=True)
    overrides = DateOverrideOutput(many=True)


class SlotOutput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class SlotsOutput(serializers.Serializer):
    offer = serializers.CharField()
    timezone = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    slots = SlotOutput(many=True)


class OfferRefOutput(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()


class BookingOutput(serializers.Serializer):
    id = serializers.CharField()
    offer = OfferRefOutput()
    role = serializers.ChoiceField(choices=["buyer", "seller"])
    buyer = serializers.CharField()
    seller = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    seller_timezone = serializers.CharField()
    starts_at_seller_local = serializers.DateTimeField()
    hold_expires_at = serializers.DateTimeField(allow_null=True)
    price = MoneyOutput()
    reschedules_left = serializers.IntegerField()
    rescheduled_by = serializers.CharField(allow_null=True)
    meeting_link = serializers.CharField(help_text="Empty until the booking is confirmed.")
    listing = serializers.CharField(allow_null=True)
    cancelled_by = serializers.CharField(allow_null=True)
    buyer_timezone = serializers.CharField(allow_null=True)
    invite_url = serializers.CharField(allow_null=True, help_text="Path of the .ics invite, once confirmed.")


class TutorReviewOutput(serializers.Serializer):
    id = serializers.CharField()
    rating = serializers.IntegerField()
    text = serializers.CharField()
    buyer = serializers.DictField(child=serializers.CharField(), help_text="handle and name.")
    created_at = serializers.DateTimeField()
