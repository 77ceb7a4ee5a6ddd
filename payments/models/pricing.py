"""What a price is made of besides the listing's base price: licence tiers and discount codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from prompts.models import Listing


class Licence(models.TextChoices):
    PERSONAL = "personal", pgettext_lazy("licence", "Personal")
    COMMERCIAL = "commercial", pgettext_lazy("licence", "Commercial")
    EXTENDED = "extended", pgettext_lazy("licence", "Extended")


# Upgrades go up this order only: a commercial licence includes what a personal one allows.
LICENCE_RANK = {Licence.PERSONAL: 0, Licence.COMMERCIAL: 1, Licence.EXTENDED: 2}


class ListingLicence(models.Model):
    """A paid tier above the personal licence (which is the listing's base price).

    The seller gives either a fixed amount in the listing's currency or a multiple of the base
    price in basis points (25000 = 2.5x). A multiple is kept as the multiple, not as an amount
    computed once: when the seller changes the base price the tier follows, as they asked.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="licences")
    licence = models.CharField(max_length=12, choices=Licence.choices)
    amount = models.BigIntegerField(null=True, blank=True, help_text="Minor units, listing's currency.")
    multiple_bps = models.PositiveIntegerField(null=True, blank=True, help_text="10000 = the base price.")

    class Meta:
        verbose_name = pgettext_lazy("model", "listing licence")
        verbose_name_plural = pgettext_lazy("model", "listing licences")
        constraints = [
            models.UniqueConstraint(fields=["listing", "licence"], name="listing_licence_unique"),
            models.CheckConstraint(
                condition=Q(licence__in=[Licence.COMMERCIAL, Licence.EXTENDED]),
                name="listing_licence_above_personal",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False, amount__gt=0, multiple_bps__isnull=True)
                | Q(amount__isnull=True, multiple_bps__gte=10_000, multiple_bps__lte=1_000_000),
                name="listing_licence_amount_or_multiple",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence} licence of listing {self.listing_id}"


class CodeKind(models.TextChoices):
    PERCENT = "percent", pgettext_lazy("discount", "Percent off")
    FIXED = "fixed", pgettext_lazy("discount", "Fixed amount off")


class CodeScope(models.TextChoices):
    ALL_LISTINGS = "all_listings", pgettext_lazy("discount", "All my listings")
    LISTINGS = "listings", pgettext_lazy("discount", "Chosen listings")
    TUTORING = "tutoring", pgettext_lazy("discount", "My tutoring offers")
    BUNDLES = "bundles", pgettext_lazy("discount", "My bundles")


class DiscountCode(models.Model):
    """A seller's code. ``uses`` counts orders holding a use: pending ones (a reservation released
    when the checkout fails or expires) and paid ones; a constraint keeps it within max_uses."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=40)
    kind = models.CharField(max_length=8, choices=CodeKind.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = models.BigIntegerField(null=True, blank=True, help_text="Minor units of currency.")
    currency = models.CharField(max_length=3, blank=True)
    scope = models.CharField(max_length=14, choices=CodeScope.choices, default=CodeScope.ALL_LISTINGS)
    listings = models.ManyToManyField(Listing, blank=True, related_name="+")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    max_uses_per_buyer = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    min_order_amount = models.BigIntegerField(default=0)
    min_order_currency = models.CharField(max_length=3, blank=True)
    active = models.BooleanField(default=True)
    uses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = pgettext_lazy("model", "discount code")
        verbose_name_plural = pgettext_lazy("model", "discount codes")
        constraints = [
            models.UniqueConstraint("seller", Upper("code"), name="discount_code_unique_per_seller"),
            models.CheckConstraint(
                condition=Q(kind=CodeKind.PERCENT, percent__gte=1, percent__lte=100, amount__isnull=True)
                | Q(kind=CodeKind.FIXED, percent__isnull=True, amount__gt=0) & ~Q(currency=""),
                name="discount_code_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses__lte=F("max_uses")),
                name="discount_code_uses_within_max",
            ),
            models.CheckConstraint(condition=Q(min_order_amount__gte=0), name="discount_code_min_order"),
        ]

    def __str__(self) -> str:
        return f"code {self.code} of seller {self.seller_id}"


class DiscountCodeBuyer(models.Model):
    """One buyer's uses of one code, a counter kept within max_uses_per_buyer like the total."""

    code = models.ForeignKey(DiscountCode, on_delete=models.CASCADE, related_name="buyers")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "buyer's use of a code")
        verbose_name_plural = pgettext_lazy("model", "buyers' uses of a code")
        constraints = [
            models.UniqueConstraint(fields=["code", "buyer"], name="discount_code_buyer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.uses} uses of {self.code_id} by {self.buyer_id}"
