"""Public JSON documents of a listing: the catalog card and the detail page.

They are rendered here, in one place, whenever a listing or its previews change, and stored on
the row. The catalog then serves a page with one indexed query and no per-row serialisation.
Nothing secret goes in: the prompt text and usage notes never appear in these documents.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.files.storage import default_storage
from django.db import transaction

from marketplace.core.money import money_json
from prompts.models import AiClass, ImageStatus, Listing, ListingImage
from prompts.search.index import listing_search_refresh

CARD_EXCERPT_CHARS = 160


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def preview_json(image: ListingImage) -> dict[str, Any]:
    sizes = sorted(image.renditions, key=lambda r: r["width"])
    return {
        "id": image.public_id,
        "width": image.width,
        "height": image.height,
        "blurhash": image.blurhash,
        "dominant_color": image.dominant_color,
        "generated_by_platform": image.generated_by_platform,
        "generator": {"model": image.generator.get("model", "")} if image.generated_by_platform else None,
        "ai_label": True,
        # What the file's provenance says (labelling measures Art. 6), shown beside the image.
        "ai_class": AiClass.AI_GENERATED if image.generated_by_platform else image.ai_class,
        "sizes": [
            {"width": r["width"], "height": r["height"], "url": default_storage.url(r["name"])} for r in sizes
        ],
    }


def rating_json(rating_sum: int, rating_count: int) -> dict[str, Any]:
    return {"average": round(rating_sum / rating_count, 2) if rating_count else None, "count": rating_count}


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CARD_EXCERPT_CHARS else text[: CARD_EXCERPT_CHARS - 1].rstrip() + "…"


def card(listing: Listing, tags: list[str], previews: list[dict[str, Any]]) -> dict[str, Any]:
    seller = listing.seller
    return {
        "id": listing.public_id,
        "title": listing.title,
        "excerpt": _excerpt(listing.description),
        "language": listing.language,
        "target_model": listing.target_model,
        "category": listing.category,
        "tags": tags,
        "price": money_json(listing.price_amount, listing.price_currency),
        "is_free": listing.is_free,
        "license": listing.license,
        "seller": {"handle": seller.handle, "name": seller.public_name},
        "cover": previews[0] if previews else None,
        "has_platform_previews": any(p["generated_by_platform"] for p in previews),
        "published_at": _iso(listing.published_at),
        "url": f"/api/v1/listings/{listing.public_id}/",
        "rating": rating_json(listing.rating_sum, listing.rating_count),
        "trial_runs": listing.trial_runs,
    }


def detail(listing: Listing, tags: list[str], previews: list[dict[str, Any]]) -> dict[str, Any]:
    document = card(listing, tags, previews)
    del document["excerpt"], document["cover"]
    document.update(
        description=listing.description,
        variables=listing.variables,
        example_outputs=listing.example_outputs if not listing.needs_preview else [],
        previews=previews,
        updated_at=_iso(listing.updated_at),
    )
    return document


def listing_documents_refresh(*, listing_id: int) -> None:
    """Re-render both documents from the database; safe to call any number of times."""
    listing = Listing.objects.select_related("seller").get(pk=listing_id)
    tags = sorted(listing.tags.values_list("slug", flat=True))
    images = listing.images.filter(status=ImageStatus.READY).order_by("position", "id")
    previews = [preview_json(image) for image in images]
    Listing.objects.filter(pk=listing_id).update(
        card_json=orjson.dumps(card(listing, tags, previews)).decode(),
        detail_json=orjson.dumps(detail(listing, tags, previews)).decode(),
    )
    listing_search_refresh(listing_id=listing_id)


def listing_documents_refresh_on_commit(*, listing_id: int) -> None:
    """Re-render the documents once the current transaction commits: a rollback leaves them as they were."""
    transaction.on_commit(lambda: listing_documents_refresh(listing_id=listing_id))
