"""The kinds of email the platform sends about events, and who renders each.

The kinds are listed here, below the apps that apply the events, so the preference page can list
them; each owning app (payments, prompts) registers the function that turns a claimed
Notification into the email's content, from its own rows, at send time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from marketplace.notifications.models import Notification


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    # Essential kinds (receipts, money back to the buyer, a complaint's outcome) are always sent and
    # carry no unsubscribe link: the user needs them whatever they chose.
    essential: bool = False
    # Operator-only kinds (the weekly complaint summary) are not on users' preference page.
    listed: bool = True


@dataclass(frozen=True)
class Content:
    """What one email says, in the recipient's language (the builder runs under it)."""

    subject: str
    headline: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    link: str = ""
    link_label: str = ""


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("purchase", _("Purchase receipts"), essential=True),
        Kind("sale", _("Sales of your listings")),
        Kind("refund_buyer", _("Refunds to you"), essential=True),
        Kind("refund_seller", _("Refunds of your sales")),
        Kind("dispute_opened", _("Disputes opened on your sales")),
        Kind("dispute_decided", _("Dispute decisions")),
        Kind("review_new", _("New reviews of your listings")),
        Kind("review_reply", _("Replies to your reviews")),
        Kind("listing_approved", _("Listing approved by moderation")),
        Kind("listing_rejected", _("Listing rejected by moderation")),
        Kind("complaint_outcome", _("Outcome of your reports"), essential=True),
        Kind("payout_sent", _("Payouts sent")),
        Kind("complaint_received", _("Receipts for your reports"), essential=True),
        Kind("complaint_summary", _("Weekly complaint summary"), essential=True, listed=False),
    )
}

# A builder returns None when its subject is gone (deleted): the notification is then skipped.
Builder = Callable[["Notification"], Content | None]
_BUILDERS: dict[str, Builder] = {}


def register(kind: str, builder: Builder) -> None:
    """Called from the owning app's AppConfig.ready()."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    _BUILDERS[kind] = builder


def builder_for(kind: str) -> Builder:
    return _BUILDERS[kind]
