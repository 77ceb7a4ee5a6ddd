"""The tutor's pages under dashboard/tutoring/: their offers, publishing and editing one, its hours.

Each page calls the service the seller offers API calls (offer_create, offer_update,
availability_set). Bad input, and anything the services refuse, comes back as form errors with a
400, and nothing is written. Another seller's offer is a 404, as in the API.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.tutoring.common import (
    OFFERS_PAGE,
    locale,
    visitor_zone,
    zone_label,
)
from marketplace.storefront.views.tutoring.hours_forms import OverrideFormSet, WeeklyHoursForm
from marketplace.storefront.views.tutoring.tutor_forms import OfferForm
from marketplace.storefront.views.verification import verification_step
from marketplace.tutoring import selectors, services
from marketplace.tutoring.models import DateOverride, TutoringOffer
from marketplace.tutoring.services import Override

# Where the services' field names show up in the form.
FORM_FIELD_OF = {
    "price_amount": "price",
    "price.amount": "price",
    "price_currency": "currency",
    "price.currency": "currency",
    "timezone": "timezone_other",
    "languages": "other_languages",
}


def _own_offer_or_404(request: HttpRequest, public_id: str) -> TutoringOffer:
    try:
        return selectors.offer_get_for_seller(seller=current_user(request), public_id=public_id)
    except NotFound:
        raise Http404("You have no tutoring offer with this id.") from None


def wall_label(moment: time) -> str:
    """A wall-clock time of the tutor's hours: '9:00 AM' / '09:00'."""
    return str(format_time(moment, "short", locale=locale()))


def _hours_summary(offer: TutoringOffer) -> list[tuple[str, str]]:
    """[("Mon", "9:00 AM – 12:00 PM"), ...] from the prefetched weekly rules."""
    days: dict[int, list[str]] = {}
    for rule in offer.weekly.all():
        days.setdefault(rule.weekday, []).append(
            f"{wall_label(rule.start_time)} – {wall_label(rule.end_time)}"
        )
    return [(str(WEEKDAYS_ABBR[day]), ", ".join(windows)) for day, windows in sorted(days.items())]


def _upcoming_overrides(offer: TutoringOffer) -> tuple[list[DateOverride], list[DateOverride]]:
    """The offer's date overrides from today on (in its zone), and the past ones."""
    today = timezone.now().astimezone(ZoneInfo(offer.timezone)).date()
    rows = list(offer.overrides.all())
    return [o for o in rows if o.date >= today], [o for o in rows if o.date < today]


@login_required
@never_cache
@require_safe
def tutor_offers(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    offers = selectors.offers_for_seller(seller=user).order_by("-created_at", "-pk")
    page = Paginator(offers, OFFERS_PAGE).get_page(request.GET.get("page"))
    rows = []
    for offer in page:
        upcoming, _past = _upcoming_overrides(offer)
        rows.append({"offer": offer, "hours": _hours_summary(offer), "date_changes": len(upcoming)})
    context = {"page": page, "rows": rows, "can_accept_payments": user.can_accept_payments}
    return render(request, "storefront/tutoring/manage/offers.html", context)


def add_service_errors(form: OfferForm, error: ApplicationError | DjangoValidationError) -> None:
    """A service's refusal as form errors, on the field it names (or the whole form)."""
    if isinstance(error, DjangoValidationError):
        items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    else:
        items = error.fields.items() if error.fields else [(None, [error.message])]
    for field, field_messages in items:
        name = FORM_FIELD_OF.get(field or "", field)
        form.add_error(
            name if name in form.fields and name != NON_FIELD_ERRORS else None, list(field_messages)
        )


def _offer_form_page(request: HttpRequest, form: OfferForm, offer: TutoringOffer | None) -> HttpResponse:
    context = {"form": form, "offer": offer, "can_accept_payments": current_user(request).can_accept_payments}
    status = 400 if form.is_bound else 200
    return render(request, "storefront/tutoring/manage/offer_form.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tutor_offer_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _offer_form_page(request, OfferForm.for_new(zone=visitor_zone(request).key), None)
    form = OfferForm(request.POST, zone=request.POST.get("timezone", "UTC")[:64])
    if form.is_valid():
        try:
            offer = services.offer_create(seller=current_user(request), **form.offer_fields())
        except (ApplicationError, DjangoValidationError) as error:
            if isinstance(error, ApplicationError) and (
                step := verification_step(request, error, reverse("web:tutor-offer-new"))
            ):
                return step
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your offer is saved. Now set the hours when buyers can book it."))
            return see_other(reverse("web:tutor-offer-hours", args=[offer.public_id]))
    return _offer_form_page(request, form, None)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tutor_offer_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    offer = _own_offer_or_404(request, public_id)
    form = OfferForm.for_offer(offer, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            offer = services.offer_update(offer=offer, fields=form.offer_fields())
        except (ApplicationError, DjangoValidationError) as error:
            back = reverse("web:tutor-offer-edit", args=[offer.public_id])
            if isinstance(error, ApplicationError) and (step := verification_step(request, error, back)):
                return step
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return see_other(reverse("web:tutor-offer-edit", args=[offer.public_id]))
    return _offer_form_page(request, form, offer)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tutor_offer_hours(request: HttpRequest, public_id: str) -> HttpResponse:
    """Weekly hours and date overrides, replaced together by availability_set, as the API's PUT does."""
    offer = _own_offer_or_404(request, public_id)
    upcoming, past = _upcoming_overrides(offer)
    data = request.POST if request.method == "POST" else None
    weekly = WeeklyHoursForm.for_offer(offer, data)
    overrides = OverrideFormSet(
        data,
        prefix="override",
        initial=[{"date": o.date, "start": o.start_time, "end": o.end_time} for o in upcoming],
    )
    if data is not None and weekly.is_valid() and overrides.is_valid():
        # Past dates are not shown; they are kept as they were.
        kept = [Override(o.date, o.start_time, o.end_time, o.blackout) for o in past]
        try:
            services.availability_set(offer=offer, weekly=weekly.rules, overrides=kept + overrides.overrides)
        except ApplicationError as error:
            weekly.add_error(None, error.message)
        else:
            messages.success(request, _("Your hours are saved."))
            return see_other(reverse("web:tutor-offer-hours", args=[offer.public_id]))
    context: dict[str, Any] = {
        "offer": offer,
        "weekly": weekly,
        "overrides": overrides,
        "zone_label": zone_label(ZoneInfo(offer.timezone)),
        "can_accept_payments": current_user(request).can_accept_payments,
    }
    return render(
        request, "storefront/tutoring/manage/hours.html", context, status=400 if data is not None else 200
    )
