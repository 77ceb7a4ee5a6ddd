"""Bundles: a seller's published listings sold together at a discount."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from prompts.models.listings import Listing, new_public_id

BUNDLE_ITEMS_MIN = 2
BUNDLE_ITEMS_MAX = 20
BUNDLE_PERCENT_MIN = 1
BUNDLE_PERCENT_MAX = 90


class BundleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("bundle", "Draft")
    PUBLISHED = "published", pgettext_lazy("bundle", "Published")
    ARCHIVED = "archived", pgettext_lazy("bundle", "Archived")


class Bundle(models.Model):
    """Listings of one seller, all in one currency, sold in one checkout ``discount_percent`` off.

    What a buyer pays is priced in payments (services.bundles); this is the grouping and its page.
    """

    public_id = models.CharField(max_length=16, default=new_public_id, editable=False)
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bundles")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=5000, blank=True)
    discount_percent = models.PositiveSmallIntegerField()
    # Every member listing is priced in it (prompts.bundles checks on every change and on publishing).
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=BundleStatus.choices, default=BundleStatus.DRAFT)
    listings = models.ManyToManyField(Listing, through="BundleItem", related_name="bundles")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "bundle")
        verbose_name_plural = pgettext_lazy("model", "bundles")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="bundle_public_id_unique"),
            models.CheckConstraint(
                condition=Q(
                    discount_percent__gte=BUNDLE_PERCENT_MIN, discount_percent__lte=BUNDLE_PERCENT_MAX
                ),
                name="bundle_percent_1_to_90",
            ),
            models.CheckConstraint(condition=Q(status__in=BundleStatus.values), name="bundle_status_valid"),
        ]
        indexes = [models.Index(fields=["seller", "status"], name="bundle_seller_status")]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bundle_items")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["bundle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "listing"], name="bundle_item_listing_once"),
            models.UniqueConstraint(fields=["bundle", "position"], name="bundle_item_position_once"),
        ]

    def __str__(self) -> str:
        return f"listing {self.listing_id} in bundle {self.bundle_id}"
