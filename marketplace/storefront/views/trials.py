"""Trial runs on the listing page: ask for one (POST, then back to the page), watch it finish, see the
image. Each buyer sees only their own runs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import current_user, see_other
from payments.selectors import prompt_access_allowed
from prompts import selectors
from prompts.models import Listing, TrialStatus
from prompts.trials import selectors as trial_selectors
from prompts.trials.services import trial_request, trial_runs_left, trials_available

TRIALS_SHOWN = 10
PENDING = (TrialStatus.QUEUED, TrialStatus.RUNNING)


def _listing(public_id: str, user: Any) -> Listing:
    try:
        return selectors.listing_get_visible(public_id=public_id, user=user)
    except NotFound:
        raise Http404("No published listing has this id.") from None


def trial_state(request: HttpRequest, listing: Listing, *, can_read: bool) -> dict[str, Any]:
    """What the listing page shows of trials to this visitor: the form and their own runs."""
    user = request.user
    offered = listing.trial_runs > 0 and not can_read and trials_available(listing)
    if not offered or not user.is_authenticated or listing.seller_id == user.pk:
        return {"trials_offered": offered and not user.is_authenticated, "trials": [], "trials_left": 0}
    runs = list(
        trial_selectors.trials_for_buyer(buyer=user, listing=listing).order_by("-created_at")[:TRIALS_SHOWN]
    )
    return {
        "trials_offered": True,
        "trials": runs,
        "trials_left": trial_runs_left(buyer=user, listing=listing),
        "trials_pending": any(run.status in PENDING for run in runs),
    }


def trial_preview_state(listing: Listing) -> dict[str, Any]:
    """The seller's preview shows the trial form a buyer would get, with its buttons disabled."""
    offered = listing.trial_runs > 0 and trials_available(listing)
    return {"trials_offered": offered, "trials": [], "trials_left": listing.trial_runs if offered else 0}


@login_required
@require_POST
def trial_create(request: HttpRequest, public_id: str) -> HttpResponse:
    listing = _listing(public_id, request.user)
    buyer = current_user(request)
    values = {name: request.POST.get(f"value-{name}", "") for name in listing.variables}
    try:
        trial_request(
            buyer=buyer,
            listing=listing,
            values=values,
            can_read_prompt=prompt_access_allowed(user=buyer, listing=listing),
        )
    except ApplicationError as exc:
        details = [f"[{name}] {message}" for name, errors in exc.fields.items() for message in errors]
        messages.error(request, " ".join([exc.message, *details]))
    else:
        messages.success(request, _("Your trial run is on its way; it appears below in a few seconds."))
    return see_other(reverse("web:listing-page", args=[listing.public_id]) + "#trials")


@login_required
@require_safe
def trial_status(request: HttpRequest, public_id: str) -> JsonResponse:
    listing = _listing(public_id, request.user)
    runs = trial_selectors.trials_for_buyer(buyer=current_user(request), listing=listing)
    return JsonResponse({"pending": runs.filter(status__in=PENDING).count()})


@login_required
@require_safe
def trial_image(request: HttpRequest, public_id: str, trial_id: str) -> FileResponse:
    listing = _listing(public_id, request.user)
    try:
        image = trial_selectors.trial_image_open(
            buyer=current_user(request), listing=listing, public_id=trial_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    response = FileResponse(image.file, content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
