"""Every write to listings. Keyword-only, typed, atomic; interfaces call these and nothing else."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.text import require_visible_text
from marketplace.rates.selectors import reference_amount
from marketplace.verification.services import seller_require_verified
from prompts.cleaning import (
    MAX_IMAGES,
    check_price,
    clean_tags,
    clean_variable_examples,
    extract_variables,
)
from prompts.documents import listing_documents_refresh_on_commit
from prompts.models import (
    ImageStatus,
    Listing,
    ListingImage,
    ListingStatus,
    PromptVersion,
    Tag,
)
from prompts.moderation import screening
from prompts.moderation.decisions import listing_mark_published
from prompts.moderation.events import listing_event_record
from prompts.previews import provenance
from prompts.previews.enqueue import send_on_commit
from prompts.previews.images import inspect_upload

LISTING_FIELDS = {
    "title",
    "description",
    "language",
    "target_model",
    "category",
    "license",
    "trial_runs",
    "price_amount",
    "price_currency",
    "tags",
    "example_outputs",
}
PROMPT_FIELDS = {"prompt_text", "usage_notes", "variable_examples"}


def _set_tags(listing: Listing, tags: list[str]) -> None:
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=tags)}
    missing = [Tag(slug=slug) for slug in tags if slug not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
    listing.tags.set(Tag.objects.filter(slug__in=tags))


def _current_version(listing: Listing) -> PromptVersion | None:
    return listing.versions.order_by("-number").first()


@transaction.atomic
def listing_create(
    *,
    seller: User,
    title: str,
    target_model: str,
    category: str,
    prompt_text: str,
    price_amount: int = 0,
    price_currency: str = "USD",
    description: str = "",
    language: str = "en",
    license: str = "personal",
    tags: list[str] | None = None,
    usage_notes: str = "",
    example_outputs: list[str] | None = None,
    variable_examples: dict[str, str] | None = None,
    trial_runs: int = 0,
) -> Listing:
    if not prompt_text.strip():
        raise ApplicationError(
            "invalid", _("The prompt is empty."), fields={"prompt_text": [_("Write the prompt.")]}
        )
    require_visible_text(title, field="title")
    currency = check_price(price_amount, price_currency)
    listing = Listing(
        seller=seller,
        title=title.strip(),
        description=description.strip(),
        language=language,
        target_model=target_model,
        category=category,
        license=license,
        price_amount=price_amount,
        price_currency=currency,
        price_reference=reference_amount(price_amount, currency),
        variables=extract_variables(prompt_text),
        example_outputs=example_outputs or [],
        trial_runs=trial_runs,
    )
    listing.save()
    _set_tags(listing, clean_tags(tags or []))
    version = PromptVersion.objects.create(
        listing=listing,
        number=1,
        text=prompt_text,
        usage_notes=usage_notes,
        variables=listing.variables,
        variable_examples=clean_variable_examples(variable_examples or {}),
    )
    _generate_previews_on_commit(listing, version)
    listing_event_record(listing_id=listing.pk, actor=seller, action="created")
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing


def _apply_prompt_change(
    listing: Listing,
    prompt_text: str | None,
    usage_notes: str | None,
    variable_examples: dict[str, str] | None = None,
) -> bool:
    """Edit in place before first publication; afterwards keep history as a new version."""
    current = _current_version(listing)
    assert current is not None
    text = current.text if prompt_text is None else prompt_text
    notes = current.usage_notes if usage_notes is None else usage_notes
    examples = (
        current.variable_examples if variable_examples is None else clean_variable_examples(variable_examples)
    )
    if text == current.text and notes == current.usage_notes and examples == current.variable_examples:
        return False
    regenerate = text != current.text or examples != current.variable_examples
    if not text.strip():
        raise ApplicationError(
            "invalid", _("The prompt is empty."), fields={"prompt_text": [_("Write the prompt.")]}
        )
    listing.variables = extract_variables(text)
    if listing.first_published_at is None:
        current.text, current.usage_notes, current.variables = text, notes, listing.variables
        current.variable_examples = examples
        current.save(update_fields=["text", "usage_notes", "variables", "variable_examples"])
    else:
        current = PromptVersion.objects.create(
            listing=listing,
            number=current.number + 1,
            text=text,
            usage_notes=notes,
            variables=listing.variables,
            variable_examples=examples,
        )
    if regenerate:
        _generate_previews_on_commit(listing, current)
    return True


def _generate_previews_on_commit(listing: Listing, version: PromptVersion) -> None:
    # Only the id travels through the broker; the worker reads the prompt from the database.
    if settings.PREVIEW_GENERATOR == "none" or not listing.needs_preview:
        return
    from prompts.previews.tasks import generate_previews

    send_on_commit(generate_previews, version.pk)


@transaction.atomic
def listing_update(*, listing: Listing, by: User, changes: dict[str, Any]) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    unknown = set(changes) - LISTING_FIELDS - PROMPT_FIELDS
    if unknown:
        raise ApplicationError(
            "invalid", _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "title" in changes:
        require_visible_text(changes["title"], field="title")
    for field in LISTING_FIELDS - {"tags", "price_amount", "price_currency"}:
        if field in changes:
            value = changes[field]
            setattr(listing, field, value.strip() if isinstance(value, str) else value)
    if "price_amount" in changes or "price_currency" in changes:
        amount = changes.get("price_amount", listing.price_amount)
        listing.price_currency = check_price(amount, changes.get("price_currency", listing.price_currency))
        listing.price_amount = amount
        listing.price_reference = reference_amount(amount, listing.price_currency)
    tags = (
        clean_tags(changes["tags"])
        if "tags" in changes
        else list(listing.tags.values_list("slug", flat=True))
    )
    prompt_changed = _apply_prompt_change(
        listing, changes.get("prompt_text"), changes.get("usage_notes"), changes.get("variable_examples")
    )

    if listing.status == ListingStatus.PUBLISHED:
        # Published listings stay on sale while an edit passes the screen; a blocked edit is refused.
        current = _current_version(listing)
        hits = screening.screen(screening.listing_fields(listing, current, tags))
        if screening.blocking(hits):
            raise screening.blocked_error(screening.blocking(hits))
        if hits:
            listing.status = ListingStatus.PENDING_REVIEW
            listing.review_note = screening.review_note(hits)
    elif listing.status in (ListingStatus.PENDING_REVIEW, ListingStatus.REJECTED):
        listing.status = ListingStatus.DRAFT  # an edited listing must be submitted again
    listing.save()
    if "tags" in changes:
        _set_tags(listing, tags)
    listing_event_record(
        listing_id=listing.pk,
        actor=by,
        action="edited",
        detail={"fields": sorted(changes), "new_prompt_version": prompt_changed},
    )
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing


@transaction.atomic
def listing_delete(*, listing: Listing, by: User) -> None:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.first_published_at is not None:
        raise Conflict(
            "cannot_delete_published",
            _("This listing has been on sale, so buyers may own it. Archive it instead."),
        )
    for image in listing.images.all():
        transaction.on_commit(lambda image=image: _delete_image_files(image))  # type: ignore[misc]
    listing.delete()


def listing_submit(*, listing: Listing, by: User) -> Listing:
    """Screen the listing; publish it, queue it for review, or refuse with the fields to fix."""
    listing = Listing.objects.select_related("seller").get(pk=listing.pk)
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.REJECTED, ListingStatus.ARCHIVED):
        raise Conflict(
            "invalid_transition",
            _("A %(status)s listing cannot be submitted.") % {"status": listing.get_status_display().lower()},
        )
    seller_require_verified(user=listing.seller)
    _check_ready_for_sale(listing)
    current = _current_version(listing)
    tags = list(listing.tags.values_list("slug", flat=True))
    hits = screening.screen(screening.listing_fields(listing, current, tags))
    hits += screening.duplicate_image_hits(listing)
    if screening.blocking(hits):
        # Recorded outside the refused transition: the audit trail keeps refused attempts too.
        listing_event_record(
            listing_id=listing.pk,
            actor=by,
            action="screening_blocked",
            detail={"fields": sorted({h.field for h in hits}), "lists": sorted({h.list_name for h in hits})},
        )
        raise screening.blocked_error(screening.blocking(hits))
    return _listing_transition_after_screen(listing_id=listing.pk, by=by, hits=hits)


def _check_ready_for_sale(listing: Listing) -> None:
    if listing.needs_preview and not listing.images.filter(status=ImageStatus.READY).exists():
        pending = listing.images.filter(status__in=[ImageStatus.PENDING, ImageStatus.PROCESSING]).exists()
        message = (
            _("Your example images are still being processed; submit again in a moment.")
            if pending
            else _("Add at least one example image before submitting a listing for an image model.")
        )
        raise ApplicationError("needs_preview", message, fields={"images": [message]}, status_code=409)
    if listing.price_amount > 0 and not listing.seller.can_accept_payments:
        message = _(
            "Connect a payout account before selling paid listings (POST /api/v1/seller/payouts/onboarding/)."
        )
        raise ApplicationError("payouts_not_ready", message, fields={"price": [message]}, status_code=409)
    if not listing.needs_preview and not listing.example_outputs:
        message = _("Add at least one example output before submitting a listing for a text model.")
        raise ApplicationError(
            "needs_example", message, fields={"example_outputs": [message]}, status_code=409
        )


@transaction.atomic
def _listing_transition_after_screen(*, listing_id: int, by: User, hits: list[screening.Hit]) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing_id)
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.REJECTED, ListingStatus.ARCHIVED):
        raise Conflict("invalid_transition", _("This listing was submitted already."))
    now = timezone.now()
    listing.submitted_at = now
    listing.rejection_reason = ""
    if hits or settings.LISTING_REVIEW == "manual":
        listing.status = ListingStatus.PENDING_REVIEW
        listing.review_note = screening.review_note(hits) if hits else "Waiting for a moderator."
        listing.save()
        listing_event_record(
            listing_id=listing.pk,
            actor=by,
            action="submitted",
            detail={"queued_for_review": True, "fields": sorted({h.field for h in hits})},
        )
    else:
        listing_mark_published(listing, now=now)
        listing_event_record(
            listing_id=listing.pk, actor=by, action="submitted", detail={"queued_for_review": False}
        )
        listing_event_record(listing_id=listing.pk, action="published", detail={"automatic": True})
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing


@transaction.atomic
def listing_archive(*, listing: Listing, by: User) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status not in (ListingStatus.PUBLISHED, ListingStatus.PENDING_REVIEW):
        raise Conflict("invalid_transition", _("Only published or pending listings can be archived."))
    listing.status = ListingStatus.ARCHIVED
    listing.save()
    listing_event_record(listing_id=listing.pk, actor=by, action="archived")
    listing_documents_refresh_on_commit(listing_id=listing.pk)
    return listing


def listing_image_add(
    *, listing: Listing, by: User, upload: UploadedFile, ai_declared: bool = False
) -> ListingImage:
    """Attach an example image; ``ai_declared``: the seller says it is AI-generated (labelling
    measures Art. 6), which the listing page shows unless the file's own metadata says so."""
    # Inspect before opening a transaction: reading and decoding a file is slow.
    info = inspect_upload(upload, size=upload.size or 0)
    found = provenance.read(upload, info.format)
    # The pixels are not searched here: when nothing else decided ("none"), the preview worker looks
    # for a visible AI label (prompts.previews.services.image_detect_visible_label).
    ai_class, ai_evidence = provenance.classify(found, declared=ai_declared)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        if listing.images.count() >= MAX_IMAGES:
            raise ApplicationError(
                "too_many_images",
                _("A listing has at most %(count)s images; delete one first.") % {"count": MAX_IMAGES},
                status_code=409,
            )
        position = (listing.images.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        image = ListingImage(
            listing=listing,
            position=position,
            source_format=info.format,
            source_width=info.width,
            source_height=info.height,
            source_bytes=info.size,
            sha256=info.sha256,
            ai_class=ai_class,
            ai_evidence=ai_evidence,
            ai_declared=ai_declared,
            label_producer=found.producer,
            label_produce_id=found.produce_id,
        )
        image.original.save(f"upload.{info.format}", upload, save=False)
        image.save()
        listing_event_record(
            listing_id=listing.pk,
            actor=by,
            action="image_added",
            detail={"image": image.public_id, "ai_class": ai_class},
        )
        from prompts.previews.tasks import render_previews

        # A broker that is down does not fail the upload: the image stays pending for the sweep.
        send_on_commit(render_previews, image.pk)
    return image


def _delete_image_files(image: ListingImage) -> None:
    from django.core.files.storage import default_storage

    for rendition in image.renditions:
        default_storage.delete(rendition["name"])
    image.original.delete(save=False)


@transaction.atomic
def listing_image_delete(*, image: ListingImage, by: User) -> None:
    listing = Listing.objects.select_for_update().get(pk=image.listing_id)
    if (
        listing.status == ListingStatus.PUBLISHED
        and listing.needs_preview
        and not listing.images.filter(status=ImageStatus.READY).exclude(pk=image.pk).exists()
    ):
        raise Conflict("last_preview", _("A published listing needs at least one image; add another first."))
    image.delete()
    listing_event_record(
        listing_id=listing.pk, actor=by, action="image_deleted", detail={"image": image.public_id}
    )
    transaction.on_commit(lambda: _delete_image_files(image))
    listing_documents_refresh_on_commit(listing_id=listing.pk)
