"""The complaint channel: anyone may report a listing; staff handle reports in the admin.

Every report and every decision is written to the listing's audit trail (ListingEvent).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.errors import ApplicationError
from prompts import notices
from prompts.models import (
    COMPLAINT_NOTE_MAX,
    Complaint,
    ComplaintReason,
    ComplaintStatus,
    Listing,
)
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
    return complaint


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, by: Any, upheld: bool, resolution: str) -> Complaint:
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
    return complaint
