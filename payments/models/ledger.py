"""The ledger: every money movement, once (unique keys), in integer minor units."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from payments.models.orders import Order


class LedgerAccount(models.TextChoices):
    SELLER = "seller", "Seller"
    PLATFORM = "platform", "Platform"
    # Money transferred to the seller's connected account after the fact (tutoring payouts); the
    # seller account above is what they earned, this one what has been sent to them of it.
    PAID_OUT = "paid_out", "Paid out to the seller"


class LedgerEntry(models.Model):
    """Append-only record of every money movement, in integer minor units.

    Each movement has a unique ``key`` derived from the provider object that caused it, so a
    movement is recorded once however many times its event arrives.
    """

    key = models.CharField(max_length=200)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger")
    account = models.CharField(max_length=10, choices=LedgerAccount.choices)
    kind = models.CharField(max_length=30)
    amount = models.BigIntegerField(help_text="Signed minor units: + owed to the account, - taken back.")
    currency = models.CharField(max_length=3)
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The manual payout statement that settled this movement (SELLER rows of manual-rail orders
    # only); one statement at most, by construction.
    statement = models.ForeignKey(
        "payments.PayoutStatement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )

    class Meta:
        verbose_name = pgettext_lazy("model", "ledger entry")
        verbose_name_plural = pgettext_lazy("model", "ledger entries")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="ledger_key_unique")]  # see Order

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.account})"
