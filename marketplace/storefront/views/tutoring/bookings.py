"""My bookings (as buyer and as tutor), cancelling by policy, the .ics invite, and reviewing the tutor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, DateTimeField, F, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, NotFound
from marketplace.core.money import format_money
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.tutoring.common import (
    BOOKINGS_PAGE,
    STATUS_LABELS,
    day_label,
    flash_error,
    slot_picker,
    time_label,
)
from marketplace.storefront.views.verification import verification_step
from marketplace.tutoring import ics, selectors
from marketplace.tutoring import services as tutoring_services
from marketplace.tutoring.models import REVIEW_TEXT_MAX, Booking, BookingStatus, TutorReview
from marketplace.tutoring.parsing import parse_start
from marketplace.tutoring.policy import BUYER, SELLER, BookingTerms, booking_terms
from payments import services as payment_services
from payments.models import Order, OrderStatus
from payments.services.bookings import booking_review as booking_review_service


@dataclass
class BookingRow:
    booking: Booking
    role: str
    other: User
    date_label: str
    time_label: str
    status_label: str
    checkout_url: str = ""
    can_cancel: bool = False
    cancel_question: str = ""
    refund_note: str = ""
    has_invite: bool = False
    can_review: bool = False
    can_reschedule: bool = False
    reschedule_note: str = ""


def _soonest_first(rows: QuerySet[Booking], now: datetime) -> QuerySet[Booking]:
    """Sessions still to come, soonest first, then past ones, latest first."""
    upcoming = Q(ends_at__gte=now)
    return rows.annotate(
        past=Case(When(upcoming, then=Value(0)), default=Value(1)),
        upcoming_start=Case(When(upcoming, then=F("starts_at")), output_field=DateTimeField()),
    ).order_by("past", "upcoming_start", "-starts_at", "-pk")


def _cancel_texts(booking: Booking, terms: BookingTerms, paid: Order | None) -> tuple[str, str]:
    """(the confirm question, the refund line shown beside the button), from the backend's policy."""
    if booking.status == BookingStatus.HELD:
        return _("Cancel this booking? Nothing has been charged."), _("Not paid yet: nothing to refund.")
    role = terms.role
    amount = paid.refundable_amount if paid is not None and terms.cancel_refunds_in_full else 0
    money = format_money(amount, booking.price_currency)
    hours = booking.offer.cancel_full_refund_hours
    if role == "seller":
        if not amount:
            return _("Cancel this session? Nothing is left to refund."), _("Nothing is left to refund.")
        return (
            _("Cancel this session? The buyer gets a full refund of %(amount)s.") % {"amount": money},
            _("The buyer gets a full refund of %(amount)s.") % {"amount": money},
        )
    if amount:
        deadline = terms.full_refund_deadline.astimezone(timezone.get_current_timezone())
        return (
            _("Cancel this session? You get a full refund of %(amount)s.") % {"amount": money},
            _("Full refund of %(amount)s if you cancel before %(deadline)s.")
            % {"amount": money, "deadline": f"{day_label(deadline.date())} {time_label(deadline)}"},
        )
    return (
        _("Cancel this session? The tutor's policy gives no refund less than %(hours)s h before the start.")
        % {"hours": hours},
        _("No refund: it is less than %(hours)s h before the start.") % {"hours": hours},
    )


def _reschedule_note(booking: Booking, terms: BookingTerms, now: datetime) -> str:
    if booking.status != BookingStatus.CONFIRMED or booking.starts_at <= now:
        return ""
    if booking.reschedules and booking.rescheduled_by == SELLER and terms.role == BUYER:
        return _("Your tutor moved this session: you can cancel it for a full refund until it starts.")
    if booking.reschedules:
        return _("Rescheduled once: this time cannot change again.")
    if terms.can_reschedule:
        deadline = terms.full_refund_deadline.astimezone(timezone.get_current_timezone())
        return _("You can move it once, until %(deadline)s.") % {
            "deadline": f"{day_label(deadline.date())} {time_label(deadline)}"
        }
    return ""


def _booking_rows(bookings: list[Booking], *, user: User, now: datetime) -> list[BookingRow]:
    """One row per booking, with what this user may do with it: two queries for the whole page."""
    zone = timezone.get_current_timezone()
    orders: dict[int, dict[str, Order]] = {}
    for order in Order.objects.filter(
        booking__in=bookings, status__in=[OrderStatus.PAID, OrderStatus.PENDING]
    ):
        orders.setdefault(order.booking_id or 0, {})[order.status] = order
    reviewed = set(TutorReview.objects.filter(booking__in=bookings).values_list("booking_id", flat=True))
    rows = []
    for booking in bookings:
        paid, pending = orders.get(booking.pk, {}).get("paid"), orders.get(booking.pk, {}).get("pending")
        kept = paid is not None and paid.refunded_amount == 0 and not paid.disputed
        terms = booking_terms(booking=booking, user=user, now=now, kept=kept)
        role = terms.role
        start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
        row = BookingRow(
            booking=booking,
            role=role,
            other=booking.buyer if role == "seller" else booking.seller,
            date_label=day_label(start.date()),
            time_label=f"{time_label(start)} – {time_label(end)}",
            status_label=str(STATUS_LABELS.get(booking.status, booking.status)),
            has_invite=booking.scheduled_at is not None,
        )
        live_hold = booking.status == BookingStatus.HELD and (booking.hold_expires_at or now) > now
        if role == "buyer" and live_hold and pending is not None:
            row.checkout_url = pending.checkout_url
        if terms.can_cancel:
            row.can_cancel = True
            row.cancel_question, row.refund_note = _cancel_texts(booking, terms, paid)
        # The website lets the buyer move a session; a tutor moves theirs through the API.
        row.can_reschedule = role == BUYER and terms.can_reschedule
        row.reschedule_note = _reschedule_note(booking, terms, now)
        row.can_review = terms.can_review and booking.pk not in reviewed
        rows.append(row)
    return rows


@login_required
@require_safe
def my_bookings(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = timezone.now()
    booked = Paginator(_soonest_first(selectors.bookings_for_buyer(buyer=user), now), BOOKINGS_PAGE)
    taught = Paginator(_soonest_first(selectors.bookings_for_seller(seller=user), now), BOOKINGS_PAGE)
    booked_page = booked.get_page(request.GET.get("page"))
    taught_page = taught.get_page(request.GET.get("taught"))
    context = {
        "booked_page": booked_page,
        "booked": _booking_rows(list(booked_page), user=user, now=now),
        "taught_page": taught_page,
        "taught": _booking_rows(list(taught_page), user=user, now=now) if taught.count else [],
        "review_max": REVIEW_TEXT_MAX,
    }
    return render(request, "storefront/tutoring/bookings.html", context)


def _party_booking_or_404(user: User, public_id: str) -> Booking:
    """A booking of which the user is the buyer or the tutor; anyone else gets a 404."""
    try:
        return selectors.booking_get_for_party(user=user, public_id=public_id)
    except NotFound:
        raise Http404("You have no booking with this id.") from None


@login_required
@require_POST
def booking_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    user = current_user(request)
    booking = _party_booking_or_404(user, public_id)
    was_paid = booking.status == BookingStatus.CONFIRMED
    try:
        refund = payment_services.booking_cancel(booking=booking, by=user)
    except ApplicationError as exc:
        flash_error(request, exc)
        return see_other(reverse("web:my-bookings"))
    if refund is not None:
        money = format_money(refund.amount, booking.price_currency)
        messages.success(request, _("Cancelled. A refund of %(amount)s is on its way.") % {"amount": money})
    elif was_paid:
        messages.success(request, _("Cancelled. Under the cancellation policy nothing is refunded."))
    else:
        messages.success(request, _("Cancelled. Nothing was charged."))
    return see_other(reverse("web:my-bookings"))


@login_required
@require_safe
def booking_ics(request: HttpRequest, public_id: str) -> HttpResponse:
    """The calendar invite, for the buyer or the tutor, built by tutoring's .ics builder."""
    user = current_user(request)
    booking = _party_booking_or_404(user, public_id)
    if booking.scheduled_at is None:
        raise Http404("This booking was never confirmed, so it has no invite.")
    response = HttpResponse(ics.invite(booking, for_user=user), content_type=ics.content_type(booking))
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(booking)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def booking_review(request: HttpRequest, public_id: str) -> HttpResponse:
    """The buyer rates the tutor of a session they had, once."""
    user = current_user(request)
    try:
        booking = selectors.booking_get_for_buyer(buyer=user, public_id=public_id)
    except NotFound:
        raise Http404("You have no booking with this id.") from None
    try:
        rating = int(request.POST.get("rating", ""))
    except ValueError:
        rating = 0
    try:
        booking_review_service(
            booking=booking, by=user, rating=rating, text=request.POST.get("text", "")[:REVIEW_TEXT_MAX]
        )
    except ApplicationError as exc:
        if step := verification_step(request, exc, reverse("web:my-bookings")):
            return step
        if exc.code == "invalid":
            messages.error(request, _("Rate the session from 1 to 5 stars."))
        else:
            flash_error(request, exc)
    else:
        messages.success(request, _("Thank you! Your review is on the tutor's offer page."))
    return see_other(reverse("web:my-bookings"))


# --- rescheduling ---------------------------------------------------------------------------------------


def _not_reschedulable_message(booking: Booking) -> str:
    """Why the service refused to move it, in the visitor's language."""
    if booking.status != BookingStatus.CONFIRMED:
        return _("Only confirmed bookings can be rescheduled.")
    if booking.reschedules:
        return _("This booking has been rescheduled once already; it cannot be moved again.")
    return _("Rescheduling closes %(hours)s h before the session.") % {
        "hours": booking.offer.cancel_full_refund_hours
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def booking_reschedule(request: HttpRequest, public_id: str) -> HttpResponse:
    """The buyer moves a confirmed session once, within the policy: the offer's slot picker, then the
    reschedule service the API calls. Refusals come back as messages."""
    user = current_user(request)
    try:
        booking = selectors.booking_get_for_buyer(buyer=user, public_id=public_id)
    except NotFound:
        raise Http404("You have no booking with this id.") from None
    now = timezone.now()
    terms = booking_terms(booking=booking, user=user, now=now)
    if not terms.can_reschedule:
        messages.error(request, _not_reschedulable_message(booking))
        return see_other(reverse("web:my-bookings"))
    here = reverse("web:booking-reschedule", args=[booking.public_id])
    if request.method == "POST":
        return _reschedule_post(request, booking, here)
    zone = timezone.get_current_timezone()
    start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    context = {
        "booking": booking,
        "offer": booking.offer,
        "current_label": f"{day_label(start.date())} {time_label(start)} – {time_label(end)}",
        "note": _reschedule_note(booking, terms, now),
        **slot_picker(request, booking.offer, moving=booking),
    }
    return render(request, "storefront/tutoring/reschedule.html", context)


def _reschedule_post(request: HttpRequest, booking: Booking, here: str) -> HttpResponse:
    first = request.POST.get("from", "")[:10]
    back = f"{here}?{urlencode({'from': first})}" if first else here
    try:
        start = parse_start(request.POST.get("start"))
        moved = tutoring_services.booking_reschedule(booking=booking, by=current_user(request), start=start)
    except ApplicationError as exc:
        if exc.code == "not_reschedulable":
            booking.refresh_from_db()
            messages.error(request, _not_reschedulable_message(booking))
            return see_other(reverse("web:my-bookings"))
        flash_error(request, exc)
        return see_other(back)
    local = moved.starts_at.astimezone(timezone.get_current_timezone())
    messages.success(
        request,
        _("Your session is moved to %(when)s. A session can be moved once, so this time is final.")
        % {"when": f"{day_label(local.date())} {time_label(local)}"},
    )
    return see_other(reverse("web:my-bookings"))
