"""Keep a listing's search tokens current: a weighted tsvector on PostgreSQL, FTS5 on SQLite.

Only published listings are indexed; everything else is removed from the index.
"""

from __future__ import annotations

from django.db import connection

from prompts.models import Listing, ListingStatus, TargetModel
from prompts.search.suggest import record_terms
from prompts.search.tokens import document_tokens

MAX_POSITION = 16_383  # PostgreSQL's largest tsvector position


def _fields(listing: Listing, tags: list[str]) -> tuple[str, str, str]:
    """Primary (title, tags), secondary (model, category, seller), body (description)."""
    model_label = (
        TargetModel(listing.target_model).label if listing.target_model in TargetModel.values else ""
    )
    primary = " ".join([listing.title, *tags])
    secondary = " ".join([listing.target_model, model_label, listing.category, listing.seller.handle])
    return primary, secondary, listing.description


def tsvector_literal(weighted: list[tuple[str, str]]) -> str:
    """'token':position + weight, built here so no text parser or dictionary can change our tokens."""
    parts, position = [], 1
    for text, weight in weighted:
        for token in document_tokens(text):
            parts.append(f"'{token}':{min(position, MAX_POSITION)}{weight}")
            position += 1
    return " ".join(parts)


def listing_search_refresh(*, listing_id: int) -> None:
    listing = Listing.objects.select_related("seller").get(pk=listing_id)
    indexed = listing.status == ListingStatus.PUBLISHED
    tags = list(listing.tags.values_list("slug", flat=True)) if indexed else []
    primary, secondary, body = _fields(listing, tags)
    if connection.vendor == "postgresql":
        literal = tsvector_literal([(primary, "A"), (secondary, "B"), (body, "C")]) if indexed else None
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE prompts_listing SET search_vector = %s::tsvector WHERE id = %s", [literal, listing_id]
            )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM prompts_listing_fts WHERE rowid = %s", [listing_id])
            if indexed:
                cursor.execute(  # the same tokens, one FTS5 column per weight
                    "INSERT INTO prompts_listing_fts (rowid, primary_text, secondary_text, body_text) "
                    "VALUES (%s, %s, %s, %s)",
                    [listing_id, *(" ".join(document_tokens(text)) for text in (primary, secondary, body))],
                )

    if indexed:
        record_terms(title=listing.title, tags=tags)


def rebuild_all(batch: int = 1000) -> int:
    """Re-index every listing (after a tokenizer change); returns how many were indexed."""
    count = 0
    for listing_id in Listing.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=batch):
        listing_search_refresh(listing_id=listing_id)
        count += 1
    return count
