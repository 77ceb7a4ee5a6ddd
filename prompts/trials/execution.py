"""Rendering a trial run: claim it, fill the hidden prompt with the buyer's values, generate outside
any transaction, filter and label the result, record it once.

Idempotent: a run is claimed from queued (or from running, when its worker was lost) and its result
is written only while it is still running, so a re-run of a finished trial does nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from prompts.models import PromptVersion, TrialBudget, TrialKind, TrialRun, TrialStatus, trial_upload_to
from prompts.previews.generation import fill_variables
from prompts.previews.generators import PermanentGeneratorError, TransientGeneratorError
from prompts.trials import generators
from prompts.trials.guard import reveals_template
from prompts.trials.images import trial_content_id, trial_image, trial_xmp

logger = logging.getLogger(__name__)

# Stored untranslated and shown through gettext, so each buyer reads them in their own language.
WITHHELD = gettext_noop("This trial's output was withheld.")
UNAVAILABLE = gettext_noop(
    "The generator is not available right now. This run does not count; try again later."
)
DECLINED = gettext_noop("The generator declined these values. This run does not count; try other values.")
NO_GENERATOR = gettext_noop("Trial runs are not available on this site right now.")

UNFINISHED = (TrialStatus.QUEUED, TrialStatus.RUNNING)


def _claim(run_id: int) -> TrialRun | None:
    claimed = TrialRun.objects.filter(pk=run_id, status__in=UNFINISHED).update(status=TrialStatus.RUNNING)
    if claimed != 1:
        return None
    return TrialRun.objects.select_related("listing").get(pk=run_id)


def trial_run_fail(
    *,
    run_id: int,
    reason: str,
    statuses: Iterable[str] = (TrialStatus.RUNNING,),
    now: datetime | None = None,
) -> bool:
    """Fail the run if it is still in one of ``statuses``, and give its place in the day's platform
    budget back: a failed run does not count. Both happen on the one transition to failed only, so
    however many workers, sweeps or deletions fail the same run, the budget goes down once, never
    below 0. Whether this call failed it."""
    with transaction.atomic():
        failed = TrialRun.objects.filter(pk=run_id, status__in=list(statuses)).update(
            status=TrialStatus.FAILED, failure_reason=reason, finished_at=now or timezone.now()
        )
        if failed != 1:
            return False
        created_at = TrialRun.objects.values_list("created_at", flat=True).get(pk=run_id)
        # The run was admitted, and counted, on the UTC day it was created.
        TrialBudget.objects.filter(day=created_at.astimezone(UTC).date(), used__gt=0).update(
            used=F("used") - 1
        )
    return True


def _finish(run_id: int, status: str, **fields: object) -> bool:
    if status == TrialStatus.FAILED:
        return trial_run_fail(run_id=run_id, reason=str(fields["failure_reason"]))
    return (
        TrialRun.objects.filter(pk=run_id, status=TrialStatus.RUNNING).update(
            status=status, finished_at=timezone.now(), **fields
        )
        == 1
    )


def truncate(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def trial_run_execute(*, run_id: int, final_attempt: bool = True) -> None:
    """Render the run if it is still wanted. A TransientGeneratorError propagates (the task retries)
    unless ``final_attempt``, when the run is failed and does not count against the buyer."""
    run = _claim(run_id)
    if run is None:
        logger.info("trial: run %s is finished or gone", run_id)
        return
    version = PromptVersion.objects.filter(listing_id=run.listing_id).order_by("-number").first()
    if version is None:
        _finish(run_id, TrialStatus.FAILED, failure_reason=NO_GENERATOR)
        return
    try:
        if run.kind == TrialKind.TEXT:
            _render_text(run, version)
        else:
            _render_image(run, version)
    except TransientGeneratorError as exc:
        if not final_attempt:
            logger.warning("trial: run %s will be retried: %s", run_id, exc)
            raise
        logger.warning("trial: run %s failed: %s", run_id, exc)
        _finish(run_id, TrialStatus.FAILED, failure_reason=UNAVAILABLE)
    except PermanentGeneratorError as exc:
        logger.warning("trial: run %s failed: %s", run_id, exc)
        _finish(run_id, TrialStatus.FAILED, failure_reason=DECLINED if exc.refused else UNAVAILABLE)


def _render_text(run: TrialRun, version: PromptVersion) -> None:
    generator = generators.text_generator()
    if generator is None:
        _finish(run.pk, TrialStatus.FAILED, failure_reason=NO_GENERATOR)
        return
    prompt = fill_variables(version.text, run.values)
    answer = generator.answer(prompt=prompt, max_tokens=max(64, settings.TRIAL_TEXT_MAX_CHARS // 2))
    # Against the template's own text only: the buyer's values are theirs to see repeated.
    if reveals_template(answer, version.text):
        logger.warning("trial: run %s output withheld, it repeats the prompt", run.pk)
        _finish(run.pk, TrialStatus.BLOCKED, failure_reason=WITHHELD)
        return
    _finish(run.pk, TrialStatus.DONE, text=truncate(answer, settings.TRIAL_TEXT_MAX_CHARS))
    logger.info("trial: run %s done", run.pk)


def _render_image(run: TrialRun, version: PromptVersion) -> None:
    generator = generators.image_generator()
    if generator is None:
        _finish(run.pk, TrialStatus.FAILED, failure_reason=NO_GENERATOR)
        return
    size = (
        settings.TRIAL_IMAGE_SIZE if settings.TRIAL_GENERATOR == "local" else settings.PREVIEW_GENERATOR_WIDTH
    )
    height = (
        settings.TRIAL_IMAGE_SIZE
        if settings.TRIAL_GENERATOR == "local"
        else settings.PREVIEW_GENERATOR_HEIGHT
    )
    produced = generator.generate(
        prompt=fill_variables(version.text, run.values),
        count=1,
        seed=secrets.randbelow(2**31),
        width=size,
        height=height,
    )
    if not produced:
        raise PermanentGeneratorError(generator.model_name, "no image was returned")
    content_id = trial_content_id(listing_public_id=run.listing.public_id, run_public_id=run.public_id)
    try:
        data, width, height = trial_image(
            produced[0].data, xmp=trial_xmp(content_id=content_id, model=generator.model_name)
        )
    except (OSError, ValueError) as exc:
        raise PermanentGeneratorError(
            generator.model_name, f"unreadable image ({type(exc).__name__})"
        ) from None
    storage = run.image.storage
    name = trial_upload_to(run, "")
    storage.delete(name)  # a partial file left by a lost worker
    stored = storage.save(name, ContentFile(data))
    if not _finish(run.pk, TrialStatus.DONE, image=stored, image_width=width, image_height=height):
        storage.delete(stored)
    logger.info("trial: run %s done", run.pk)


# Longer than a run with every retry takes (time limit 200 s, retries backing off up to 120 s each).
STALE_AFTER = timedelta(minutes=15)


def trial_runs_fail_stale(*, now: datetime | None = None) -> int:
    """Fail runs still queued or running long after they were asked for (their message was lost with a
    broker outage or a worker): failed runs do not count, so the buyer gets the run back."""
    now = now or timezone.now()
    stale = TrialRun.objects.filter(status__in=UNFINISHED, created_at__lt=now - STALE_AFTER).values_list(
        "pk", flat=True
    )
    failed = sum(
        trial_run_fail(run_id=run_id, reason=UNAVAILABLE, statuses=UNFINISHED, now=now)
        for run_id in list(stale)
    )
    if failed:
        logger.warning("trial: %s stale runs failed", failed)
    return failed
