"""Writes of trial runs: admitting a request within its limits, and rendering it.

Admission locks the day's TrialBudget row first, so every limit (per buyer and listing, per buyer
per day, platform-wide per day) is counted and raised one request at a time: of twenty requests for
the last run, exactly one is admitted. The task gets the run's id only; the prompt is read from the
database when it renders and goes to the generator alone, never into task arguments or logs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.core.errors import ApplicationError
from prompts.models import (
    TEXT_MODELS,
    Listing,
    ListingStatus,
    TrialBudget,
    TrialKind,
    TrialRun,
    TrialStatus,
    _private_storage,
)
from prompts.moderation.screening import blocking, screen
from prompts.trials import generators
from prompts.trials.execution import UNAVAILABLE, UNFINISHED, trial_run_fail
from prompts.trials.guard import is_extraction_attempt

logger = logging.getLogger(__name__)


class TrialLimitReached(ApplicationError):
    """429: a limit is used up. ``retry_after`` in seconds, or None when waiting will not help."""

    status_code = 429

    def __init__(self, code: str, message: str, *, retry_after: int | None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


def trial_kind(listing: Listing) -> str:
    return TrialKind.TEXT if listing.target_model in TEXT_MODELS else TrialKind.IMAGE


def trials_available(listing: Listing) -> bool:
    """Does this site have a generator for the listing's kind of output?"""
    return trials_available_for_model(listing.target_model)


def trials_available_for_model(target_model: str) -> bool:
    """Does this site have a generator for what `target_model` outputs? Cards know only the model."""
    if target_model in TEXT_MODELS:
        return generators.text_generator() is not None
    return settings.TRIAL_GENERATOR != "none"


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)


def seconds_to_next_day(now: datetime) -> int:
    return max(1, int((_day_start(now) + timedelta(days=1) - now).total_seconds()))


def trial_runs_left(*, buyer: Any, listing: Listing) -> int:
    used = TrialRun.objects.counted().filter(buyer=buyer, listing=listing).count()
    return max(0, listing.trial_runs - used)


def _check_eligible(*, buyer: Any, listing: Listing, can_read_prompt: bool) -> None:
    if not getattr(buyer, "is_authenticated", False) or not buyer.is_active:
        raise ApplicationError("not_authenticated", _("Sign in to try this listing."), status_code=401)
    if listing.status != ListingStatus.PUBLISHED:
        raise ApplicationError("not_found", _("No listing has this id."), status_code=404)
    if listing.seller_id == buyer.pk:
        raise ApplicationError("own_listing", _("You cannot try your own listing; open it in the studio."))
    if can_read_prompt:
        raise ApplicationError("already_unlocked", _("You already have this prompt: use it directly."))
    if listing.trial_runs == 0:
        raise ApplicationError("trials_off", _("The seller does not offer trial runs of this listing."))
    if not trials_available(listing):
        raise ApplicationError(
            "trials_unavailable", _("Trial runs are not available on this site right now."), status_code=503
        )


def _clean_values(listing: Listing, values: object) -> dict[str, str]:
    """The buyer's values: exactly one non-empty, short string per variable of the listing."""
    if not isinstance(values, dict):
        raise ApplicationError("invalid_values", _("Give the values as an object of variable names to text."))
    names = [str(name) for name in listing.variables]
    fields: dict[str, list[str]] = {}
    for name in set(map(str, values)) - set(names):
        fields[name] = [_("This listing has no such variable.")]
    clean: dict[str, str] = {}
    for name in names:
        value = values.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            fields[name] = [_("Fill in this value.")]
        elif len(value) > settings.TRIAL_VALUE_MAX_CHARS:
            fields[name] = [
                _("Use at most %(count)s characters.") % {"count": settings.TRIAL_VALUE_MAX_CHARS}
            ]
        elif is_extraction_attempt(value):
            fields[name] = [_("Describe what you want to see; a trial cannot show the prompt's text.")]
        clean[name] = value
    if fields:
        raise ApplicationError(
            "invalid_values", _("Check the values for this trial and try again."), fields=fields
        )
    blocked = blocking(screen(clean))
    if blocked:
        hits = sorted({hit.field for hit in blocked})
        raise ApplicationError(
            "screening_blocked",
            _("A value contains terms that are not allowed on Dimsum. Change it and try again."),
            fields={name: [_("Contains a term that is not allowed.")] for name in hits},
            status_code=422,
        )
    return clean


def _budget_locked(day: Any) -> TrialBudget:
    TrialBudget.objects.get_or_create(day=day)
    return TrialBudget.objects.select_for_update().get(day=day)


def _check_limits(*, buyer: Any, listing: Listing, now: datetime, budget: TrialBudget) -> None:
    counted = TrialRun.objects.counted().filter(buyer=buyer)
    if counted.filter(listing=listing).count() >= listing.trial_runs:
        raise TrialLimitReached(
            "trial_runs_used",
            ngettext(
                "You have used the %(count)s trial run of this listing. Buy it to use the prompt.",
                "You have used all %(count)s trial runs of this listing. Buy it to use the prompt.",
                listing.trial_runs,
            )
            % {"count": listing.trial_runs},
            retry_after=None,
        )
    wait = seconds_to_next_day(now)
    if counted.filter(created_at__gte=_day_start(now)).count() >= settings.TRIAL_PER_BUYER_DAILY:
        raise TrialLimitReached(
            "trial_daily_limit",
            _("You have used today's trial runs. Try again after midnight UTC (in %(hours)s h).")
            % {"hours": -(-wait // 3600)},
            retry_after=wait,
        )
    if budget.used >= settings.TRIAL_DAILY_BUDGET:
        raise TrialLimitReached(
            "trial_budget_spent",
            _("All of today's trial runs are taken. Try again after midnight UTC (in %(hours)s h).")
            % {"hours": -(-wait // 3600)},
            retry_after=wait,
        )


@transaction.atomic
def trial_request(*, buyer: Any, listing: Listing, values: object, can_read_prompt: bool) -> TrialRun:
    """Admit one trial run and queue it, or raise a 4xx ApplicationError saying what to change.

    ``can_read_prompt``: whether the buyer may already read the prompt (payments answers that).
    """
    _check_eligible(buyer=buyer, listing=listing, can_read_prompt=can_read_prompt)
    clean = _clean_values(listing, values)
    now = timezone.now()
    budget = _budget_locked(now.astimezone(UTC).date())
    _check_limits(buyer=buyer, listing=listing, now=now, budget=budget)
    TrialBudget.objects.filter(pk=budget.pk).update(used=F("used") + 1)
    run = TrialRun.objects.create(
        buyer=buyer, listing=listing, kind=trial_kind(listing), values=clean, created_at=now
    )
    from prompts.previews.enqueue import send_on_commit
    from prompts.trials.tasks import run_trial

    send_on_commit(run_trial, run.pk)
    logger.info("trial: run %s admitted for listing %s", run.pk, listing.pk)
    return run


def trial_runs_forget_buyer(*, buyer: Any) -> int:
    """Erase what a buyer typed and got from their trial runs (account deletion). The rows stay, empty,
    so sellers' trial counts do not change; the images go after the commit. A run still queued or
    running is failed first (its place in the day's budget given back), so a task rendering it now
    writes nothing when it finishes (it writes only while the run is running)."""
    runs = TrialRun.objects.filter(buyer=buyer)
    for run_id in list(runs.filter(status__in=UNFINISHED).values_list("pk", flat=True)):
        trial_run_fail(run_id=run_id, reason=UNAVAILABLE, statuses=UNFINISHED)
    names = list(runs.exclude(image="").values_list("image", flat=True))
    # A finished run keeps a result (a database constraint): an erased one reads as withheld.
    runs.filter(status=TrialStatus.DONE).update(status=TrialStatus.BLOCKED, text="", image="")
    erased = runs.update(values={}, text="", image="")
    storage = _private_storage()

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return erased
