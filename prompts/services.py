"""Every write to listings. Keyword-only, typed, atomic; interfaces call these and nothing else."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError, Conflict
from marketplace.core.money import CURRENCIES, MoneyError, validate_price
from marketplace.core.text import require_visible_text
from prompts import screening
from prompts.documents import listing_documents_refresh
from prompts.models import (
    FlagStatus,
    ImageStatus,
    Listing,
    ListingEvent,
    ListingImage,
    ListingStatus,
    PromptVersion,
    Tag,
)
from prompts.previews.enqueue import send_on_commit
from prompts.previews.images import inspect_upload

MAX_TAGS = 10
MAX_TAG_CHARS = 30
MAX_IMAGES = 12
MAX_EXAMPLE_OUTPUTS = 5
MAX_VARIABLE_EXAMPLES = 20
MAX_VARIABLE_EXAMPLE_CHARS = 200
_VARIABLE = re.compile(r"\[([^\[\]\n]{1,40})\]")

LISTING_FIELDS = {
    "title",
    "description",
    "language",
    "target_model",
    "category",
    "license",
    "price_amount",
    "price_currency",
    "tags",
    "example_outputs",
}
PROMPT_FIELDS = {"prompt_text", "usage_notes", "variable_examples"}


def extract_variables(text: str) -> list[str]:
    """'[subject] on a [colour] T-shirt' -> ['subject', 'colour'], in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _VARIABLE.finditer(text):
        name = match.group(1).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def normalize_tag(raw: str) -> str:
    tag = unicodedata.normalize("NFKC", raw).strip().casefold()
    return re.sub(r"[\s_]+", "-", tag).strip("-#")


def _clean_tags(raw_tags: list[str]) -> list[str]:
    tags: dict[str, None] = {}
    for raw in raw_tags:
        require_visible_text(raw, field="tags")
        tag = normalize_tag(raw)
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise ApplicationError(
                "invalid",
                _("A tag is too long."),
                fields={"tags": [_("Tags are at most %(count)s characters.") % {"count": MAX_TAG_CHARS}]},
            )
        tags.setdefault(tag, None)
    if len(tags) > MAX_TAGS:
        raise ApplicationError(
            "invalid",
            _("Too many tags."),
            fields={"tags": [_("Use at most %(count)s tags.") % {"count": MAX_TAGS}]},
        )
    return list(tags)


def _check_price(amount: int, currency: str) -> str:
    try:
        return validate_price(amount, currency).code
    except MoneyError as exc:
        # The message is in the visitor's language; the currency table says which field is wrong.
        known = isinstance(currency, str) and currency.upper() in CURRENCIES
        field = "price.amount" if known else "price.currency"
        raise ApplicationError("invalid_price", str(exc), fields={field: [str(exc)]}) from None


def _record(listing: Listing, actor: User | None, action: str, **detail: Any) -> None:
    ListingEvent.objects.create(listing=listing, actor=actor, action=action, detail=detail)


def _set_tags(listing: Listing, tags: list[str]) -> None:
    existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=tags)}
    missing = [Tag(slug=slug) for slug in tags if slug not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
    listing.tags.set(Tag.objects.filter(slug__in=tags))


def _current_version(listing: Listing) -> PromptVersion | None:
    return listing.versions.order_by("-number").first()


def _refresh_documents_on_commit(listing: Listing) -> None:
    listing_id = listing.pk
    transaction.on_commit(lambda: listing_documents_refresh(listing_id=listing_id))


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
) -> Listing:
    if not prompt_text.strip():
        raise ApplicationError(
            "invalid", _("The prompt is empty."), fields={"prompt_text": [_("Write the prompt.")]}
        )
    require_visible_text(title, field="title")
    listing = Listing(
        seller=seller,
        title=title.strip(),
        description=description.strip(),
        language=language,
        target_model=target_model,
        category=category,
        license=license,
        price_amount=price_amount,
        price_currency=_check_price(price_amount, price_currency),
        variables=extract_variables(prompt_text),
        example_outputs=example_outputs or [],
    )
    listing.save()
    _set_tags(listing, _clean_tags(tags or []))
    version = PromptVersion.objects.create(
        listing=listing,
        number=1,
        text=prompt_text,
        usage_notes=usage_notes,
        variables=listing.variables,
        variable_examples=_clean_variable_examples(variable_examples or {}),
    )
    _generate_previews_on_commit(listing, version)
    _record(listing, seller, "created")
    _refresh_documents_on_commit(listing)
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
        current.variable_examples
        if variable_examples is None
        else _clean_variable_examples(variable_examples)
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


def _clean_variable_examples(raw: dict[str, str]) -> dict[str, str]:
    """{variable name: example value}, used to fill [variables] when the platform generates previews."""
    if len(raw) > MAX_VARIABLE_EXAMPLES:
        message = _("Give examples for at most %(count)s variables.") % {"count": MAX_VARIABLE_EXAMPLES}
        raise ApplicationError("invalid", message, fields={"variable_examples": [message]})
    examples = {}
    for name, value in raw.items():
        name, value = str(name).strip(), str(value).strip()
        if not name or len(name) > 40 or len(value) > MAX_VARIABLE_EXAMPLE_CHARS:
            message = _("Variable names are 1-40 characters, examples at most %(count)s.") % {
                "count": MAX_VARIABLE_EXAMPLE_CHARS
            }
            raise ApplicationError("invalid", message, fields={"variable_examples": [message]})
        if value:
            examples[name] = value
    return examples


def _generate_previews_on_commit(listing: Listing, version: PromptVersion) -> None:
    # Only the id travels through the broker; the worker reads the prompt from the database.
    if settings.PREVIEW_GENERATOR == "none" or not listing.needs_preview:
        return
    from prompts.previews.tasks import generate_previews

    send_on_commit(generate_previews, version.pk)


def _screen_fields(listing: Listing, version: PromptVersion | None, tags: list[str]) -> dict[str, str]:
    return {
        "title": listing.title,
        "description": listing.description,
        "tags": " | ".join(tags),
        "prompt_text": version.text if version else "",
        "usage_notes": version.usage_notes if version else "",
        "variable_examples": " | ".join(str(v) for v in (version.variable_examples or {}).values())
        if version
        else "",
        "example_outputs": "\n".join(listing.example_outputs),
    }


def _blocked_error(hits: list[screening.Hit]) -> ApplicationError:
    fields = sorted({hit.field for hit in hits})
    message = _(
        "This listing contains terms that are not allowed on Dimsum. Edit the named fields and retry."
    )
    return ApplicationError(
        "screening_blocked",
        message,
        fields={field: [_("Contains a term that is not allowed.")] for field in fields},
        status_code=422,
    )


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
        listing.price_currency = _check_price(amount, changes.get("price_currency", listing.price_currency))
        listing.price_amount = amount
    tags = (
        _clean_tags(changes["tags"])
        if "tags" in changes
        else list(listing.tags.values_list("slug", flat=True))
    )
    prompt_changed = _apply_prompt_change(
        listing, changes.get("prompt_text"), changes.get("usage_notes"), changes.get("variable_examples")
    )

    if listing.status == ListingStatus.PUBLISHED:
        # Published listings stay on sale while an edit passes the screen; a blocked edit is refused.
        current = _current_version(listing)
        hits = screening.screen(_screen_fields(listing, current, tags))
        if screening.blocking(hits):
            raise _blocked_error(screening.blocking(hits))
        if hits:
            listing.status = ListingStatus.PENDING_REVIEW
            listing.review_note = _review_note(hits)
    elif listing.status in (ListingStatus.PENDING_REVIEW, ListingStatus.REJECTED):
        listing.status = ListingStatus.DRAFT  # an edited listing must be submitted again
    listing.save()
    if "tags" in changes:
        _set_tags(listing, tags)
    _record(listing, by, "edited", fields=sorted(changes), new_prompt_version=prompt_changed)
    _refresh_documents_on_commit(listing)
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


def _review_note(hits: list[screening.Hit]) -> str:
    fields = ", ".join(sorted({hit.field for hit in hits}))
    return f"Automated screening matched terms in: {fields}. A moderator will review it."[:300]


def listing_submit(*, listing: Listing, by: User) -> Listing:
    """Screen the listing; publish it, queue it for review, or refuse with the fields to fix."""
    listing = Listing.objects.select_related("seller").get(pk=listing.pk)
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.REJECTED, ListingStatus.ARCHIVED):
        raise Conflict(
            "invalid_transition",
            _("A %(status)s listing cannot be submitted.") % {"status": listing.get_status_display().lower()},
        )
    _check_ready_for_sale(listing)
    current = _current_version(listing)
    tags = list(listing.tags.values_list("slug", flat=True))
    hits = screening.screen(_screen_fields(listing, current, tags))
    hits += _duplicate_image_hits(listing)
    if screening.blocking(hits):
        # Recorded outside the refused transition: the audit trail keeps refused attempts too.
        _record(
            listing,
            by,
            "screening_blocked",
            fields=sorted({h.field for h in hits}),
            lists=sorted({h.list_name for h in hits}),
        )
        raise _blocked_error(screening.blocking(hits))
    return _listing_transition_after_screen(listing_id=listing.pk, by=by, hits=hits)


def _duplicate_image_hits(listing: Listing) -> list[screening.Hit]:
    if listing.flags.filter(reason="duplicate_image", status=FlagStatus.OPEN).exists():
        return [screening.Hit(field="images", list_name="near-duplicate images", action="review")]
    return []


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
        listing.review_note = _review_note(hits) if hits else "Waiting for a moderator."
        listing.save()
        _record(listing, by, "submitted", queued_for_review=True, fields=sorted({h.field for h in hits}))
    else:
        _publish(listing, now)
        _record(listing, by, "submitted", queued_for_review=False)
        _record(listing, None, "published", automatic=True)
    _refresh_documents_on_commit(listing)
    return listing


def _publish(listing: Listing, now: Any) -> None:
    listing.status = ListingStatus.PUBLISHED
    listing.review_note = ""
    listing.published_at = now
    listing.first_published_at = listing.first_published_at or now
    listing.save()


@transaction.atomic
def listing_archive(*, listing: Listing, by: User) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status not in (ListingStatus.PUBLISHED, ListingStatus.PENDING_REVIEW):
        raise Conflict("invalid_transition", _("Only published or pending listings can be archived."))
    listing.status = ListingStatus.ARCHIVED
    listing.save()
    _record(listing, by, "archived")
    _refresh_documents_on_commit(listing)
    return listing


@transaction.atomic
def listing_approve(*, listing: Listing, by: User) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status != ListingStatus.PENDING_REVIEW:
        raise Conflict("invalid_transition", _("Only listings pending review can be approved."))
    _publish(listing, timezone.now())
    _record(listing, by, "approved")
    _refresh_documents_on_commit(listing)
    return listing


@transaction.atomic
def listing_reject(*, listing: Listing, by: User, reason: str) -> Listing:
    """Reject a pending listing, or take down a published one, with a reason the seller sees."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("invalid", _("Give the seller a reason."), fields={"reason": [_("Required.")]})
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.status not in (ListingStatus.PENDING_REVIEW, ListingStatus.PUBLISHED):
        raise Conflict("invalid_transition", _("Only pending or published listings can be rejected."))
    listing.status = ListingStatus.REJECTED
    listing.rejection_reason = reason[:2000]
    listing.save()
    _record(listing, by, "rejected", reason=listing.rejection_reason)
    _refresh_documents_on_commit(listing)
    return listing


def listing_image_add(*, listing: Listing, by: User, upload: UploadedFile) -> ListingImage:
    # Inspect before opening a transaction: reading and decoding a file is slow.
    info = inspect_upload(upload, size=upload.size or 0)
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
        )
        image.original.save(f"upload.{info.format}", upload, save=False)
        image.save()
        _record(listing, by, "image_added", image=image.public_id)
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
    _record(listing, by, "image_deleted", image=image.public_id)
    transaction.on_commit(lambda: _delete_image_files(image))
    _refresh_documents_on_commit(listing)
