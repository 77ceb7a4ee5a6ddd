"""Discovery: reviews, favourites and the activity behind trending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from prompts.models.listings import Listing, new_public_id

REVIEW_TEXT_MAX = 2000


class Review(models.Model):
    """A buyer's rating of a listing they unlocked: one per buyer and listing, one seller reply."""

    public_id = models.CharField(
        pgettext_lazy("field", "public id"), max_length=16, unique=True, default=new_public_id, editable=False
    )
    listing = models.ForeignKey(
        Listing,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=pgettext_lazy("field", "listing"),
    )
    # PROTECT: the listing's rating_count and rating_sum include this row.
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=pgettext_lazy("field", "buyer"),
    )
    rating = models.PositiveSmallIntegerField(pgettext_lazy("field", "rating"))
    text = models.TextField(pgettext_lazy("field", "text"), max_length=REVIEW_TEXT_MAX, blank=True)
    seller_reply = models.TextField(
        pgettext_lazy("field", "seller's reply"), max_length=REVIEW_TEXT_MAX, blank=True
    )
    replied_at = models.DateTimeField(pgettext_lazy("field", "replied at"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("field", "created at"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "review")
        verbose_name_plural = pgettext_lazy("model", "reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "buyer"], name="review_one_per_buyer"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True, seller_reply="")
                | (Q(replied_at__isnull=False) & ~Q(seller_reply="")),
                name="review_reply_has_date",
            ),
        ]
        indexes = [models.Index(fields=["listing", "-created_at", "-id"], name="review_listing_recent")]

    def __str__(self) -> str:
        return f"{self.rating}/5 on listing {self.listing_id} by {self.buyer_id}"


class Favourite(models.Model):
    """A listing a buyer saved for later."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="favourites",
        verbose_name=pgettext_lazy("field", "buyer"),
    )
    listing = models.ForeignKey(
        Listing,
        on_delete=models.CASCADE,
        related_name="favourites",
        verbose_name=pgettext_lazy("field", "listing"),
    )
    created_at = models.DateTimeField(pgettext_lazy("field", "created at"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "favourite")
        verbose_name_plural = pgettext_lazy("model", "favourites")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "listing"], name="favourite_one_per_buyer"),
        ]
        indexes = [models.Index(fields=["buyer", "-created_at", "-id"], name="favourite_buyer_recent")]

    def __str__(self) -> str:
        return f"listing {self.listing_id} saved by {self.buyer_id}"


class ListingActivity(models.Model):
    """Per-day counts behind trending_score: decay is computed from these buckets, never from events."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="activity")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    unlocks = models.PositiveIntegerField(default=0)
    favourites = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "listing activity"
        constraints = [
            models.UniqueConstraint(fields=["listing", "day"], name="activity_one_per_listing_day"),
        ]
        indexes = [models.Index(fields=["day"], name="activity_day")]

    def __str__(self) -> str:
        return f"activity of listing {self.listing_id} on {self.day}"


class ViewBatch(models.Model):
    """A batch of view counts taken from Redis and folded into listings, recorded in the same
    transaction as the fold: a run that died before clearing the batch in Redis folds nothing twice."""

    token = models.CharField(max_length=40, unique=True)
    views = models.PositiveIntegerField(default=0)
    folded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"view batch {self.token}"
