"""Trial runs: a buyer renders a listing's hidden prompt with their own values before buying."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from prompts.models.images import _private_storage
from prompts.models.listings import Listing, new_public_id

TRIAL_RUNS_MAX = 5


class TrialStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("trial status", "Queued")
    RUNNING = "running", pgettext_lazy("trial status", "Running")
    DONE = "done", pgettext_lazy("trial status", "Done")
    BLOCKED = "blocked", pgettext_lazy("trial status", "Withheld")
    FAILED = "failed", pgettext_lazy("trial status", "Failed")


class TrialKind(models.TextChoices):
    IMAGE = "image", "Image"
    TEXT = "text", "Text"


def trial_upload_to(instance: TrialRun, filename: str) -> str:
    return f"trials/{instance.public_id[:2]}/{instance.public_id}.webp"


class TrialRunQuerySet(models.QuerySet["TrialRun"]):
    def counted(self) -> TrialRunQuerySet:
        """Runs that use up a buyer's allowance: every run but those the platform failed to render."""
        return self.exclude(status=TrialStatus.FAILED)


class TrialRun(models.Model):
    """One trial. ``values`` are the buyer's own words for the listing's variables; the prompt itself
    is read from the listing when the run renders and is stored nowhere here."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trials")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="trials")
    kind = models.CharField(max_length=8, choices=TrialKind.choices)
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=TrialStatus.choices, default=TrialStatus.QUEUED)
    image = models.FileField(upload_to=trial_upload_to, storage=_private_storage, max_length=200, blank=True)
    image_width = models.PositiveIntegerField(default=0)
    image_height = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True, default="")
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TrialRunQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TrialStatus.values), name="trial_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=TrialKind.values), name="trial_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=[TrialStatus.QUEUED, TrialStatus.RUNNING])
                | Q(finished_at__isnull=False),
                name="trial_finished_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=TrialStatus.DONE) | ~Q(image="") | ~Q(text=""),
                name="trial_done_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "listing", "-created_at"], name="trial_buyer_listing"),
            models.Index(fields=["buyer", "-created_at"], name="trial_buyer_recent"),
            models.Index(fields=["listing", "buyer"], name="trial_listing_buyer"),
        ]

    def __str__(self) -> str:
        # Never the values: __str__ ends up in logs.
        return f"trial {self.public_id} of listing {self.listing_id}"


class TrialBudget(models.Model):
    """Trials admitted platform-wide on one UTC day. Every admission locks the day's row, so the limits
    are checked and counted one request at a time, however many arrive together."""

    day = models.DateField(unique=True)
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(used__gte=0), name="trial_budget_not_negative")]

    def __str__(self) -> str:
        return f"trials on {self.day}: {self.used}"
