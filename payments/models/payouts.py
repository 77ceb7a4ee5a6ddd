"""Sellers' connected accounts, payouts and transfer reversals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from payments.models.orders import Order


class ConnectedAccount(models.Model):
    """A seller's payout account at the provider (Stripe Connect Express)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_account"
    )
    provider = models.CharField(max_length=10)
    account_id = models.CharField(max_length=255, unique=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "connected account")
        verbose_name_plural = pgettext_lazy("model", "connected accounts")

    def __str__(self) -> str:
        return f"{self.account_id} ({self.user})"


class PayoutStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    PAID = "paid", "Paid out"
    FAILED = "failed", "Failed"


class Payout(models.Model):
    """The transfer of a booking's seller share to the tutor, after the session: one per order.

    A worker claims it with a conditional UPDATE (pending -> sending) before calling the provider
    with the idempotency key payout:booking:<booking>, so it is sent once however many workers or
    beat runs try.
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="payout")
    amount = models.BigIntegerField(help_text="Minor units: the seller's share of the order.")
    currency = models.CharField(max_length=3)
    destination_account = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    transfer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "payout")
        verbose_name_plural = pgettext_lazy("model", "payouts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(transfer_id__isnull=False), name="payout_paid_has_transfer"
            ),
        ]

    def __str__(self) -> str:
        return f"payout of order {self.order_id} ({self.status})"


class ReversalStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SUCCEEDED = "succeeded", "Reversed"
    FAILED = "failed", "Failed"


class TransferReversal(models.Model):
    """Taking the seller's share of a lost dispute back from their connected account.

    One per order (the key dispute-reversal:<order> is unique and is the idempotency key of the
    provider call), sent by a task after the commit that lost the dispute; retried with the same
    key, so the transfer is reversed once.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="transfer_reversals")
    key = models.CharField(max_length=100, unique=True)
    amount = models.BigIntegerField(help_text="Minor units taken back from the seller's account.")
    currency = models.CharField(max_length=3)
    dispute_id = models.CharField(max_length=255, blank=True)
    transfer_id = models.CharField(max_length=255, blank=True, help_text="Found when it is sent.")
    provider_reversal_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=ReversalStatus.choices, default=ReversalStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reversal_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ReversalStatus.values), name="reversal_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(provider_reversal_id__isnull=False),
                name="reversal_succeeded_has_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer reversal of order {self.order_id} ({self.status})"
