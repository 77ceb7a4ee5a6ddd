"""The manual payout rail: a seller's payout details, statements and the batches staff pay.

Sales to a manual-rail seller are charged on the platform; the seller's share accrues in the
ledger (SELLER account). A statement closes the ledger rows not yet in one (each row belongs to at
most one, by its foreign key); staff put closed statements into a batch, pay it by bank or Alipay,
and mark it paid, which records PAID_OUT movements.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PayoutRail(models.TextChoices):
    CONNECT = "connect", _("Stripe Connect")
    MANUAL = "manual", _("Bank or Alipay transfer")


class PayoutMethod(models.TextChoices):
    BANK = "bank", _("Bank account")
    ALIPAY = "alipay", _("Alipay")


class PayoutProfile(models.Model):
    """How a seller is paid. The account details are one Fernet ciphertext (payments.sealing);
    only their masked forms are stored in the clear."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_profile"
    )
    rail = models.CharField(
        max_length=10, choices=PayoutRail.choices, blank=True, help_text="Blank: the default."
    )
    method = models.CharField(max_length=10, choices=PayoutMethod.choices, blank=True)
    details_ciphertext = models.TextField(blank=True)
    masked_holder = models.CharField(max_length=40, blank=True)
    masked_account = models.CharField(max_length=60, blank=True)
    bank_name = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "payout profile")
        verbose_name_plural = pgettext_lazy("model", "payout profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(rail__in=["", *PayoutRail.values]), name="payout_profile_rail_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["", *PayoutMethod.values]), name="payout_profile_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(method="") | ~Q(details_ciphertext=""), name="payout_profile_method_has_details"
            ),
        ]

    def __str__(self) -> str:
        return f"payout profile of {self.user_id}"

    @property
    def has_details(self) -> bool:
        return bool(self.method and self.details_ciphertext)


class StatementStatus(models.TextChoices):
    CLOSED = "closed", _("Closed, waiting to be paid")
    IN_BATCH = "in_batch", _("Being paid")
    PAID = "paid", _("Paid")


class PayoutBatch(models.Model):
    """Closed statements of one currency that staff pay together, then mark paid with a reference."""

    currency = models.CharField(max_length=3)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(
        max_length=200, blank=True, help_text="The bank's or Alipay's batch reference."
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "payout batch")
        verbose_name_plural = pgettext_lazy("model", "payout batches")
        # The batch file holds decrypted account numbers: only staff given this may download it.
        permissions = [("export_payoutbatch", "Can download payout batch files with account details")]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | ~Q(reference=""), name="payout_batch_paid_has_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"payout batch {self.pk} ({self.currency})"


class PayoutStatement(models.Model):
    """What a manual-rail seller is owed in one currency up to period_end: the ledger rows that
    point to it. ``opening_balance`` is the part carried over from before period_start (negative
    after a refund of an earlier, already-paid sale)."""

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_statements"
    )
    currency = models.CharField(max_length=3)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    opening_balance = models.BigIntegerField(
        default=0, help_text="Minor units carried over; may be negative."
    )
    amount = models.BigIntegerField(help_text="Minor units to pay: the sum of the statement's ledger rows.")
    status = models.CharField(max_length=10, choices=StatementStatus.choices, default=StatementStatus.CLOSED)
    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    closed_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "payout statement")
        verbose_name_plural = pgettext_lazy("model", "payout statements")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "currency", "period_end"], name="payout_statement_one_per_period"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_statement_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=StatementStatus.values), name="payout_statement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(batch__isnull=False),
                name="payout_statement_batched_has_batch",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False), name="payout_statement_paid_has_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "currency"], name="payout_statement_status")]

    def __str__(self) -> str:
        return f"statement {self.pk} of {self.seller_id} ({self.currency}, {self.status})"
