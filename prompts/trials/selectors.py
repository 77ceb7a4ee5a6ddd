"""Reads of trial runs: a buyer sees their own runs only; anyone else's is a 404."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.files import File
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


class TrialImage(NamedTuple):
    """A trial run's image, open for reading, and its content type: each interface wraps it in its own
    response."""

    file: File
    content_type: str


def trial_image_open(*, buyer: Any, listing: Listing, public_id: str) -> TrialImage:
    """The image of one of the buyer's own trial runs; NotFound for anyone else's, or a run without one."""
    run = trial_get_for_buyer(buyer=buyer, listing=listing, public_id=public_id)
    if not run.image:
        raise NotFound(gettext("This trial has no image."))
    return TrialImage(file=run.image.open("rb"), content_type="image/webp")
