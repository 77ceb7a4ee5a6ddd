"""Response shapes of the buying, library, sales and payout API for its OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from marketplace.core.openapi import MoneyOutput
from prompts.api_schema import SavedListingOutput


class OrderOutput(serializers.Serializer):
    id = serializers.CharField()
    listing = serializers.CharField(allow_null=True, help_text="The listing bought; null for a booking.")
    booking = serializers.CharField(allow_null=True, help_text="The booking paid; null for a listing.")
    title = serializers.CharField()
    status = serializers.CharField()
    amount = MoneyOutput()
    platform_fee = MoneyOutput()
    seller_amount = MoneyOutput()
    refunded = MoneyOutput()
    checkout_url = serializers.CharField(allow_null=True, help_text="While pending: where to pay.")
    failure_reason = serializers.CharField()
    disputed = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


class RefundOutput(serializers.Serializer):
    status = serializers.CharField()
    amount = serializers.IntegerField(help_text="Minor units.")
    message = serializers.CharField(required=False, help_text="Only while the refund is pending.")


class RefundedOrderOutput(OrderOutput):
    refund = RefundOutput()


class CheckoutOutput(serializers.Serializer):
    order_id = serializers.CharField(allow_null=True, help_text="Null when a free listing unlocked at once.")
    checkout_url = serializers.CharField(allow_null=True, help_text="Where to pay; null when unlocked.")
    unlocked = serializers.BooleanField()


class LibraryItemOutput(serializers.Serializer):
    listing = SavedListingOutput()
    unlocked_at = serializers.DateTimeField()
    prompt_version = serializers.IntegerField(allow_null=True)
    prompt_url = serializers.CharField(help_text="Path of the prompt on this API.")
    order = serializers.CharField(allow_null=True, help_text="Null for a free unlock.")


class SalesTotalOutput(serializers.Serializer):
    currency = serializers.CharField()
    sales = serializers.IntegerField()
    gross = MoneyOutput()
    platform_fees = MoneyOutput()
    refunds = MoneyOutput()
    net = MoneyOutput()
    held = MoneyOutput()


class PayoutAccountOutput(serializers.Serializer):
    id = serializers.CharField()
    charges_enabled = serializers.BooleanField()
    payouts_enabled = serializers.BooleanField()
    details_submitted = serializers.BooleanField()


class PayoutsOutput(serializers.Serializer):
    can_accept_payments = serializers.BooleanField()
    account = PayoutAccountOutput(allow_null=True, help_text="Null before onboarding starts.")


class OnboardingOutput(PayoutsOutput):
    url = serializers.CharField(help_text="Follow it to continue onboarding with the payment provider.")
