"""Creating and editing a listing: every field the seller listings API takes, on one page.

New listings are drafts; images are added on the edit page once the draft exists. Bad input, and
anything the services refuse, comes back as errors next to the field with a 400 and no write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from marketplace.core.errors import ApplicationError
from marketplace.storefront import labels
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.studio.common import add_service_errors, own_listing_or_404, review_state
from marketplace.storefront.views.studio.forms import ImageUploadForm, ListingForm
from prompts import selectors, services
from prompts.cleaning import extract_variables
from prompts.documents import preview_json
from prompts.models import TEXT_MODELS, ImageStatus, Listing, ListingStatus
from prompts.previews.reasons import reason_in_language

WAITING = (ImageStatus.PENDING, ImageStatus.PROCESSING)


def image_rows(listing: Listing) -> list[dict[str, Any]]:
    """The listing's images in order, each with its smallest preview and the copy warning."""
    flagged = selectors.images_flagged_as_copies(listing=listing)
    rows = []
    for image in listing.images.all():  # prefetched in position order by the selector
        sizes = preview_json(image)["sizes"] if image.status == ImageStatus.READY else []
        rows.append(
            {"image": image, "thumb": sizes[0] if sizes else None, "copied": image.public_id in flagged}
        )
    return rows


def _show_examples(form: ListingForm) -> bool:
    """Open the example outputs when they matter: a text model, or something written or wrong there."""
    model = form["target_model"].value()
    return model in TEXT_MODELS or any(field.value() or field.errors for field in form.example_fields)


def _editor_page(
    request: HttpRequest, form: ListingForm, listing: Listing | None, status: int
) -> HttpResponse:
    typed = form["prompt_text"].value() if form.is_bound else form.initial.get("prompt_text", "")
    context: dict[str, Any] = {
        "form": form,
        "listing": listing,
        "variables": extract_variables(str(typed or "")),
        "show_examples": _show_examples(form),
        "text_models": sorted(TEXT_MODELS),
        "can_accept_payments": current_user(request).can_accept_payments,
    }
    if listing is not None:
        images = image_rows(listing)
        versions = list(listing.versions.all())  # prefetched, newest first
        context.update(
            images=images,
            waiting=any(row["image"].status in WAITING for row in images),
            upload_form=ImageUploadForm(),
            versions=versions,
            next_version=(versions[0].number + 1) if versions else 1,
            review=review_state(listing),
            on_sale_before=listing.first_published_at is not None,
        )
    return render(request, "storefront/studio/editor.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def listing_new(request: HttpRequest) -> HttpResponse:
    form = ListingForm.for_new(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            listing = services.listing_create(seller=current_user(request), **form.service_fields())
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your draft is saved. Add example images, then preview and submit it.")
            )
            return see_other(reverse("web:studio-edit", args=[listing.public_id]))
    return _editor_page(request, form, None, 400 if form.is_bound else 200)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def listing_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    listing = own_listing_or_404(request, public_id)
    form = ListingForm.for_listing(listing, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        before = selectors.current_version(listing)
        try:
            services.listing_update(
                listing=listing, by=current_user(request), changes=form.service_fields(only_changed=True)
            )
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _saved_message(listing, before.number if before else 0))
            return see_other(reverse("web:studio-edit", args=[listing.public_id]))
    return _editor_page(request, form, listing, 400 if form.is_bound else 200)


def _saved_message(listing: Listing, version_before: int) -> str:
    listing = selectors.listing_get_for_seller(seller=listing.seller, public_id=listing.public_id)
    version = selectors.current_version(listing)
    if version is not None and version.number > version_before:
        return _(
            "Your changes are saved. Buyers who unlocked this listing now get version %(number)s "
            "of the prompt."
        ) % {"number": version.number}
    if listing.status == ListingStatus.PENDING_REVIEW:
        return _(
            "Your changes are saved. Screening asked a moderator to look at them; "
            "the listing waits for review."
        )
    return _("Your changes are saved.")


def editor_for_errors(
    request: HttpRequest, listing: Listing, error: ApplicationError, status: int
) -> HttpResponse:
    """The editor with a refused action's reasons next to the fields (submit, for instance)."""
    form = ListingForm(_as_data(ListingForm.for_listing(listing).initial))
    form.is_valid()
    add_service_errors(form, error)
    return _editor_page(request, form, listing, status)


def _as_data(initial: Mapping[str, Any]) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in initial.items()}


@login_required
@never_cache
@require_safe
def listing_status(request: HttpRequest, public_id: str) -> JsonResponse:
    """What studio.js polls while previews render: each image's status, in the visitor's language."""
    listing = own_listing_or_404(request, public_id)
    images = [
        {
            "id": row["image"].public_id,
            "status": row["image"].status,
            "label": str(labels.IMAGE_STATUSES[row["image"].status]),
            "reason": reason_in_language(row["image"].failure_reason),
            "thumb": row["thumb"]["url"] if row["thumb"] else "",
            "copied": row["copied"],
        }
        for row in image_rows(listing)
    ]
    return JsonResponse({"images": images, "waiting": any(i["status"] in WAITING for i in images)})
