"""Listings, their tags and prompt versions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy


def new_public_id() -> str:
    """11 random URL-safe characters: not sequential, not guessable."""
    return secrets.token_urlsafe(8)


class TargetModel(models.TextChoices):
    STABLE_DIFFUSION = "stable-diffusion", "Stable Diffusion"
    SDXL = "sdxl", "SDXL"
    FLUX = "flux", "FLUX"
    MIDJOURNEY = "midjourney", "Midjourney"
    DALL_E = "dall-e", "DALL-E"
    CHATGPT = "chatgpt", "ChatGPT"
    ERNIE_VILG = "ernie-vilg", "ERNIE-ViLG"
    TAIYI = "taiyi", "Taiyi"
    OTHER = "other", "Other"


TEXT_MODELS = frozenset({TargetModel.CHATGPT})


class Category(models.TextChoices):
    EMOJI = "emoji", "Emoji"
    WALLPAPER = "wallpaper", "Wallpaper"
    T_SHIRT = "t-shirt", "T-shirt print"
    PRESS_ON_NAILS = "press-on-nails", "Press-on nails"
    ILLUSTRATION = "illustration", "Illustration"
    FASHION_MODEL = "fashion-model", "Fashion model"
    PRODUCT = "product", "Product shot"
    LOGO = "logo", "Logo"
    OTHER = "other", "Other"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    CHINESE = "zh-hans", "简体中文"


class License(models.TextChoices):
    PERSONAL = "personal", "Personal use"
    COMMERCIAL = "commercial", "Commercial use"


class ListingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_REVIEW = "pending_review", "Pending review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    ARCHIVED = "archived", "Archived"


class Tag(models.Model):
    slug = models.CharField(max_length=30, unique=True)

    def __str__(self) -> str:
        return self.slug


class ListingQuerySet(models.QuerySet["Listing"]):
    def published(self) -> ListingQuerySet:
        return self.filter(status=ListingStatus.PUBLISHED)


class Listing(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=5000, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    target_model = models.CharField(max_length=20, choices=TargetModel.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    tags = models.ManyToManyField(Tag, related_name="listings", blank=True)
    price_amount = models.BigIntegerField(default=0, help_text="Minor units (cents, fen); 0 = free.")
    price_currency = models.CharField(max_length=3, default="USD")
    # The price in US cents at the current exchange rates (prompts.pricing keeps it): the catalog
    # sorts and filters by it, so listings in different currencies line up by real value.
    price_reference = models.BigIntegerField(default=0, editable=False)
    license = models.CharField(max_length=12, choices=License.choices, default=License.PERSONAL)
    variables = models.JSONField(default=list, blank=True, help_text="Names of [variables] in the prompt.")
    example_outputs = models.JSONField(
        default=list, blank=True, help_text="Seller-written example outputs for text models."
    )

    status = models.CharField(max_length=16, choices=ListingStatus.choices, default=ListingStatus.DRAFT)
    rejection_reason = models.TextField(blank=True, help_text="Shown to the seller.")
    review_note = models.CharField(max_length=300, blank=True, help_text="Why it waits for review.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True)

    view_count = models.PositiveIntegerField(default=0)
    unlock_count = models.PositiveIntegerField(default=0)

    # Public JSON documents, rendered by prompts.documents whenever the listing changes, so that
    # the catalog serves a page with one indexed query and no per-row serialisation.
    card_json = models.TextField(blank=True, default="")
    detail_json = models.TextField(blank=True, default="")
    # Search tokens (prompts.search.tokens) as a weighted tsvector on PostgreSQL, with a GIN index
    # created by migration there; SQLite keeps the same tokens in an FTS5 table instead.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    trending_score = models.FloatField(default=0, help_text="Time-decayed unlocks, favourites and views.")
    # Kept by prompts.discovery with F() updates, in the transaction that adds the review.
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    # Trial runs each buyer may make before buying (0: trials off); prompts.trials enforces them.
    trial_runs = models.PositiveSmallIntegerField(default=0)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "listing")
        verbose_name_plural = pgettext_lazy("model", "listings")
        constraints = [
            models.CheckConstraint(condition=Q(price_amount__gte=0), name="listing_price_not_negative"),
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ListingStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="listing_published_has_date",
            ),
            models.CheckConstraint(condition=Q(trial_runs__lte=5), name="listing_trial_runs_at_most_5"),
        ]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                name="listing_pub_newest",
                condition=Q(status=ListingStatus.PUBLISHED),
            ),
            models.Index(
                fields=["price_amount", "id"],
                name="listing_pub_price",
                condition=Q(status=ListingStatus.PUBLISHED),
            ),
            models.Index(
                fields=["price_reference", "id"],
                name="listing_pub_price_reference",
                condition=Q(status=ListingStatus.PUBLISHED),
            ),
            models.Index(
                fields=["-unlock_count", "-id"],
                name="listing_pub_popular",
                condition=Q(status=ListingStatus.PUBLISHED),
            ),
            models.Index(
                fields=["-trending_score", "-id"],
                name="listing_pub_trending",
                condition=Q(status=ListingStatus.PUBLISHED),
            ),
            models.Index(fields=["seller", "-created_at"], name="listing_seller_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0

    @property
    def needs_preview(self) -> bool:
        return self.target_model not in TEXT_MODELS


class PromptVersion(models.Model):
    """The secret part of a listing. Editing a listing that was ever published adds a version."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=20_000)
    usage_notes = models.TextField(max_length=5000, blank=True)
    variables = models.JSONField(default=list)
    variable_examples = models.JSONField(
        default=dict,
        blank=True,
        help_text="Example value per variable, used for platform-generated previews.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "number"], name="prompt_version_unique_number"),
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        # Never the text: __str__ ends up in logs and admin breadcrumbs.
        return f"v{self.number} of listing {self.listing_id}"
