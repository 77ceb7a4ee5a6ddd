"""The seller dashboard: listings with preview status, sales and earnings, payout setup."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.storefront.views.common import current_user, see_other, site_url
from marketplace.storefront.views.studio.common import blocked_fields, held_fields, with_last_event
from marketplace.verification.models import Status
from payments import selectors as payment_selectors
from payments.conversion import trial_conversion
from payments.gateway import ProviderError
from payments.models import PayoutRail
from payments.services import seller_onboarding_link
from payments.services.rails import payout_setup
from prompts.documents import preview_json
from prompts.models import ImageStatus, Listing, ListingImage
from prompts.selectors import listing_list_for_seller

logger = logging.getLogger(__name__)

LISTINGS_PER_PAGE = 25
RECENT_SALES = 10
WAITING = (ImageStatus.PENDING, ImageStatus.PROCESSING)


def preview_state(*, seller: User) -> tuple[str, bool]:
    """A fingerprint of all the seller's preview statuses, and whether any is still on its way.

    One aggregate query. The fingerprint changes whenever an image changes status (the counts) or
    is saved again (the latest update), which is what the page's poller compares.
    """
    counts = ListingImage.objects.filter(listing__seller=seller).aggregate(
        latest=Max("updated_at"),
        **{status: Count("pk", filter=Q(status=status)) for status in ImageStatus.values},
    )
    latest = counts.pop("latest")
    state = "-".join(str(counts[status]) for status in ImageStatus.values)
    state += f"-{latest.timestamp():.6f}" if latest else "-0"
    return state, any(counts[status] for status in WAITING)


def _listing_row(listing: Listing) -> dict[str, Any]:
    images = []
    for image in listing.images.all():  # prefetched by the selector
        smallest = preview_json(image)["sizes"][:1] if image.status == ImageStatus.READY else []
        images.append({"image": image, "thumb": smallest[0] if smallest else None})
    versions = listing.versions.all()  # prefetched, newest first
    return {
        "listing": listing,
        "images": images,
        "version": versions[0].number if versions else None,
        "held_fields": held_fields(listing),
        "blocked_fields": blocked_fields(listing),
    }


def _account(seller: User) -> dict[str, Any]:
    """The Account and Payouts boxes: identity and how the seller is paid."""
    setup = payout_setup(user=seller)  # one query: the Connect account, payout profile, verification
    verification = setup.verification
    return {
        "account": setup.account,
        "can_accept_payments": seller.can_accept_payments,
        "payout_rail": setup.rail,
        "payout_profile": setup.profile,
        "can_choose_rail": PayoutRail.MANUAL in setup.rails_allowed,
        "verification": verification,
        "verified": verification is not None and verification.status == Status.VERIFIED,
        "verification_required": settings.VERIFICATION_REQUIRED,
    }


@login_required
@never_cache
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """A constant number of queries whatever the number of listings (prefetched, paginated)."""
    seller = current_user(request)
    listings = with_last_event(listing_list_for_seller(seller=seller))
    page = Paginator(listings, LISTINGS_PER_PAGE).get_page(request.GET.get("page"))
    state, waiting = preview_state(seller=seller)
    rows = [_listing_row(listing) for listing in page.object_list]
    trials = trial_conversion(listing_ids=[row["listing"].pk for row in rows])
    for row in rows:
        row["trials"] = trials.get(row["listing"].pk)
    context = {
        "page": page,
        "rows": rows,
        "preview_state": state,
        "previews_waiting": waiting,
        "totals": payment_selectors.sales_totals(seller=seller),
        "recent_sales": list(payment_selectors.sales_for(seller=seller)[:RECENT_SALES]),
        **_account(seller),
    }
    return render(request, "storefront/dashboard/dashboard.html", context)


@login_required
@never_cache
@require_safe
def dashboard_status(request: HttpRequest) -> JsonResponse:
    """What site.js polls while previews render: the page reloads when "state" changes."""
    state, waiting = preview_state(seller=current_user(request))
    return JsonResponse({"state": state, "waiting": waiting})


@login_required
@require_POST
def payouts_onboarding(request: HttpRequest) -> HttpResponse:
    """The API's onboarding service, then off to the provider's (or the sandbox's) onboarding page."""
    try:
        url = seller_onboarding_link(user=current_user(request), site_url=site_url(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    except ProviderError as error:
        # An operator-side failure: logged for us, a retry hint for the seller.
        logger.warning("payout onboarding failed for user %s: %s", request.user.pk, error)
        messages.error(request, gettext("The payment provider did not answer. Try again in a minute."))
    else:
        return see_other(url)
    return see_other(reverse("web:dashboard"))
