"""Who a user is, as far as the law asks (README "Compliance"): never the raw ID number or a document.

An identity is kept only as a keyed hash (HMAC, VERIFICATION_HASH_KEY) so that one person cannot
open more shops than VERIFICATION_MAX_ACCOUNTS_PER_IDENTITY, plus a masked display for staff.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.accounts.models import User


class Status(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    PENDING = "pending", _("Pending")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class Method(models.TextChoices):
    PHONE = "phone", _("Phone")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    BUSINESS_LICENCE = "business_licence", _("Business licence")


class Identity(models.Model):
    """One person or company, by keyed hash; the row verifications lock to count accounts per identity."""

    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key_hash[:12]}…"


class Verification(models.Model):
    """A seller's real-name verification: one row per user, moved through Status by services."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="verification")
    provider = models.CharField(max_length=30)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNVERIFIED)
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    identity = models.ForeignKey(
        Identity, on_delete=models.PROTECT, null=True, blank=True, related_name="verifications"
    )
    masked_name = models.CharField(max_length=40, blank=True)
    masked_identifier = models.CharField(max_length=40, blank=True)
    # ISO 3166-1 alpha-2 of the verified identity, blank when the provider does not say: decides
    # whether Stripe Connect can pay the seller (payments' payout rails).
    country = models.CharField(max_length=2, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    # A document check at a provider (Stripe Identity): its session id, so that its events apply once.
    provider_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "verification")
        verbose_name_plural = pgettext_lazy("model", "verifications")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="verified")
                | models.Q(verified_at__isnull=False, identity__isnull=False),
                name="verification_verified_has_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.status}"


class PhoneVerification(models.Model):
    """A user's mobile number, proven by an SMS code: buyers need it before their first purchase.

    Only a keyed hash and a masked display of the number are stored, and of a pending code its hash.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="phone_verification")
    masked_phone = models.CharField(max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    pending_masked_phone = models.CharField(max_length=20, blank=True)
    pending_phone_hash = models.CharField(max_length=64, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "phone verification")
        verbose_name_plural = pgettext_lazy("model", "phone verifications")

    def __str__(self) -> str:
        return f"{self.user} {self.masked_phone or '-'}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class VerificationEvent(models.Model):
    """The audit trail of verification changes: verified, failed, revoked; append-only, without the
    identifiers themselves (the retention task of issue 16 keeps these as long as the audit trail)."""

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=20)
    provider = models.CharField(max_length=30, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "verification event")
        verbose_name_plural = pgettext_lazy("model", "verification events")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
