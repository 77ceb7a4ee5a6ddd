"""Who may read what was paid for. The interfaces ask here; prompts' models never decide."""

from __future__ import annotations

from typing import Any

from prompts.models import Listing


def prompt_access_allowed(*, user: Any, listing: Listing) -> bool:
    """May this user read the listing's prompt text?

    Its seller and staff may. Buyers who unlocked it are added by the unlock flow.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(listing.seller_id == user.pk or user.is_staff)
