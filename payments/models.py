"""Orders, unlocks, refunds, disputes, the ledger, and processed provider events.

Invariants live in database constraints, the last guard when code is wrong or races:
one active unlock per buyer and listing, one pending order per buyer and listing, fee plus
seller share equals the amount, refunds never exceed the charge, unique provider ids,
unique ledger keys (a money movement is recorded once), unique event ids.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from marketplace.tutoring.models import Booking
from prompts.models import Listing, new_public_id


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Waiting for payment"
    PAID = "paid", "Paid"
    FAILED = "failed", "Payment failed"
    EXPIRED = "expired", "Checkout expired"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    public_id = models.CharField(max_length=16, default=new_public_id, editable=False)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    # What is sold: a listing (an unlock) or a tutoring booking; exactly one, by constraint.
    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    # Indexed below only where set: most orders are for listings, and every paid order's update
    # would otherwise write a NULL entry into this index too.
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", db_index=False
    )
    # Indexed by (seller, -created_at) below, which also serves lookups by seller alone.
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    amount = models.BigIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    platform_fee = models.BigIntegerField()
    seller_amount = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    provider = models.CharField(max_length=10)
    idempotency_key = models.CharField(max_length=100, blank=True)
    checkout_session_id = models.CharField(max_length=255, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    payment_intent_id = models.CharField(max_length=255, null=True, blank=True)
    charge_id = models.CharField(max_length=255, null=True, blank=True)
    destination_account = models.CharField(max_length=255, blank=True)
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
            models.UniqueConstraint(
                fields=["buyer", "listing"], condition=Q(status="pending"), name="order_one_pending_per_buyer"
            ),
            models.CheckConstraint(
                condition=Q(listing__isnull=False, booking__isnull=True)
                | Q(listing__isnull=True, booking__isnull=False),
                name="order_sells_listing_or_booking",
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
    def refundable_amount(self) -> int:
        return self.amount - self.refunded_amount if self.status in (OrderStatus.PAID,) else 0


class UnlockQuerySet(models.QuerySet["Unlock"]):
    def active(self) -> UnlockQuerySet:
        """Unlocks that grant access now: not revoked (a refund, a lost or open dispute revokes)."""
        return self.filter(revoked_at__isnull=True)


class Unlock(models.Model):
    """A buyer may read a listing's prompt, every version of it, for as long as this is active."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="unlocks")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="unlocks")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="unlocks")
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

    class Meta:
        verbose_name = pgettext_lazy("model", "ledger entry")
        verbose_name_plural = pgettext_lazy("model", "ledger entries")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="ledger_key_unique")]  # see Order

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.account})"


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
