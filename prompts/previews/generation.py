"""Platform-generated previews: example images rendered from a prompt version by a generator.

Each version has PREVIEW_GENERATOR_COUNT slots, ListingImage rows at positions 1..N that are unique
per version (``image_one_generated_per_slot``). A run creates the missing slots, generates an image
for each slot that has none, stores it as the private original and renders the public previews
through the same pipeline as seller uploads. A re-run finds its slots and does only what is missing.

The prompt is read from the database and goes only to the generator: never into task arguments,
logs, exception messages, failure reasons or stored metadata. Which text a slot was generated from
is kept as a keyed digest, so an edited prompt (or edited example values) replaces stale slots.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac

from marketplace.core.errors import ApplicationError
from prompts.cleaning import VARIABLE
from prompts.documents import listing_documents_refresh
from prompts.models import (
    AiClass,
    AiEvidence,
    ImageSource,
    ImageStatus,
    Listing,
    ListingImage,
    PromptVersion,
    original_upload_to,
)
from prompts.moderation.events import listing_event_record
from prompts.previews import generators
from prompts.previews.generators import (
    GeneratedImage,
    GeneratorError,
    PermanentGeneratorError,
    TransientGeneratorError,
)
from prompts.previews.images import ImageInfo, inspect_upload
from prompts.previews.reasons import REFUSED, UNAVAILABLE, UNREADABLE
from prompts.previews.services import image_render_previews

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class Slot:
    image_id: int
    position: int
    seed: int


@dataclass(frozen=True)
class Plan:
    version_id: int
    listing_id: int
    prompt: str
    digest: str
    slots: list[Slot]


def fill_variables(text: str, examples: dict[str, str]) -> str:
    """'[animal] in a pond' with {'animal': 'koi'} -> 'koi in a pond'. No example: the variable's name."""

    def example(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        return str(examples.get(name) or name) if name else match.group(0)

    return VARIABLE.sub(example, text)


def prompt_digest(prompt: str) -> str:
    # Keyed with SECRET_KEY: says whether a slot matches the current text without revealing it.
    return salted_hmac("prompts.generation.prompt", prompt).hexdigest()[:32]


def _filled(version: PromptVersion) -> str:
    return fill_variables(version.text, version.variable_examples or {})


def _version_locked(version_id: int) -> PromptVersion | None:
    """The version, read under its listing's row lock: the lock every edit of the listing takes first."""
    listing_id = PromptVersion.objects.filter(pk=version_id).values_list("listing_id", flat=True).first()
    if listing_id is None or not Listing.objects.select_for_update().filter(pk=listing_id).exists():
        return None
    return PromptVersion.objects.select_related("listing").filter(pk=version_id).first()


def version_generate_previews(*, version_id: int, final_attempt: bool = True) -> None:
    """Generate and render the missing platform previews of a version; safe to run any number of times.

    A TransientGeneratorError propagates (the task retries it) unless ``final_attempt``, when the
    unfinished slots are marked failed instead, like a permanent error.
    """
    generator = generators.generator_from_settings()
    if generator is None:
        logger.info("generate: version %s skipped, PREVIEW_GENERATOR is none", version_id)
        return
    plan = _slots_prepare(version_id=version_id)
    if plan is None:
        return
    try:
        for slot in plan.slots:
            produced = generator.generate(
                prompt=plan.prompt,
                count=1,
                seed=slot.seed,
                width=settings.PREVIEW_GENERATOR_WIDTH,
                height=settings.PREVIEW_GENERATOR_HEIGHT,
            )
            if not produced:
                raise PermanentGeneratorError(generator.model_name, "no image was returned")
            if not _slot_store(plan=plan, slot=slot, model_name=generator.model_name, image=produced[0]):
                break  # the prompt changed meanwhile: the edit queued a run of its own
    except TransientGeneratorError as exc:
        if not final_attempt:
            logger.warning("generate: version %s will be retried: %s", version_id, exc)
            raise
        _slots_fail(plan=plan, error=exc)
    except PermanentGeneratorError as exc:
        _slots_fail(plan=plan, error=exc)
    version_render_generated(version_id=version_id)
    listing_retire_superseded_previews(listing_id=plan.listing_id)


@transaction.atomic
def _slots_prepare(*, version_id: int) -> Plan | None:
    """Lock the version, drop slots made from an older text, create missing ones; say what to generate."""
    version = _version_locked(version_id)
    if version is None:
        logger.info("generate: version %s is gone", version_id)
        return None
    listing = version.listing
    if not listing.needs_preview:
        return None
    prompt = _filled(version)
    if any(_filled(newer) != prompt for newer in listing.versions.filter(number__gt=version.number)):
        logger.info("generate: version %s is superseded by a newer text", version_id)
        return None
    digest = prompt_digest(prompt)
    _slots_drop_stale(version, digest)
    ListingImage.objects.bulk_create(
        [
            ListingImage(
                listing=listing,
                prompt_version=version,
                source=ImageSource.PLATFORM,
                ai_class=AiClass.AI_GENERATED,
                ai_evidence=AiEvidence.PLATFORM,
                position=position,
                status=ImageStatus.PENDING,
                source_format="",
                source_width=0,
                source_height=0,
                source_bytes=0,
                sha256="",
                generator={"prompt_digest": digest, "seed": secrets.randbelow(2**31)},
            )
            for position in range(1, settings.PREVIEW_GENERATOR_COUNT + 1)
        ],
        ignore_conflicts=True,  # slots that exist stay as they are: the unique constraint decides
    )
    empty = version.generated_images.filter(
        source=ImageSource.PLATFORM,
        original="",
        status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING],
        position__lte=settings.PREVIEW_GENERATOR_COUNT,
    ).order_by("position")
    slots = [Slot(image_id=i.pk, position=i.position, seed=int(i.generator.get("seed", 0))) for i in empty]
    return Plan(version_id=version.pk, listing_id=listing.pk, prompt=prompt, digest=digest, slots=slots)


def _slots_drop_stale(version: PromptVersion, digest: str) -> None:
    stale = [
        image
        for image in version.generated_images.filter(source=ImageSource.PLATFORM)
        if image.generator.get("prompt_digest") != digest
    ]
    if not stale:
        return
    ListingImage.objects.filter(pk__in=[image.pk for image in stale]).delete()
    listing_id = version.listing_id
    transaction.on_commit(lambda: _delete_files(stale))
    transaction.on_commit(lambda: listing_documents_refresh(listing_id=listing_id))


def _delete_files(images: list[ListingImage]) -> None:
    from django.core.files.storage import default_storage

    for image in images:
        for rendition in image.renditions:
            default_storage.delete(rendition["name"])
        image.original.delete(save=False)


def _slot_store(*, plan: Plan, slot: Slot, model_name: str, image: GeneratedImage) -> bool:
    """Write the original (outside the transaction), then fill the slot if it still wants this image.

    False when the prompt changed meanwhile: the rest of this run would generate from an old text.
    """
    try:
        info = inspect_upload(io.BytesIO(image.data), size=len(image.data))
    except ApplicationError as exc:
        logger.warning(
            "generate: version %s slot %s unreadable: %s", plan.version_id, slot.position, exc.code
        )
        ListingImage.objects.filter(pk=slot.image_id, original="").update(
            status=ImageStatus.FAILED, failure_reason=UNREADABLE, updated_at=timezone.now()
        )
        return True
    row = ListingImage.objects.filter(pk=slot.image_id).first()
    if row is None:
        return True  # the seller deleted the slot meanwhile
    row.source_format = info.format
    storage = row.original.storage
    name = original_upload_to(row, "")
    storage.delete(name)  # a partial file left by a killed worker
    stored = storage.save(name, ContentFile(image.data))
    outcome = _slot_fill(plan=plan, slot=slot, stored=stored, info=info, model_name=model_name, image=image)
    if outcome != "filled":
        storage.delete(stored)
    return outcome != "outdated"


@transaction.atomic
def _slot_fill(
    *, plan: Plan, slot: Slot, stored: str, info: ImageInfo, model_name: str, image: GeneratedImage
) -> str:
    """'filled', 'taken' (another run filled the slot first) or 'outdated' (the prompt changed)."""
    # The listing lock orders this after any edit: an image made from a text edited meanwhile is dropped.
    version = _version_locked(plan.version_id)
    if version is None or prompt_digest(_filled(version)) != plan.digest:
        logger.info(
            "generate: version %s changed while slot %s was generated", plan.version_id, slot.position
        )
        return "outdated"
    filled = ListingImage.objects.filter(
        pk=slot.image_id, original="", status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING]
    ).update(
        original=stored,
        source_format=info.format,
        source_width=info.width,
        source_height=info.height,
        source_bytes=info.size,
        sha256=info.sha256,
        status=ImageStatus.PENDING,
        generator={
            "model": model_name,
            "seed": image.seed,
            "params": image.params,
            "prompt_digest": plan.digest,
        },
        updated_at=timezone.now(),
    )
    return "filled" if filled == 1 else "taken"


def _slots_fail(*, plan: Plan, error: GeneratorError) -> None:
    refused = isinstance(error, PermanentGeneratorError) and error.refused
    details = [f"HTTP {error.status}"] if error.status else []
    details += [error.code] if error.code else []
    code = ", ".join(details) or error.backend
    logger.warning("generate: version %s failed: %s", plan.version_id, error)
    version_generation_fail(version_id=plan.version_id, code=code, refused=refused)


@transaction.atomic
def version_generation_fail(*, version_id: int, code: str, refused: bool = False) -> int:
    """Mark the version's slots that have no image yet failed, with a reason the seller can act on."""
    reason = (REFUSED if refused else UNAVAILABLE).format(code=code)
    empty = ListingImage.objects.filter(
        prompt_version_id=version_id, source=ImageSource.PLATFORM, original=""
    ).exclude(status__in=[ImageStatus.READY, ImageStatus.FAILED])
    listing_id = empty.values_list("listing_id", flat=True).first()
    failed = empty.update(status=ImageStatus.FAILED, failure_reason=reason[:300], updated_at=timezone.now())
    if failed and listing_id is not None:
        listing_event_record(
            listing_id=listing_id,
            action="platform_previews_failed",
            detail={"version": version_id, "slots": failed, "error": code, "refused": refused},
        )
    return failed


def version_render_generated(*, version_id: int) -> None:
    """Render every generated original of the version that has no previews yet."""
    waiting = ListingImage.objects.filter(
        prompt_version_id=version_id,
        source=ImageSource.PLATFORM,
        status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING],
    ).exclude(original="")
    for image_id in waiting.values_list("pk", flat=True):
        image_render_previews(image_id=image_id)


@transaction.atomic
def listing_retire_superseded_previews(*, listing_id: int) -> int:
    """Delete platform previews of versions older than the newest version with a ready one.

    Old versions' previews show a text the buyer no longer gets; they stay until a newer one is ready,
    so a published listing is never left without previews.
    """
    listing = Listing.objects.select_for_update().filter(pk=listing_id).first()
    if listing is None:
        return 0
    platform = ListingImage.objects.filter(
        listing_id=listing_id, source=ImageSource.PLATFORM, prompt_version__isnull=False
    )
    newest = platform.filter(status=ImageStatus.READY).aggregate(number=Max("prompt_version__number"))[
        "number"
    ]
    if newest is None:
        return 0
    superseded = list(platform.filter(prompt_version__number__lt=newest))
    if not superseded:
        return 0
    ListingImage.objects.filter(pk__in=[image.pk for image in superseded]).delete()
    listing_event_record(
        listing_id=listing.pk,
        action="platform_previews_retired",
        detail={"images": [image.public_id for image in superseded], "newest_version": newest},
    )
    transaction.on_commit(lambda: _delete_files(superseded))
    transaction.on_commit(lambda: listing_documents_refresh(listing_id=listing_id))
    return len(superseded)
