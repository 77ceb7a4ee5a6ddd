from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    objects = ListingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price_amount__gte=0), name="listing_price_not_negative"),
            models.CheckConstraint(condition=Q(status__in=ListingStatus.values), name="listing_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ListingStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="listing_published_has_date",
            ),
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


class ImageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def _private_storage() -> Storage:
    # A callable, resolved at use: settings changes (tests) pick up the new storage.
    return storages["private"]


def original_upload_to(instance: ListingImage, filename: str) -> str:
    # Server-generated name: the seller's filename never reaches the file system.
    return f"originals/{instance.public_id[:2]}/{instance.public_id}.{instance.source_format or 'bin'}"


class ImageSource(models.TextChoices):
    SELLER = "seller", "Uploaded by the seller"
    PLATFORM = "platform", "Generated by the platform"


class ListingImage(models.Model):
    """An example output: uploaded by the seller, or generated by the platform from the prompt.

    The original is private; only labelled, metadata-free WebP previews are public.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    original = models.FileField(upload_to=original_upload_to, storage=_private_storage, max_length=200)
    source_format = models.CharField(max_length=8)
    source_width = models.PositiveIntegerField()
    source_height = models.PositiveIntegerField()
    source_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=ImageStatus.choices, default=ImageStatus.PENDING)
    failure_reason = models.CharField(max_length=300, blank=True)
    # Times the stale-image sweep re-queued the render; past its bound the image is failed.
    render_requeues = models.PositiveSmallIntegerField(default=0)
    renditions = models.JSONField(
        default=list, blank=True, help_text="[{width, height, name}] of WebP previews."
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=ImageSource.choices, default=ImageSource.SELLER)
    generator = models.JSONField(
        default=dict, blank=True, help_text="Model, seed and parameters, when generated."
    )
    prompt_version = models.ForeignKey(
        "PromptVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="generated_images"
    )
    blurhash = models.CharField(max_length=60, blank=True)
    dominant_color = models.CharField(max_length=7, blank=True)
    # 64-bit difference hash (stored signed) and its four 16-bit bands, indexed: two images within
    # a Hamming distance of 3 always share a band, so near-duplicates are found by index lookups.
    dhash = models.BigIntegerField(null=True, blank=True)
    dhash_band0 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    dhash_band1 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    dhash_band2 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    dhash_band3 = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImageStatus.values), name="image_status_valid"),
            models.UniqueConstraint(
                fields=["prompt_version", "position"],
                condition=Q(source="platform"),
                name="image_one_generated_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"image {self.public_id} of listing {self.listing_id}"

    @property
    def generated_by_platform(self) -> bool:
        return self.source == ImageSource.PLATFORM


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ListingFlag(models.Model):
    """Something a moderator should look at: a near-duplicate example image, a complaint."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=40)
    related_listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "reason", "related_listing"],
                condition=Q(status="open"),
                name="flag_one_open_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on listing {self.listing_id}"


class ScreeningAction(models.TextChoices):
    BLOCK = "block", "Block submission"
    REVIEW = "review", "Queue for manual review"


class ScreeningList(models.Model):
    """An admin-edited list of terms screened in listings before they are published."""

    name = models.CharField(max_length=80, unique=True)
    action = models.CharField(max_length=8, choices=ScreeningAction.choices, default=ScreeningAction.BLOCK)
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_action_display()})"


class ScreeningTerm(models.Model):
    screening_list = models.ForeignKey(ScreeningList, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["screening_list", "term"], name="screening_term_unique"),
        ]

    def __str__(self) -> str:
        return self.term


class ListingEvent(models.Model):
    """Append-only audit trail of everything that happened to a listing, and who did it."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["listing", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} on listing {self.listing_id}"


# --- Complaints: the public channel for reporting a listing ------------------------------------

COMPLAINT_NOTE_MAX = 2000


class ComplaintReason(models.TextChoices):
    ILLEGAL = "illegal", _("Illegal or harmful content")
    COPYRIGHT = "copyright", _("Copies someone else's work or prompt")
    PERSONAL = "personal", _("Imitates a real person or uses personal data")
    MISLEADING = "misleading", _("Examples do not match what the prompt makes")
    UNLABELLED = "unlabelled", _("AI-generated content not labelled")
    OTHER = "other", _("Something else")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: action taken")
    DISMISSED = "dismissed", _("Dismissed")


class Complaint(models.Model):
    """A report about a listing from anyone (signed in or not), for staff to handle in the admin."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="complaints")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_email = models.EmailField(blank=True, help_text="Where staff can answer an anonymous reporter.")
    reason = models.CharField(max_length=20, choices=ComplaintReason.choices)
    note = models.TextField(max_length=COMPLAINT_NOTE_MAX, blank=True)
    status = models.CharField(max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    resolution = models.TextField(blank=True, help_text="What staff decided and did.")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="complaint_queue")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on listing {self.listing_id}"


# --- Discovery: reviews, favourites, trending activity ---------------------------------------------

REVIEW_TEXT_MAX = 2000


class Review(models.Model):
    """A buyer's rating of a listing they unlocked: one per buyer and listing, one seller reply."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reviews")
    # PROTECT: the listing's rating_count and rating_sum include this row.
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=REVIEW_TEXT_MAX, blank=True)
    seller_reply = models.TextField(max_length=REVIEW_TEXT_MAX, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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


class SearchTerm(models.Model):
    """Autocomplete vocabulary: tags, titles and the words jieba finds in titles, with a weight."""

    term = models.CharField(max_length=120, unique=True)
    display = models.CharField(max_length=120)
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["term"], name="search_term_prefix", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.display
