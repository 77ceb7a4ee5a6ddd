"""Moderation: flags, screening lists, the audit trail and complaints."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prompts.models.listings import Listing


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")  # before moderators recorded an outcome
    CONFIRMED = "confirmed", _("Copy confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class ListingFlag(models.Model):
    """Something a moderator should look at: a near-duplicate example image, a complaint."""

    listing = models.ForeignKey(
        Listing,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=pgettext_lazy("field", "listing"),
    )
    reason = models.CharField(pgettext_lazy("field", "reason"), max_length=40)
    related_listing = models.ForeignKey(
        Listing,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("field", "related listing"),
    )
    detail = models.JSONField(pgettext_lazy("field", "detail"), default=dict, blank=True)
    status = models.CharField(
        pgettext_lazy("field", "status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    created_at = models.DateTimeField(pgettext_lazy("field", "created at"), default=timezone.now)
    resolved_at = models.DateTimeField(pgettext_lazy("field", "resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("field", "resolved by"),
    )
    resolution = models.TextField(
        pgettext_lazy("field", "resolution"),
        max_length=2000,
        blank=True,
        help_text=_("What the moderator found."),
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "moderation flag")
        verbose_name_plural = pgettext_lazy("model", "moderation flags")
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

    class Meta:
        verbose_name = pgettext_lazy("model", "screening list")
        verbose_name_plural = pgettext_lazy("model", "screening lists")

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
        verbose_name = pgettext_lazy("model", "listing event")
        verbose_name_plural = pgettext_lazy("model", "listing events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["listing", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} on listing {self.listing_id}"


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


# Crockford's base32: digits and capitals without I, L, O and U, so a report number read out on
# the phone or copied by hand has no 0/O or 1/I/l to mix up.
REPORT_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_report_number() -> str:
    """Twelve random characters in groups of four, e.g. "R7K2-9QXM-4TDZ": 60 bits, so numbers do
    not collide in millions of reports. Reports made before kept their URL-safe ids."""
    characters = "".join(secrets.choice(REPORT_NUMBER_ALPHABET) for _ in range(12))
    return "-".join(characters[start : start + 4] for start in range(0, 12, 4))


class Complaint(models.Model):
    """A report about a listing from anyone (signed in or not), for staff to handle in the admin."""

    # The report number the reporter is given.
    public_id = models.CharField(max_length=16, unique=True, default=new_report_number, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="complaints")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_email = models.EmailField(blank=True, help_text="Where staff can answer an anonymous reporter.")
    reason = models.CharField(max_length=20, choices=ComplaintReason.choices)
    note = models.TextField(max_length=COMPLAINT_NOTE_MAX, blank=True)
    status = models.CharField(max_length=10, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    resolution = models.TextField(
        blank=True,
        help_text=(
            "What staff decided and did. Emailed to the reporter with the outcome: never quote the prompt."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "complaint")
        verbose_name_plural = pgettext_lazy("model", "complaints")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="complaint_queue")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on listing {self.listing_id}"
