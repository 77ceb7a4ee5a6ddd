"""Submit, archive, restore and delete a listing, and its draft preview, from the website."""

from __future__ import annotations

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from marketplace.core.errors import ApplicationError
from marketplace.storefront.views.catalog import render_listing_page
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.studio.common import own_listing_or_404
from marketplace.storefront.views.studio.editor import editor_for_errors
from marketplace.storefront.views.verification import verification_step
from prompts import lifecycle, services
from prompts.documents import listing_documents_refresh
from prompts.models import ListingStatus


def _edit_url(public_id: str) -> str:
    return reverse("web:studio-edit", args=[public_id])


@login_required
@require_POST
def listing_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    listing = own_listing_or_404(request, public_id)
    try:
        listing = services.listing_submit(listing=listing, by=current_user(request))
    except ApplicationError as error:
        if step := verification_step(request, error, _edit_url(public_id)):
            return step
        # The reasons next to the fields they name: screening's blocked fields, missing images...
        if error.code == "payouts_not_ready":  # the service's message names the API's endpoint
            message = _("Set up payouts on your seller dashboard before selling paid listings.")
            error = ApplicationError(error.code, message, fields={"price": [message]}, status_code=409)
        return editor_for_errors(request, own_listing_or_404(request, public_id), error, error.status_code)
    if listing.status == ListingStatus.PUBLISHED:
        messages.success(request, _("Your listing is published: buyers can find it now."))
    else:
        messages.success(
            request, _("Your listing is submitted. A moderator will review it before it goes on sale.")
        )
    return see_other(_edit_url(public_id))


def _transition(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    listing = own_listing_or_404(request, public_id)
    service = {"archive": services.listing_archive, "restore": lifecycle.listing_restore}[action]
    try:
        service(listing=listing, by=current_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The listing is archived: it is no longer on sale. Buyers who own it keep it.")
            if action == "archive"
            else _("The listing is back in your drafts. Submit it to put it on sale again."),
        )
    return see_other(_edit_url(public_id))


@login_required
@require_POST
def listing_archive(request: HttpRequest, public_id: str) -> HttpResponse:
    return _transition(request, public_id, "archive")


@login_required
@require_POST
def listing_restore(request: HttpRequest, public_id: str) -> HttpResponse:
    return _transition(request, public_id, "restore")


@login_required
@require_POST
def listing_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    listing = own_listing_or_404(request, public_id)
    try:
        services.listing_delete(listing=listing, by=current_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return see_other(_edit_url(public_id))
    messages.success(request, _("The draft is deleted."))
    return see_other(reverse("web:dashboard"))


@login_required
@never_cache
@require_safe
def listing_preview(request: HttpRequest, public_id: str) -> HttpResponse:
    """The buyer's listing page, built by the same code, for the seller only, marked not public."""
    listing = own_listing_or_404(request, public_id)
    if not listing.detail_json:
        listing_documents_refresh(listing_id=listing.pk)
        listing.refresh_from_db(fields=["detail_json"])
    document = orjson.loads(listing.detail_json)
    return render_listing_page(request, document, listing, preview=True)
