"""Bundles on the website: the public page with what this buyer pays, and buying it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import (
    current_user,
    flash_checkout_refusal,
    see_other,
    shown_price,
    site_url,
)
from marketplace.storefront.views.purchases import same_site_url
from marketplace.storefront.views.verification import verification_step
from payments.services.bundles import BundleQuote, bundle_checkout_start, bundle_quote
from prompts import bundles as bundle_selectors
from prompts.models import Bundle

BUNDLE_COVERS = 4  # thumbnails on a bundle's card


def _bundle(public_id: str) -> Bundle:
    try:
        return bundle_selectors.bundle_get_public(public_id=public_id)
    except NotFound:
        raise Http404("No bundle on sale has this id.") from None


def _page_url(bundle: Bundle, code: str = "") -> str:
    url = reverse("web:bundle-page", args=[bundle.public_id])
    return url + "?" + urlencode({"code": code}) if code else url


def _quote(request: HttpRequest, bundle: Bundle, code: str) -> tuple[BundleQuote | None, str, str]:
    """(the quote, why it could not be made, why the code did not apply) for a signed-in visitor."""
    if not request.user.is_authenticated:
        return None, "", ""
    buyer = current_user(request)
    try:
        return bundle_quote(buyer=buyer, bundle=bundle, code=code), "", ""
    except ApplicationError as exc:
        if not code or exc.code in ("already_owned", "own_listing"):
            return None, exc.message, ""
        try:
            return bundle_quote(buyer=buyer, bundle=bundle), "", exc.message
        except ApplicationError as again:
            return None, again.message, ""


@require_safe
def bundle_page(request: HttpRequest, public_id: str) -> HttpResponse:
    bundle = _bundle(public_id)
    listings = bundle_selectors.bundle_listings(bundle)
    list_total = sum(listing.price_amount for listing in listings)
    code = request.GET.get("code", "").strip()[:60]
    priced, refusal, code_error = _quote(request, bundle, code)
    context: dict[str, Any] = {
        "bundle": bundle,
        "cards": [_card(listing) for listing in listings],
        "list_total": list_total,
        "full_price": sum(
            listing.price_amount - listing.price_amount * bundle.discount_percent // 100
            for listing in listings
        ),
        "quote": priced,
        "refusal": refusal,
        "code": code,
        "code_error": code_error,
        "owned_count": len(priced.owned) if priced else 0,
        "member_count": len(listings),
    }
    return render(request, "storefront/bundles/bundle.html", context)


def _card(listing: Any) -> dict[str, Any]:
    return (
        orjson.loads(listing.card_json)
        if listing.card_json
        else {"id": listing.public_id, "title": listing.title}
    )


def bundle_cards(bundles: Iterable[Bundle]) -> list[dict[str, Any]]:
    """A card per bundle (listing and seller pages): the bundle, its size, and the cover images of
    its first listings that have one, from the prefetched members' stored cards."""
    rows = []
    for bundle in bundles:
        listings = bundle_selectors.bundle_listings(bundle)
        covers = [cover for listing in listings if (cover := _card(listing).get("cover"))]
        rows.append({"bundle": bundle, "count": len(listings), "covers": covers[:BUNDLE_COVERS]})
    return rows


@login_required
@require_POST
def bundle_buy(request: HttpRequest, public_id: str) -> HttpResponse:
    """Pay for the bundle at the price shown, or, charging nothing, back to the page with the code's
    error or the new price; "Update the price" only prices the code typed."""
    bundle = _bundle(public_id)
    code = request.POST.get("code", "").strip()[:60]
    if request.POST.get("intent") == "update":
        return see_other(_page_url(bundle, code) + "#bundle-buy-h")
    try:
        result = bundle_checkout_start(
            buyer=current_user(request),
            bundle=bundle,
            site_url=site_url(request),
            code=code,
            shown_price=shown_price(request),
        )
    except ApplicationError as exc:
        if step := verification_step(request, exc, _page_url(bundle)):
            return step
        flash_checkout_refusal(request, exc)
        return see_other(_page_url(bundle, code))
    if result.unlocked:
        messages.success(request, _("Unlocked. The prompts are in your library."))
        return see_other(reverse("web:library"))
    return see_other(same_site_url(result.checkout_url or _page_url(bundle)))
