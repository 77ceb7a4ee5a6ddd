"""The complaint channel: anyone may report a listing; staff handle reports in the admin.

Every report and every decision is written to the listing's audit trail (ListingEvent). The
reporter gets a receipt (the complaint's public id) and the decision by email. Staff owe a decision
within COMPLAINT_RESPONSE_HOURS of the report: the deadline is computed from created_at, so it is
the one published when the report arrived only while the setting stays the same.
An upheld complaint takes the listing off sale, and the seller is told why.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError, Conflict
from prompts import notices
from prompts.models import (
    COMPLAINT_NOTE_MAX,
    Complaint,
    ComplaintReason,
    ComplaintStatus,
    Listing,
    ListingStatus,
)
from prompts.moderation.decisions import listing_reject
from prompts.moderation.events import listing_event_record


@transaction.atomic
def complaint_file(
    *, listing: Listing, reporter: Any, reason: str, note: str = "", contact_email: str = ""
) -> Complaint:
    if reason not in ComplaintReason.values:
        raise ApplicationError(
            "invalid_reason",
            _("Choose one of the listed reasons."),
            fields={
                "reason": [_("Use one of: %(choices)s.") % {"choices": ", ".join(ComplaintReason.values)}]
            },
        )
    note = note.strip()
    if len(note) > COMPLAINT_NOTE_MAX:
        raise ApplicationError(
            "note_too_long",
            _("Keep the note under %(count)s characters.") % {"count": COMPLAINT_NOTE_MAX},
            fields={"note": [_("At most %(count)s characters.") % {"count": COMPLAINT_NOTE_MAX}]},
        )
    user = reporter if getattr(reporter, "is_authenticated", False) else None
    complaint = Complaint.objects.create(
        listing=listing,
        reporter=user,
        reason=reason,
        note=note,
        contact_email=contact_email.strip() or (user.email if user else ""),
    )
    listing_event_record(
        listing_id=listing.pk,
        actor=user,
        action="complaint_filed",
        detail={"complaint": complaint.public_id, "reason": reason},
    )
    notices.notify_complaint_received(complaint)
    return complaint


def complaint_response_window() -> timedelta:
    return timedelta(hours=settings.COMPLAINT_RESPONSE_HOURS)


def complaint_due_at(complaint: Complaint) -> datetime:
    return complaint.created_at + complaint_response_window()


def complaint_overdue(complaint: Complaint, *, now: datetime | None = None) -> bool:
    return complaint.status == ComplaintStatus.OPEN and complaint_due_at(complaint) < (now or timezone.now())


def complaints_overdue(*, now: datetime | None = None) -> QuerySet[Complaint]:
    """Open complaints past their deadline."""
    cutoff = (now or timezone.now()) - complaint_response_window()
    return Complaint.objects.filter(status=ComplaintStatus.OPEN, created_at__lt=cutoff)


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, by: Any, upheld: bool, resolution: str) -> Complaint:
    """Decide an open complaint once. Upheld: the listing goes off sale (rejected, with the reason
    on the seller's dashboard and by email), unless it is already off sale."""
    complaint = Complaint.objects.select_for_update().select_related("listing").get(pk=complaint.pk)
    if complaint.status != ComplaintStatus.OPEN:
        raise Conflict("already_decided", _("This complaint was already decided."))
    complaint.status = ComplaintStatus.UPHELD if upheld else ComplaintStatus.DISMISSED
    complaint.resolution = resolution.strip()
    complaint.resolved_at = timezone.now()
    complaint.save(update_fields=["status", "resolution", "resolved_at"])
    listing_event_record(
        listing_id=complaint.listing_id,
        actor=by,
        action="complaint_resolved",
        detail={"complaint": complaint.public_id, "status": complaint.status},
    )
    notices.notify_complaint_outcome(complaint)
    if upheld:
        _take_down(complaint, by=by)
    return complaint


def _take_down(complaint: Complaint, *, by: Any) -> None:
    listing = complaint.listing
    if listing.status not in (ListingStatus.PENDING_REVIEW, ListingStatus.PUBLISHED):
        return  # already off sale: a draft, rejected or archived listing has nothing to take down
    # Stored as the seller will read it (dashboard, editor, email), in the deciding staff's language.
    reason = _("Taken down after report %(id)s (%(reason)s) was upheld.") % {
        "id": complaint.public_id,
        "reason": complaint.get_reason_display(),
    }
    if complaint.resolution:
        reason = f"{reason} {complaint.resolution}"
    listing_reject(listing=listing, by=by, reason=reason)
