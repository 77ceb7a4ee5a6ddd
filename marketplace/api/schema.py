"""Response shapes of the API for its OpenAPI schema: listings, orders and payouts, tutoring.

The catalog serves pre-rendered JSON documents (prompts.documents) and the other views build
dictionaries, so these serializers only describe responses; they never render anything.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.api.openapi import MoneyOutput, RatingOutput
from prompts.models import TRIAL_RUNS_MAX, AiClass


class PersonOutput(serializers.Serializer):
    handle = serializers.CharField()
    name = serializers.CharField()


class PreviewSizeOutput(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.CharField(help_text="Absolute, or relative to this site with local storage.")


class GeneratorOutput(serializers.Serializer):
    model = serializers.CharField()


class PreviewOutput(serializers.Serializer):
    id = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    blurhash = serializers.CharField()
    dominant_color = serializers.CharField()
    generated_by_platform = serializers.BooleanField()
    generator = GeneratorOutput(allow_null=True)
    ai_label = serializers.BooleanField()
    ai_class = serializers.ChoiceField(
        choices=AiClass.choices,
        required=False,
        help_text="ai_generated: its own metadata says so (or the platform made it); declared: the "
        "seller says so; suspected: traces suggest it; none. The notice shown beside the image.",
    )
    sizes = PreviewSizeOutput(many=True)


class _ListingDocument(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    language = serializers.CharField()
    target_model = serializers.CharField()
    category = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    price = MoneyOutput()
    is_free = serializers.BooleanField()
    license = serializers.CharField()
    seller = PersonOutput()
    has_platform_previews = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="Path of the listing's detail on this API.")
    rating = RatingOutput()
    trial_runs = serializers.IntegerField(
        min_value=0,
        max_value=TRIAL_RUNS_MAX,
        help_text="Free trial runs the seller offers each signed-in buyer before buying (0: none). "
        "`POST /api/v1/listings/{id}/trials/` asks for one; it answers 503 `trials_unavailable` "
        "where this site has no generator for the listing's model.",
    )


class CardOutput(_ListingDocument):
    excerpt = serializers.CharField()
    cover = PreviewOutput(allow_null=True)


class ListingDetailOutput(_ListingDocument):
    description = serializers.CharField()
    variables = serializers.ListField(child=serializers.CharField())
    example_outputs = serializers.ListField(child=serializers.CharField())
    previews = PreviewOutput(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class SavedListingOutput(CardOutput):
    """A card; only `id` when the listing is no longer on sale (it has no card then)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "id"


class FacetsOutput(serializers.Serializer):
    capped = serializers.BooleanField(help_text="True when only the first matches were counted.")
    total = serializers.IntegerField()
    target_model = serializers.DictField(child=serializers.IntegerField())
    category = serializers.DictField(child=serializers.IntegerField())
    language = serializers.DictField(child=serializers.IntegerField())
    price_currency = serializers.DictField(child=serializers.IntegerField())
    free = serializers.DictField(child=serializers.IntegerField(), help_text='Keys "true" and "false".')


class ShorterSearchOutput(serializers.Serializer):
    q = serializers.CharField(help_text="The search less one word.")
    count = serializers.IntegerField()
    count_is_exact = serializers.BooleanField()


class CatalogPageOutput(serializers.Serializer):
    results = CardOutput(many=True)
    count = serializers.IntegerField(help_text="Listings found: exact up to 1,000, then 1000.")
    count_is_exact = serializers.BooleanField(help_text="False when there are more than `count`.")
    corrected_query = serializers.CharField(
        allow_null=True, help_text="When `q` was corrected for typos: the query the results are for."
    )
    original_query = serializers.CharField(allow_null=True, help_text="With `corrected_query`: `q` as sent.")
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as `cursor` for the next page.")
    next = serializers.CharField(allow_null=True, help_text="Path and query of the next page.")
    previous_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the page before; null on the first page."
    )
    previous = serializers.CharField(allow_null=True, help_text="Path and query of the previous page.")
    fewer_words = ShorterSearchOutput(
        many=True,
        help_text="When a search of 2 to 6 words finds nothing: the search less each word that finds "
        "something, with its count (every word must match). Empty otherwise.",
    )
    facets = FacetsOutput(
        required=False, help_text="With facets=true: counts per model, category, language, currency, free."
    )


# --- orders, library, sales and payouts ---


class OrderLineOutput(serializers.Serializer):
    listing = serializers.CharField()
    list_price = MoneyOutput()
    discount = MoneyOutput(help_text="The bundle's discount and the code's, together.")
    amount = MoneyOutput()
    platform_fee = MoneyOutput()
    seller_amount = MoneyOutput()
    refunded = MoneyOutput()


class OrderOutput(serializers.Serializer):
    id = serializers.CharField()
    listing = serializers.CharField(allow_null=True, help_text="The listing bought; null for a booking.")
    booking = serializers.CharField(allow_null=True, help_text="The booking paid; null for a listing.")
    bundle = serializers.CharField(allow_null=True, help_text="The bundle bought; its listings are in lines.")
    lines = OrderLineOutput(many=True, help_text="A bundle's listings, one line each; empty otherwise.")
    title = serializers.CharField()
    status = serializers.CharField()
    amount = MoneyOutput()
    platform_fee = MoneyOutput()
    seller_amount = MoneyOutput()
    refunded = MoneyOutput()
    list_price = MoneyOutput(help_text="The licence's price before credit and discount.")
    discount = MoneyOutput()
    code = serializers.CharField(allow_null=True, help_text="The discount code applied.")
    licence = serializers.CharField(allow_null=True, help_text="The licence bought; null for a booking.")
    upgrade_from = serializers.CharField(allow_null=True, help_text="Set when the order upgrades a licence.")
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
    licence = serializers.CharField(help_text="personal, commercial or extended.")


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


# --- tutoring ---


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
