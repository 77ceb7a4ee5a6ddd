"""What the studio's pages share: the seller's own listing (or a 404), service errors as form
errors, and what moderation and screening say about a listing, in words a seller can act on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from marketplace.core.errors import ApplicationError, NotFound
from marketplace.storefront.views.common import current_user
from marketplace.storefront.views.studio.forms import FORM_FIELD_OF
from prompts import selectors
from prompts.models import Listing, ListingEvent, ListingStatus

# The listing fields screening checks, as the editor names them.
SCREENED_FIELDS = {
    "title": _("Title"),
    "description": _("Description"),
    "tags": _("Tags"),
    "prompt_text": _("Prompt"),
    "usage_notes": _("Usage notes"),
    "variable_examples": _("Example values"),
    "example_outputs": _("Example outputs"),
    "images": _("Example images"),
}


def own_listing_or_404(request: HttpRequest, public_id: str) -> Listing:
    """Another seller's listing is a 404, as in the API: ids do not tell what exists."""
    try:
        return selectors.listing_get_for_seller(seller=current_user(request), public_id=public_id)
    except NotFound:
        raise Http404("You have no listing with this id.") from None


def add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """A service's refusal: its message above the form, and each field's reason next to it."""
    form.add_error(None, error.message)
    for field, messages in (error.fields or {}).items():
        name = FORM_FIELD_OF.get(field, field)
        if name in form.fields:
            form.add_error(name, list(messages))


def _field_names(fields: list[str]) -> list[str]:
    return [str(SCREENED_FIELDS[name]) for name in fields if name in SCREENED_FIELDS]


def held_fields(listing: Listing) -> list[str]:
    """The fields screening asked a moderator to check, named as the editor names them.

    review_note lists the matched fields' names (prompts.moderation.screening.review_note); the
    matched terms are never stored there, so none can be shown.
    """
    if listing.status != ListingStatus.PENDING_REVIEW:
        return []
    return _field_names([name for name in SCREENED_FIELDS if name in listing.review_note])


def with_last_event(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    """The listings with their latest event's action and detail: subqueries of the same query."""
    last = ListingEvent.objects.filter(listing=OuterRef("pk")).order_by("-created_at", "-id")
    return listings.annotate(
        last_action=Subquery(last.values("action")[:1]),
        last_detail=Subquery(last.values("detail")[:1], output_field=JSONField()),
    )


def blocked_fields(listing: Listing) -> list[str]:
    """For a draft whose latest submission screening refused (see with_last_event): the fields."""
    if listing.status != ListingStatus.DRAFT or getattr(listing, "last_action", "") != "screening_blocked":
        return []
    return _field_names((getattr(listing, "last_detail", None) or {}).get("fields", []))


def review_state(listing: Listing) -> dict[str, Any] | None:
    """Why the listing is not on sale, or what a moderator decided: never the matched term.

    One query, for the latest event (a refused submission leaves the listing a draft, so only the
    audit trail remembers it).
    """
    if listing.status == ListingStatus.REJECTED:
        return {"kind": "rejected", "reason": listing.rejection_reason}
    if listing.status == ListingStatus.PENDING_REVIEW:
        return {"kind": "held", "fields": held_fields(listing), "at": listing.submitted_at}
    last = ListingEvent.objects.filter(listing=listing).order_by("-created_at", "-id").first()
    if last is not None and last.action == "screening_blocked" and listing.status == ListingStatus.DRAFT:
        return {
            "kind": "blocked",
            "fields": _field_names(last.detail.get("fields", [])),
            "at": last.created_at,
        }
    if last is not None and last.action == "approved" and listing.status == ListingStatus.PUBLISHED:
        return {"kind": "approved", "at": last.created_at}
    return None
