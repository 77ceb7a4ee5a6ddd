from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from marketplace.tutoring.models import Booking, TutoringOffer, TutorReview


@admin.register(TutoringOffer)
class TutoringOfferAdmin(admin.ModelAdmin):
    list_display = ("public_id", "title", "seller", "duration_minutes", "price_amount", "price_currency")
    list_select_related = ("seller",)
    search_fields = ("public_id", "title", "seller__email")
    # A meeting link typed without a scheme is https, as on the tutor's own offer form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through services (payments, cancel, reschedule), never by hand."""

    list_display = ("public_id", "offer", "buyer", "starts_at", "status")
    list_select_related = ("offer", "buyer")
    list_filter = ("status",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TutorReview)
class TutorReviewAdmin(admin.ModelAdmin):
    """Staff may remove an abusive review; writing one is the buyer's, through the API."""

    list_display = ("public_id", "offer", "buyer", "rating", "created_at")
    list_select_related = ("offer", "buyer")
    search_fields = ("public_id", "offer__public_id", "buyer__email")
    readonly_fields = ("booking", "offer", "seller", "buyer", "rating", "text", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
