"""Reads of trial runs: a buyer sees their own runs only; anyone else's is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from marketplace.core.errors import NotFound
from prompts.models import Listing, TrialRun


def trials_for_buyer(*, buyer: Any, listing: Listing) -> QuerySet[TrialRun]:
    return TrialRun.objects.filter(buyer=buyer, listing=listing).select_related("listing")


def trial_get_for_buyer(*, buyer: Any, listing: Listing, public_id: str) -> TrialRun:
    run = trials_for_buyer(buyer=buyer, listing=listing).filter(public_id=public_id).first()
    if run is None:
        raise NotFound(gettext("No trial run of yours has this id."))
    return run
