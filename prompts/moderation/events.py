"""The audit trail: everything that happened to a listing, and who did it, as append-only rows."""

from __future__ import annotations

from typing import Any

from marketplace.accounts.models import User
from prompts.models import ListingEvent


def listing_event_record(
    *, listing_id: int, action: str, actor: User | None = None, detail: dict[str, Any] | None = None
) -> ListingEvent:
    return ListingEvent.objects.create(listing_id=listing_id, actor=actor, action=action, detail=detail or {})
