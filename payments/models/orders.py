"""Orders, the unlocks they grant and their refunds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from marketplace.tutoring.models import Booking
from payments.models.pricing import DiscountCode, Licence
from prompts.models import Bundle, Listing, new_public_id


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Waiting for payment"
    PAID = "paid", "Paid"
    FAILED = "failed", "Payment failed"
    EXPIRED = "expired", "Checkout expired"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    public_id = models.CharField(max_length=16, default=new_public_id, editable=False)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    # What is sold: a listing (an unlock), a tutoring booking or a bundle (one OrderLine per
    # listing it unlocks); exactly one, by constraint.
    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    # Indexed below only where set: most orders are for listings, and every paid order's update
    # would otherwise write a NULL entry into this index too.
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", db_index=False
    )
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", db_index=False
    )
    # Indexed by (seller, -created_at) below, which also serves lookups by seller alone.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    amount = models.BigIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    platform_fee = models.BigIntegerField()
    seller_amount = models.BigIntegerField()
    # How amount came about (services.pricing.quote): the licence's list price, less what the buyer
    # paid for the licence they upgrade from, less the code's discount.
    list_amount = models.BigIntegerField(default=0, help_text="Minor units, before any discount.")
    credit_amount = models.BigIntegerField(default=0, help_text="Paid before, for the licence upgraded.")
    discount_amount = models.BigIntegerField(default=0)
    discount_code = models.ForeignKey(
        DiscountCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    licence = models.CharField(max_length=12, choices=Licence.choices, blank=True)
    upgrade_from = models.CharField(max_length=12, choices=Licence.choices, blank=True)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    provider = models.CharField(max_length=10)
    idempotency_key = models.CharField(max_length=100, blank=True)
    checkout_session_id = models.CharField(max_length=255, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=255, null=True, blank=True)
    charge_id = models.CharField(max_length=255, null=True, blank=True)
    destination_account = models.CharField(max_length=255, blank=True)
    # connect: a destination charge (listings) or a separate charge paid out by transfer (tutoring).
    # manual: charged on the platform; the seller's share is paid by a manual payout statement.
    payout_rail = models.CharField(max_length=10, default="connect")
    # Set for a separate charge (tutoring): charged on the platform, the seller's share transferred
    # in this group after the session (a Payout). Blank for destination charges (listings).
    transfer_group = models.CharField(max_length=64, blank=True)
    refunded_amount = models.BigIntegerField(default=0)
    duplicate = models.BooleanField(
        default=False, help_text="Paid while the buyer already owned the listing."
    )
    disputed = models.BooleanField(default=False)
    payout_held = models.BooleanField(default=False)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "order")
        verbose_name_plural = pgettext_lazy("model", "orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
            models.CheckConstraint(
                condition=Q(platform_fee__gte=0, seller_amount__gte=0)
                & Q(platform_fee=F("amount") - F("seller_amount")),
                name="order_fee_plus_share_is_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="order_refund_within_amount",
            ),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(
                condition=Q(payout_rail="connect")
                | Q(payout_rail="manual", destination_account="", transfer_group=""),
                name="order_manual_rail_charged_on_platform",
            ),
            models.UniqueConstraint(
                fields=["buyer", "listing"], condition=Q(status="pending"), name="order_one_pending_per_buyer"
            ),
            models.CheckConstraint(
                condition=Q(listing__isnull=False, booking__isnull=True, bundle__isnull=True)
                | Q(listing__isnull=True, booking__isnull=False, bundle__isnull=True)
                | Q(listing__isnull=True, booking__isnull=True, bundle__isnull=False),
                name="order_sells_one_thing",
            ),
            models.UniqueConstraint(
                fields=["buyer", "bundle"],
                condition=Q(status="pending", bundle__isnull=False),
                name="order_one_pending_per_buyer_bundle",
            ),
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="pending"), name="order_one_pending_per_booking"
            ),
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_key_unique",
            ),
            # Unique ids as constraints, not unique=True: on PostgreSQL that would add a second,
            # varchar_pattern_ops index to each (for LIKE, which nothing runs on ids), and every
            # payment writes this row's index entries.
            models.UniqueConstraint(fields=["public_id"], name="order_public_id_unique"),
            models.UniqueConstraint(fields=["checkout_session_id"], name="order_checkout_session_unique"),
            models.UniqueConstraint(fields=["payment_intent_id"], name="order_payment_intent_unique"),
            models.UniqueConstraint(fields=["charge_id"], name="order_charge_unique"),
        ]
        indexes = [
            models.Index(fields=["seller", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            # Every lookup by booking (booking = x, booking IN (...), booking IS NOT NULL) can use it.
            models.Index(fields=["booking"], condition=Q(booking__isnull=False), name="order_booking_set"),
            models.Index(fields=["bundle"], condition=Q(bundle__isnull=False), name="order_bundle_set"),
        ]

    def __str__(self) -> str:
        return f"order {self.public_id} ({self.status})"

    @property
    def history_status(self) -> str:
        """What buyers and sellers are told: paid, partly_refunded, refunded or disputed."""
        if self.disputed:
            return "disputed"
        if self.status == OrderStatus.REFUNDED:
            return "refunded"
        return "partly_refunded" if self.refunded_amount else "paid"

    @property
    def has_transfer_to_reverse(self) -> bool:
        """A destination charge: its refunds and lost disputes take the seller's transfer back."""
        return self.payout_rail == "connect" and not self.transfer_group

    @property
    def refundable_amount(self) -> int:
        # A disputed sale (open, or lost: the money went back through the card network) is not the
        # seller's to refund: refunding it would pay the buyer twice.
        if self.status != OrderStatus.PAID or self.disputed:
            return 0
        return self.amount - self.refunded_amount


class OrderLine(models.Model):
    """One listing a bundle order unlocks, priced on its own (payments.services.bundles): its
    amount, fee and seller share are what the order's add up from, to the minor unit."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="order_lines")
    position = models.PositiveSmallIntegerField()
    list_amount = models.BigIntegerField(help_text="Minor units, the listing's price.")
    bundle_discount = models.BigIntegerField(default=0)
    code_discount = models.BigIntegerField(default=0)
    amount = models.BigIntegerField()
    platform_fee = models.BigIntegerField()
    seller_amount = models.BigIntegerField()
    licence = models.CharField(max_length=12, choices=Licence.choices, default=Licence.PERSONAL)
    refunded_amount = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "listing"], name="order_line_listing_once"),
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position_once"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, platform_fee__gte=0, seller_amount__gte=0)
                & Q(platform_fee=F("amount") - F("seller_amount")),
                name="order_line_fee_plus_share_is_amount",
            ),
            models.CheckConstraint(
                condition=Q(bundle_discount__gte=0, code_discount__gte=0)
                & Q(amount=F("list_amount") - F("bundle_discount") - F("code_discount")),
                name="order_line_list_less_discounts",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="order_line_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.position} of order {self.order_id}"


class UnlockQuerySet(models.QuerySet["Unlock"]):
    def active(self) -> UnlockQuerySet:
        """Unlocks that grant access now: not revoked (a refund, a lost or open dispute revokes)."""
        return self.filter(revoked_at__isnull=True)


class Unlock(models.Model):
    """A buyer may read a listing's prompt, every version of it, for as long as this is active."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="unlocks")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="unlocks")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="unlocks")
    # Raised in place by a paid upgrade order (the unlock keeps its first order); lowered back
    # when that upgrade is refunded.
    licence = models.CharField(max_length=12, choices=Licence.choices, default=Licence.PERSONAL)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=40, blank=True)

    objects = UnlockQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model", "unlock")
        verbose_name_plural = pgettext_lazy("model", "unlocks")
        ordering = ["-granted_at", "-id"]
        constraints = [
            # The same condition as UnlockQuerySet.active(): one active unlock per buyer and listing.
            models.UniqueConstraint(
                fields=["buyer", "listing"], condition=Q(revoked_at__isnull=True), name="unlock_one_active"
            ),
        ]
        # payments.count_unlocks recounts the listings sold, or refunded, since yesterday. Revoked
        # unlocks are few: the second index holds only those.
        indexes = [
            models.Index(fields=["granted_at"], name="unlock_granted_at"),
            models.Index(
                fields=["revoked_at"], condition=Q(revoked_at__isnull=False), name="unlock_revoked_at"
            ),
        ]

    def __str__(self) -> str:
        return f"unlock of listing {self.listing_id} by {self.buyer_id}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    sequence = models.PositiveIntegerField(help_text="n in the idempotency key refund:<order>:<n>.")
    amount = models.BigIntegerField()
    provider_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the refund is for one line of a bundle order (a listing the buyer owned already by
    # the time the bundle was paid); otherwise a refund is spread over the lines in order.
    line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # The key of the request that asked for it (the API's Idempotency-Key header, the website
    # form's hidden field): asking again with the same key answers this refund, not a second one.
    request_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="refund_unique_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["order", "request_key"],
                condition=~Q(request_key=""),
                name="refund_request_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.sequence} of {self.order_id}"

    @property
    def idempotency_key(self) -> str:
        return f"refund:{self.order.public_id}:{self.sequence}"
