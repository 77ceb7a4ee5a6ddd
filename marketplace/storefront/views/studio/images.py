"""A listing's example images on the website: upload several at once, move, delete.

Each file goes through the API's upload service on its own: a bad file is refused with its name
and reason while the good ones are kept. Every action returns to the editor's image section.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import current_user, see_other
from marketplace.storefront.views.studio.common import own_listing_or_404
from marketplace.storefront.views.studio.forms import ImageUploadForm
from prompts import listing_images, selectors, services
from prompts.models import ListingImage


def _back(public_id: str) -> HttpResponse:
    return see_other(reverse("web:studio-edit", args=[public_id]) + "#images")


def _own_image_or_404(request: HttpRequest, public_id: str, image_id: str) -> ListingImage:
    try:
        return selectors.image_get_for_seller(
            seller=current_user(request), listing_public_id=public_id, image_public_id=image_id
        )
    except NotFound:
        raise Http404("You have no image with this id.") from None


@login_required
@require_POST
def images_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    listing = own_listing_or_404(request, public_id)
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("images", []):
            messages.error(request, str(error))
        return _back(public_id)
    added = 0
    for upload in form.cleaned_data["images"]:
        try:
            services.listing_image_add(
                listing=listing,
                by=current_user(request),
                upload=upload,
                ai_declared=form.cleaned_data["ai_declared"],
            )
        except ApplicationError as error:
            # The file's own name, so the seller knows which one to fix; nothing else of it is kept.
            messages.error(request, f"{upload.name[:80]}: {error.message}")
        else:
            added += 1
    if added:
        added_text = ngettext(
            "%(count)s image added. Its preview is being prepared.",
            "%(count)s images added. Their previews are being prepared.",
            added,
        )
        messages.success(request, added_text % {"count": added})
    return _back(public_id)


@login_required
@require_POST
def image_move(request: HttpRequest, public_id: str, image_id: str) -> HttpResponse:
    image = _own_image_or_404(request, public_id, image_id)
    try:
        position = int(request.POST.get("position", ""))
        listing_images.listing_image_move(image=image, by=current_user(request), position=position)
    except ValueError:
        messages.error(request, _("Choose where the image goes."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return _back(public_id)


@login_required
@require_POST
def image_delete(request: HttpRequest, public_id: str, image_id: str) -> HttpResponse:
    image = _own_image_or_404(request, public_id, image_id)
    try:
        services.listing_image_delete(image=image, by=current_user(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The image is deleted."))
    return _back(public_id)
