"""What the payment provider told us: processed events, sandbox sessions, the reconcile cursor."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from payments.models.orders import Order


class WebhookEvent(models.Model):
    """A provider event we applied. Inserted in the same transaction as its effect."""

    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=12, default="webhook", help_text="webhook or reconcile")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model", "webhook event")
        verbose_name_plural = pgettext_lazy("model", "webhook events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["event_id"], name="webhook_event_id_unique")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class SandboxSession(models.Model):
    """The sandbox provider's own record of a checkout: what Stripe would hold. No money moves."""

    session_id = models.CharField(max_length=64, unique=True)
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="sandbox_session")
    status = models.CharField(max_length=10, default="open")  # open | complete | expired
    payment_status = models.CharField(max_length=10, default="unpaid")  # unpaid | paid
    payment_intent_id = models.CharField(max_length=64, blank=True)
    charge_id = models.CharField(max_length=64, blank=True)
    amount_refunded = models.BigIntegerField(default=0)
    refunds = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.session_id


class ReconcileCursor(models.Model):
    """How far reconciliation has read a provider's events, one row per provider.

    Every event created at or before ``events_through`` (Unix seconds, the provider's clock) was
    applied or recorded; the next run lists only newer ones, less a small overlap. It never moves
    past an event whose handling failed, so that event is read again until it succeeds or falls
    out of the look-back window (PAYMENTS_RECONCILE_DAYS).
    """

    provider = models.CharField(max_length=20)
    events_through = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider"], name="reconcile_cursor_provider_unique")]

    def __str__(self) -> str:
        return f"{self.provider} events through {self.events_through}"
