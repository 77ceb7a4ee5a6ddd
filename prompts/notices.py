"""The emails prompts sends: moderation decisions, new reviews and replies, complaint receipts and
outcomes, the operator's weekly complaint summary.

Each event claims its notification in the transaction that applies it; the builders render it at
send time in the recipient's language. They name a listing by its title and never read its
prompt text.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.notifications import kinds
from marketplace.notifications.kinds import Content
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notification_claim
from prompts.models import Complaint, ComplaintReason, ComplaintStatus, Listing, ListingEvent, Review


def _listing_link(listing: Listing) -> str:
    return settings.SITE_URL + reverse("web:listing-page", args=[listing.public_id])


def _dashboard_link() -> str:
    return settings.SITE_URL + reverse("web:dashboard")


# --- claims, called inside the transactions that apply the events ------------------------------------


def notify_moderation(event: ListingEvent, listing: Listing) -> None:
    """A moderator approved or rejected the listing (one email per decision: keyed by its event)."""
    kind = "listing_approved" if event.action == "approved" else "listing_rejected"
    notification_claim(kind=kind, key=event.pk, recipient_id=listing.seller_id)


def notify_review(review: Review) -> None:
    notification_claim(kind="review_new", key=review.pk, recipient_id=review.listing.seller_id)


def notify_reply(review: Review) -> None:
    notification_claim(kind="review_reply", key=review.pk, recipient_id=review.buyer_id)


def notify_complaint_received(complaint: Complaint) -> None:
    """The reporter's receipt, with its number (the complaint's public id)."""
    _notify_reporter(complaint, "complaint_received")


def notify_complaint_outcome(complaint: Complaint) -> None:
    _notify_reporter(complaint, "complaint_outcome")


def _notify_reporter(complaint: Complaint, kind: str) -> None:
    """To the reporter: their account, else the address they left (anonymous reports)."""
    notification_claim(
        kind=kind, key=complaint.pk, recipient_id=complaint.reporter_id, email=complaint.contact_email
    )


# --- builders ----------------------------------------------------------------------------------------


def _moderation(notification: Notification) -> Content | None:
    event = ListingEvent.objects.select_related("listing").filter(pk=int(notification.key)).first()
    if event is None:
        return None
    listing = event.listing
    if notification.kind == "listing_approved":
        return Content(
            subject=_("Approved: %(title)s") % {"title": listing.title},
            headline=_("Your listing passed review and is on sale now."),
            link=_listing_link(listing),
            link_label=_("See your listing"),
        )
    return Content(
        subject=_("Not approved: %(title)s") % {"title": listing.title},
        headline=_("A moderator did not approve your listing. You can change it and submit it again."),
        facts=[(_("Reason"), str(event.detail.get("reason", "")))],
        link=_dashboard_link(),
        link_label=_("Open your dashboard"),
    )


def _review(notification: Notification) -> Content | None:
    review = Review.objects.select_related("listing", "buyer").filter(pk=int(notification.key)).first()
    if review is None:
        return None
    listing = review.listing
    if notification.kind == "review_new":
        return Content(
            subject=_("New review of %(title)s") % {"title": listing.title},
            headline=_("%(name)s reviewed your listing.") % {"name": review.buyer.public_name},
            facts=[(_("Listing"), listing.title), (_("Rating"), f"{review.rating}/5")],
            note=review.text,
            link=_listing_link(listing),
            link_label=_("Read and reply"),
        )
    return Content(
        subject=_("The seller replied to your review of %(title)s") % {"title": listing.title},
        headline=_("The seller of %(title)s answered your review.") % {"title": listing.title},
        note=review.seller_reply,
        link=_listing_link(listing),
        link_label=_("See the reply"),
    )


def _complaint(notification: Notification) -> Content | None:
    complaint = Complaint.objects.select_related("listing").filter(pk=int(notification.key)).first()
    if complaint is None:
        return None
    return Content(
        subject=_("Your report about %(title)s") % {"title": complaint.listing.title},
        headline=_("We looked into your report. Thank you for telling us."),
        facts=[
            (_("Listing"), complaint.listing.title),
            (_("Outcome"), str(complaint.get_status_display())),
        ],
        note=complaint.resolution,
    )


def _complaint_received(notification: Notification) -> Content | None:
    complaint = Complaint.objects.select_related("listing").filter(pk=int(notification.key)).first()
    if complaint is None:
        return None
    hours = settings.COMPLAINT_RESPONSE_HOURS
    return Content(
        subject=_("We received your report %(id)s") % {"id": complaint.public_id},
        headline=ngettext(
            "Thank you. Moderators will decide on your report within %(hours)s hour and email you.",
            "Thank you. Moderators will decide on your report within %(hours)s hours and email you.",
            hours,
        )
        % {"hours": hours},
        facts=[
            (_("Report number"), complaint.public_id),
            (_("Listing"), complaint.listing.title),
            (_("Reason"), str(complaint.get_reason_display())),
        ],
        link=settings.SITE_URL + reverse("web:complaints-info"),
        link_label=_("How we handle reports"),
    )


def _complaint_summary(notification: Notification) -> Content | None:
    """The operator's weekly summary, from the counts taken when it was claimed."""
    data = notification.data
    median = data.get("median_hours")
    facts = [
        (_("Reports received"), str(data.get("filed", 0))),
        *((str(ComplaintStatus(k).label), str(v)) for k, v in data.get("by_status", {}).items()),
        *((str(ComplaintReason(k).label), str(v)) for k, v in data.get("by_reason", {}).items()),
        (_("Decided"), str(data.get("decided", 0))),
        (
            _("Median time to decision"),
            # A median with one decimal (12.5, 1.0) is plural in English whatever its value.
            _("%(hours)s hours") % {"hours": median} if median is not None else "-",
        ),
        (_("Open past the deadline now"), str(data.get("overdue", 0))),
    ]
    return Content(
        subject=_("Reports, week %(week)s") % {"week": data.get("week", "")},
        headline=ngettext(
            "The complaint queue last week (deadline %(hours)s hour).",
            "The complaint queue last week (deadline %(hours)s hours).",
            int(data.get("deadline_hours") or 0),
        )
        % {"hours": data.get("deadline_hours", "")},
        facts=facts,
        link=settings.SITE_URL + reverse("admin:prompts_complaint_changelist"),
        link_label=_("Open the complaint queue"),
    )


def register() -> None:
    kinds.register("listing_approved", _moderation)
    kinds.register("listing_rejected", _moderation)
    kinds.register("review_new", _review)
    kinds.register("review_reply", _review)
    kinds.register("complaint_outcome", _complaint)
    kinds.register("complaint_received", _complaint_received)
    kinds.register("complaint_summary", _complaint_summary)
