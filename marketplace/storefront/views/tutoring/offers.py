"""The offers list, an offer's page with its slot picker in the visitor's time zone, and booking a slot.

Slots come from the selector the slots API uses and are shown in the visitor's zone (the `tz`
cookie, see middleware.py); each start is posted back with its UTC offset, so the instant booked
is the instant shown whatever zone the page was rendered in.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Avg, Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import (
    current_user,
    flash_checkout_refusal,
    see_other,
    shown_price,
    site_url,
)
from marketplace.storefront.views.tutoring.common import (
    LIBRARY_CHOICES,
    OFFERS_PAGE,
    REVIEWS_SHOWN,
    flash_error,
    slot_picker,
)
from marketplace.storefront.views.verification import verification_step
from marketplace.tutoring import selectors
from marketplace.tutoring.models import BookingStatus, TutoringOffer
from marketplace.tutoring.parsing import parse_start
from payments import services as payment_services
from payments.models import Order, OrderStatus
from payments.selectors import library_for
from payments.services.pricing import session_price
from prompts.models import Listing

# --- the offers -------------------------------------------------------------------------------------


def _public_offers() -> QuerySet[TutoringOffer]:
    """Active offers, newest first, with their tutor and the rating of their sessions: one query."""
    return (
        TutoringOffer.objects.filter(is_active=True)
        .select_related("seller")
        .annotate(rating_average=Avg("reviews__rating"), rating_count=Count("reviews"))
        .order_by("-created_at", "-pk")
    )


def _offer_or_404(public_id: str) -> TutoringOffer:
    try:
        return selectors.offer_get_public(public_id=public_id)
    except NotFound:
        raise Http404("No tutoring offer has this id.") from None


@require_safe
def offers(request: HttpRequest) -> HttpResponse:
    page = Paginator(_public_offers(), OFFERS_PAGE).get_page(request.GET.get("page"))
    return render(request, "storefront/tutoring/offers.html", {"page": page, "offers": list(page)})


def _offer_url(offer: TutoringOffer, first: str = "", code: str = "") -> str:
    url = reverse("web:tutoring-offer", args=[offer.public_id])
    query = urlencode({name: value for name, value in (("from", first), ("code", code)) if value})
    return f"{url}?{query}" if query else url


def _library_choices(user: User) -> list[tuple[str, str]]:
    """The buyer's unlocked listings (public id, title), newest first, to pick one to work on."""
    choices = []
    for row in library_for(buyer=user)[:LIBRARY_CHOICES]:
        card = orjson.loads(row["listing__card_json"]) if row["listing__card_json"] else {}
        choices.append((row["listing__public_id"], str(card.get("title") or row["listing__public_id"])))
    return choices


@require_safe
def offer_page(request: HttpRequest, public_id: str) -> HttpResponse:
    offer = _offer_or_404(public_id)
    user = current_user(request) if request.user.is_authenticated else None
    own = user is not None and user.pk == offer.seller_id
    can_book = offer.seller.can_accept_payments and not own
    code = request.GET.get("code", "").strip()[:60]
    context = {
        "offer": offer,
        **_priced_with_code(user, offer, code if can_book else ""),
        **slot_picker(request, offer),
        "rating": selectors.offer_rating(offer=offer),
        "reviews": list(selectors.reviews_for_offer(offer=offer)[:REVIEWS_SHOWN]),
        "own": own,
        "can_book": can_book,
        "bookable": can_book and user is not None,
        "hold_minutes": settings.TUTORING_HOLD_MINUTES,
        "login_url": reverse("web:login") + "?" + urlencode({"next": request.get_full_path()}),
        "library": _library_choices(user) if user is not None and not own else [],
    }
    return render(request, "storefront/tutoring/offer.html", context)


def _priced_with_code(user: User | None, offer: TutoringOffer, code: str) -> dict[str, object]:
    """The code typed, why it does not apply, and what the buyer pays: the price the booking form
    carries, so a booking is charged what the page showed."""
    line, applied, code_error = None, None, ""
    if user is not None and code:
        try:
            line, applied = session_price(buyer=user, session=offer, code=code)
        except ApplicationError as exc:
            code_error = exc.message
    return {
        "code": code,
        "code_error": code_error,
        "session_price": line,
        "applied_code": applied,
        "pay_amount": line.amount if line is not None else offer.price_amount,
    }


# --- booking ------------------------------------------------------------------------------------------


def _chosen_listing(value: str) -> Listing | None:
    if not value:
        return None
    listing = Listing.objects.filter(public_id=value[:16]).first()
    if listing is None:
        raise ApplicationError("listing_not_owned", _("Link a listing you have bought."))
    return listing


def _own_pending_checkout(buyer: User, offer: TutoringOffer, start: datetime) -> str:
    """The checkout of the buyer's own live hold of this very slot (a double-submitted form)."""
    order = (
        Order.objects.filter(
            buyer=buyer,
            status=OrderStatus.PENDING,
            booking__offer=offer,
            booking__starts_at=start,
            booking__status=BookingStatus.HELD,
            booking__hold_expires_at__gt=timezone.now(),
        )
        .exclude(checkout_url="")
        .first()
    )
    return order.checkout_url if order is not None else ""


@login_required
@require_POST
def book(request: HttpRequest, public_id: str) -> HttpResponse:
    """Hold the chosen slot and go to checkout; any refusal comes back to the offer page as a message.

    The code typed travels with the slot and the price shown: "Update the price" only prices the
    code; a time chosen with a code not applied yet, or one that does not apply, holds nothing and
    comes back to the page with the new price or the code's error.
    """
    offer = _offer_or_404(public_id)
    user = current_user(request)
    code = request.POST.get("code", "").strip()[:60]
    back = _offer_url(offer, request.POST.get("from", "")[:10], code)
    if request.POST.get("intent") == "update":
        return see_other(back + "#slots")
    try:
        start = parse_start(request.POST.get("start"))
    except ApplicationError as exc:
        flash_error(request, exc)
        return see_other(back)
    try:
        result = payment_services.booking_place(
            buyer=user,
            offer=offer,
            start=start,
            listing=_chosen_listing(request.POST.get("listing", "")),
            buyer_timezone=getattr(request, "visitor_timezone", ""),
            site_url=site_url(request),
            code=code,
            shown_price=shown_price(request),
        )
    except ApplicationError as exc:
        # The same form sent twice: the first request holds the slot; the second goes to its checkout.
        pending = _own_pending_checkout(user, offer, start) if exc.code == "slot_taken" else ""
        if pending:
            return see_other(pending)
        if step := verification_step(request, exc, back):
            return step
        if exc.code == "price_changed":
            flash_checkout_refusal(request, exc)
        else:
            flash_error(request, exc)
        return see_other(back)
    return see_other(result.checkout_url or reverse("web:my-bookings"))
