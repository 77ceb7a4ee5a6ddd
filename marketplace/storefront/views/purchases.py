"""Buying a listing, and what a buyer does with it: library, favourites, reviews, reports."""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import (
    current_user,
    flash_checkout_refusal,
    redirect_back,
    see_other,
    shown_price,
    site_url,
)
from marketplace.storefront.views.verification import verification_step
from payments import selectors as payment_selectors
from payments import services as payment_services
from payments.models import LICENCE_RANK, Licence, Order
from payments.selectors import has_unlocked
from payments.services.pricing import licence_prices, quote
from prompts import discovery, selectors
from prompts.models import COMPLAINT_NOTE_MAX, REVIEW_TEXT_MAX, ComplaintReason, Listing
from prompts.moderation import complaints

LIBRARY_PAGE = 24


def _listing(public_id: str, user: Any) -> Listing:
    try:
        return selectors.listing_get_visible(public_id=public_id, user=user)
    except NotFound:
        raise Http404("No published listing has this id.") from None


def _listing_url(listing: Listing) -> str:
    return reverse("web:listing-page", args=[listing.public_id])


@login_required
@require_POST
def buy(request: HttpRequest, public_id: str) -> HttpResponse:
    """The Buy button: a free listing unlocks now; a paid one goes to checkout (Stripe or sandbox).

    From the checkout page it carries the licence ticked, the code typed and the price shown beside
    Pay. "Update the price" only prices them again. Pay charges the price shown, or brings the page
    back, charging nothing, with the code's error or with the new price (a code typed but not
    applied yet, another licence ticked) for the buyer to check.
    """
    listing = _listing(public_id, request.user)
    licence = request.POST.get("licence", "")[:20]
    code = request.POST.get("code", "").strip()[:60]
    if request.POST.get("intent") == "update":
        return see_other(_checkout_url(listing, licence=licence, code=code))
    try:
        result = payment_services.checkout_start(
            buyer=current_user(request),
            listing=listing,
            site_url=site_url(request),
            licence=licence,
            code=code,
            shown_price=shown_price(request),
        )
    except ApplicationError as exc:
        if step := verification_step(request, exc, _listing_url(listing)):
            return step
        flash_checkout_refusal(request, exc)
        if licence or code:
            return see_other(_checkout_url(listing, licence=licence, code=code))
        return redirect_back(request, _listing_url(listing))
    if result.unlocked:
        messages.success(request, _("Unlocked. The prompt is below and in your library."))
        return redirect_back(request, _listing_url(listing) + "#prompt")
    return see_other(same_site_url(result.checkout_url or _listing_url(listing)))


def _checkout_url(listing: Listing, **query: str) -> str:
    return (
        reverse("web:checkout", args=[listing.public_id])
        + "?"
        + urlencode({name: value for name, value in query.items() if value})
    )


@login_required
@require_safe
def checkout_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Choose a licence and type a code: the price before and after, then Pay.

    The price shown is services.pricing's quote, the same the order will charge.
    """
    listing = _listing(public_id, request.user)
    buyer = current_user(request)
    prices = licence_prices(listing)
    held = payment_selectors.unlock_licence(user=buyer, listing=listing)
    rank = LICENCE_RANK.get(Licence(held), -1) if held else -1
    choices = [
        {"licence": name, "amount": amount, "held": held == name, "open": LICENCE_RANK[Licence(name)] > rank}
        for name, amount in prices.items()
    ]
    open_choices = [name for name in prices if LICENCE_RANK[Licence(name)] > rank]
    chosen = request.GET.get("licence", "")[:20]
    chosen = chosen if chosen in open_choices else (open_choices[0] if open_choices else "")
    code = request.GET.get("code", "").strip()[:60]
    priced, code_error = None, ""
    if chosen:
        try:
            priced = quote(buyer=buyer, item=listing, licence=chosen, code=code)
        except ApplicationError as exc:
            code_error = exc.message
            if code:  # show the price without the code, and why the code did not apply
                with contextlib.suppress(ApplicationError):
                    priced = quote(buyer=buyer, item=listing, licence=chosen)
    context = {
        "listing": listing,
        "choices": choices,
        "chosen": chosen,
        "held": held,
        "code": code,
        "code_error": code_error,
        "quote": priced.line if priced else None,
        "applied_code": priced.code if priced else None,
        "upgrade_from": priced.upgrade_from if priced else "",
    }
    return render(request, "storefront/checkout.html", context)


def same_site_url(url: str) -> str:
    """Our own URLs (the sandbox's checkout page) as paths, so the visitor stays on the host they
    came in by (localhost or 127.0.0.1), which the CSP's form-action expects."""
    if url.startswith(settings.SITE_URL + "/"):
        return url[len(settings.SITE_URL) :]
    return url


@require_safe
def order_status(request: HttpRequest, public_id: str) -> JsonResponse:
    """Polled by the return page while the payment provider's webhook is on its way.

    It only reads our database: the order changes when the provider tells us, never from here.
    """
    order = Order.objects.filter(public_id=public_id).only("status", "buyer_id", "disputed").first()
    if order is None or not request.user.is_authenticated or order.buyer_id != request.user.pk:
        return JsonResponse({"error": {"code": "not_found", "message": "No such order."}}, status=404)
    return JsonResponse({"state": order.status})


@login_required
@require_POST
def favourite(request: HttpRequest, public_id: str) -> HttpResponse:
    listing = _listing(public_id, request.user)
    if request.POST.get("action") == "remove":
        discovery.favourite_remove(buyer=current_user(request), listing_public_id=listing.public_id)
        messages.success(request, _("Removed from your favourites."))
    else:
        discovery.favourite_add(buyer=current_user(request), listing=listing)
        messages.success(request, _("Saved to your favourites."))
    return redirect_back(request, _listing_url(listing))


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"), choices=[(n, "★" * n) for n in range(5, 0, -1)], coerce=int
    )
    text = forms.CharField(
        label=gettext_lazy("Review (optional)"),
        required=False,
        max_length=REVIEW_TEXT_MAX,
        widget=forms.Textarea,
    )


@login_required
@require_POST
def review(request: HttpRequest, public_id: str) -> HttpResponse:
    """Rate a listing you unlocked, once; or, as its seller, reply to a review once."""
    listing = _listing(public_id, request.user)
    try:
        if request.POST.get("reply_to"):
            target = discovery.review_get(listing=listing, public_id=request.POST["reply_to"])
            discovery.review_reply(review=target, by=current_user(request), text=request.POST.get("text", ""))
            messages.success(request, _("Your reply is published."))
            return redirect_back(request, _listing_url(listing) + "#reviews")
        form = ReviewForm(request.POST)
        if not form.is_valid():
            raise ApplicationError("invalid", _("Choose a rating from 1 to 5 stars."))
        if not has_unlocked(user=current_user(request), listing=listing):
            raise ApplicationError("not_unlocked", _("Only buyers who unlocked this listing can rate it."))
        discovery.review_create(
            listing=listing,
            buyer=current_user(request),
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Thank you: your review is published."))
    except ApplicationError as exc:
        if step := verification_step(request, exc, _listing_url(listing) + "#reviews"):
            return step
        messages.error(request, exc.message)
    return redirect_back(request, _listing_url(listing) + "#reviews")


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"), choices=ComplaintReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Details"),
        required=False,
        max_length=COMPLAINT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What you saw and where. Links to the original work help."),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Your email (optional)"),
        required=False,
        help_text=gettext_lazy("So we can tell you what we decided."),
    )

    def __init__(self, *args: Any, signed_in: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signed_in:  # the receipt and the decision go to the account's email
            del self.fields["contact_email"]


def _report_filed_message(request: HttpRequest, report_number: str) -> str:
    values = {"id": report_number, "hours": settings.COMPLAINT_RESPONSE_HOURS}
    if request.user.is_authenticated:
        return _(
            "Thank you. Your report number is %(id)s. Moderators will decide on it within %(hours)s "
            "hours; the receipt and the decision go to %(email)s."
        ) % {**values, "email": current_user(request).email}
    return (
        _(
            "Thank you. Your report number is %(id)s. Moderators will decide on it within %(hours)s "
            "hours; if you left an email address, the receipt and the decision go there."
        )
        % values
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    """The complaint channel: anyone, signed in or not, reports a listing to staff."""
    listing = _listing(public_id, request.user)
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, signed_in=request.user.is_authenticated)
    if form.is_valid():
        complaint = complaints.complaint_file(listing=listing, reporter=request.user, **form.cleaned_data)
        messages.success(request, _report_filed_message(request, complaint.public_id))
        return redirect_back(request, _listing_url(listing))
    status = 400 if request.method == "POST" else 200
    context = {"listing": listing, "form": form, "hours": settings.COMPLAINT_RESPONSE_HOURS}
    return render(request, "storefront/report.html", context, status=status)


@require_safe
def complaints_info(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/complaints.html", {"hours": settings.COMPLAINT_RESPONSE_HOURS})


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    """Everything the buyer unlocked, newest first, searchable as the catalog is (title, tags,
    seller, model, category; synonyms in either language; a typo corrected when nothing matches)."""
    query = request.GET.get("q", "").strip()[:100]
    buyer = current_user(request)
    found = payment_selectors.library_search(buyer=buyer, text=query) if query else None
    rows = found.rows if found else payment_selectors.library_for(buyer=buyer)
    page = Paginator(rows, LIBRARY_PAGE).get_page(request.GET.get("page"))
    items = [
        {
            "card": orjson.loads(row["listing__card_json"]),
            "unlocked_at": row["granted_at"],
            "version": row["latest_version"],
            "licence": row["licence"],
        }
        for row in page
        if row["listing__card_json"]
    ]
    context = {
        "items": items,
        "page": page,
        "library_query": query,
        "corrected_query": found.corrected_query if found else None,
    }
    return render(request, "storefront/library.html", context)


@login_required
@require_safe
def favourites(request: HttpRequest) -> HttpResponse:
    rows = discovery.favourites_for(buyer=current_user(request))
    page = Paginator(rows, LIBRARY_PAGE).get_page(request.GET.get("page"))
    cards = [orjson.loads(row["listing__card_json"]) for row in page if row.get("listing__card_json")]
    return render(request, "storefront/favourites.html", {"cards": cards, "page": page})
