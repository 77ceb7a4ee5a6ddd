"""Tutoring offers, the seller's availability, and bookings.

Times of day in availability rules are wall-clock times in the offer's IANA time zone; booking
instants are stored in UTC. A booking blocks [blocked_from, blocked_until), its session plus the
offer's buffers; on PostgreSQL an exclusion constraint keeps the blocked ranges of one seller's
held and confirmed bookings from overlapping, whatever the code above it does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from marketplace.core.timezones import validate_zone_name
from marketplace.tutoring.constraints import PostgresExclusionConstraint
from prompts.models import Listing, new_public_id

# An offer's bounds: the database constraints, the model's clean(), the API serializer and the
# website form all read these.
MIN_DURATION, MAX_DURATION = 15, 180
MAX_BUFFER_MINUTES = 240
MAX_NOTICE_MINUTES = 60 * 24 * 30
MIN_DAYS_AHEAD, MAX_DAYS_AHEAD = 1, 365
MAX_REFUND_HOURS = 24 * 30
OFFER_BOUNDS = {
    "duration_minutes": (MIN_DURATION, MAX_DURATION),
    "buffer_before_minutes": (0, MAX_BUFFER_MINUTES),
    "buffer_after_minutes": (0, MAX_BUFFER_MINUTES),
    "min_notice_minutes": (0, MAX_NOTICE_MINUTES),
    "max_days_ahead": (MIN_DAYS_AHEAD, MAX_DAYS_AHEAD),
    "cancel_full_refund_hours": (0, MAX_REFUND_HOURS),
}


def validate_timezone(value: str) -> None:
    validate_zone_name(value)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class TutoringOffer(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tutoring_offers"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=5000)
    languages = models.JSONField(default=list, blank=True)
    duration_minutes = models.PositiveIntegerField(default=60)
    price_amount = models.BigIntegerField(help_text="Minor units.")
    price_currency = models.CharField(max_length=3)
    buffer_before_minutes = models.PositiveIntegerField(default=0)
    buffer_after_minutes = models.PositiveIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=12 * 60)
    max_days_ahead = models.PositiveIntegerField(default=60)
    meeting_link = models.URLField(max_length=500, blank=True)
    cancel_full_refund_hours = models.PositiveIntegerField(default=24)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "tutoring offer")
        verbose_name_plural = pgettext_lazy("model", "tutoring offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION, duration_minutes__lte=MAX_DURATION),
                name="offer_duration_15_to_180",
            ),
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="offer_price_positive"),
            models.CheckConstraint(
                condition=Q(
                    buffer_before_minutes__lte=MAX_BUFFER_MINUTES,
                    buffer_after_minutes__lte=MAX_BUFFER_MINUTES,
                ),
                name="offer_buffers_bounded",
            ),
            models.CheckConstraint(
                condition=Q(max_days_ahead__gte=MIN_DAYS_AHEAD, max_days_ahead__lte=MAX_DAYS_AHEAD),
                name="offer_window_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"

    def clean(self) -> None:
        errors = {}
        for name, (low, high) in OFFER_BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, int) and not low <= value <= high:
                errors[name] = _("From %(low)s to %(high)s.") % {"low": low, "high": high}
        if errors:
            raise ValidationError(errors)


class WeeklyAvailability(models.Model):
    """A recurring window, e.g. Mondays 09:00-12:00 in the offer's time zone."""

    offer = models.ForeignKey(TutoringOffer, on_delete=models.CASCADE, related_name="weekly")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday.")
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_weekday_0_to_6"),
            models.CheckConstraint(condition=Q(start_time__lt=F("end_time")), name="weekly_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"day {self.weekday} {self.start_time}-{self.end_time}"


class DateOverride(models.Model):
    """Replaces the weekly windows on one local date; ``blackout`` makes the whole day unavailable."""

    offer = models.ForeignKey(TutoringOffer, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    blackout = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(blackout=True, start_time__isnull=True, end_time__isnull=True)
                | Q(blackout=False, start_time__lt=F("end_time")),
                name="override_window_or_blackout",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {'blackout' if self.blackout else f'{self.start_time}-{self.end_time}'}"


class BookingStatus(models.TextChoices):
    HELD = "held", "Held while paying"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Hold expired"
    COMPLETED = "completed", "Completed"


BLOCKING = [BookingStatus.HELD, BookingStatus.CONFIRMED]
MAX_RESCHEDULES = 1  # a booking moves once; the new time is final

# Booking emails, each claimed once through its column. Reminders go out this long before.
EMAIL_FIELDS = {
    "confirmed": "confirmation_sent_at",
    "rescheduled": "reschedule_sent_at",
    "cancelled": "cancellation_sent_at",
    "reminder_24h": "reminder_24h_sent_at",
    "reminder_1h": "reminder_1h_sent_at",
}
REMINDER_LEADS = {"reminder_24h": timedelta(hours=24), "reminder_1h": timedelta(hours=1)}


def email_due(kind: str, now: datetime) -> Q:
    """When a booking email is still worth sending: checked again by the UPDATE that claims it.

    A reminder goes out only if the booking already stood at its current time when the reminder's
    moment came (confirmed 3 h before the start: no 24 h reminder, the confirmation says it all),
    and the 24 h one only while the 1 h one is not due yet (a late beat sends the nearer one).
    """
    if kind == "cancelled":
        return Q(status=BookingStatus.CANCELLED, scheduled_at__isnull=False)  # it had been confirmed
    due = Q(status=BookingStatus.CONFIRMED, starts_at__gt=now)
    if kind == "rescheduled":
        due &= Q(reschedules__gte=1)
    lead = REMINDER_LEADS.get(kind)
    if lead is not None:
        due &= Q(starts_at__lte=now + lead, scheduled_at__lte=F("starts_at") - lead)
    if kind == "reminder_24h":
        due &= Q(starts_at__gt=now + REMINDER_LEADS["reminder_1h"])
    return due


class Booking(models.Model):
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    offer = models.ForeignKey(TutoringOffer, on_delete=models.PROTECT, related_name="bookings")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tutoring_bookings"
    )
    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="tutoring_bookings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    blocked_from = models.DateTimeField(help_text="starts_at minus the buffer before.")
    blocked_until = models.DateTimeField(help_text="ends_at plus the buffer after.")
    timezone = models.CharField(max_length=64, help_text="The offer's time zone when booked.")
    buyer_timezone = models.CharField(
        max_length=64,
        blank=True,
        help_text="The buyer's IANA zone, if they gave one: their emails and invite.",
    )
    price_amount = models.BigIntegerField()
    price_currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    reschedules = models.PositiveSmallIntegerField(default=0)
    rescheduled_by = models.CharField(
        max_length=10, blank=True, help_text="buyer or seller; a tutor's move keeps the buyer's full refund"
    )
    cancelled_by = models.CharField(max_length=10, blank=True, help_text="buyer or seller")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was confirmed at its current time (payment or reschedule)."
    )
    # Each email is claimed by setting its column with a conditional UPDATE (null -> now), so two
    # workers or two beat runs never send it twice; a reschedule clears the reminders.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reschedule_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_24h_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_1h_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model", "booking")
        verbose_name_plural = pgettext_lazy("model", "bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="booking_start_before_end"),
            models.CheckConstraint(
                condition=Q(blocked_from__lte=F("starts_at"), blocked_until__gte=F("ends_at")),
                name="booking_block_covers_session",
            ),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            models.CheckConstraint(
                condition=Q(reschedules__lte=MAX_RESCHEDULES), name="booking_reschedule_once"
            ),
            PostgresExclusionConstraint(
                name="booking_no_overlap",
                expressions=[
                    (TsTzRange("blocked_from", "blocked_until", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("seller", RangeOperators.EQUAL),
                ],
                condition=Q(status__in=BLOCKING),
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "blocked_from"]),
            models.Index(fields=["buyer", "-starts_at"]),
            models.Index(fields=["status", "hold_expires_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"booking {self.public_id} ({self.status})"

    @property
    def ical_sequence(self) -> int:
        """SEQUENCE of its invite: bumped by the reschedule, and once more by a cancellation."""
        return self.reschedules + (1 if self.status == BookingStatus.CANCELLED else 0)


REVIEW_TEXT_MAX = 2000


class TutorReview(models.Model):
    """The buyer's rating of a session they had: one per booking, after it ended."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reviews")
    offer = models.ForeignKey(TutoringOffer, on_delete=models.PROTECT, related_name="reviews")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tutor_reviews_received"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tutor_reviews_written"
    )
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=REVIEW_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = pgettext_lazy("model", "tutor review")
        verbose_name_plural = pgettext_lazy("model", "tutor reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["booking"], name="tutor_review_one_per_booking"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="tutor_review_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["offer", "-created_at", "-id"], name="tutor_review_offer_recent")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for booking {self.booking_id}"
