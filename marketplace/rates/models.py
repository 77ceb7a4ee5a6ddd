"""Exchange rates: how many units of a currency one US dollar buys."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.core.money import CURRENCIES


class ExchangeRate(models.Model):
    currency = models.CharField(
        _("currency"), max_length=3, unique=True, choices=[(code, code) for code in CURRENCIES]
    )
    # Major units per US dollar (7.18 for CNY, 150 for JPY). A rate, not an amount of money: money
    # itself stays in integer minor units, and conversions round once, in marketplace.core.money.
    per_usd = models.DecimalField(_("units per US dollar"), max_digits=20, decimal_places=8)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency"]
        constraints = [models.CheckConstraint(condition=Q(per_usd__gt=0), name="exchange_rate_positive")]

    def __str__(self) -> str:
        return f"1 USD = {self.per_usd.normalize()} {self.currency}"
