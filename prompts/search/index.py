"""Keep a listing's search tokens current: a weighted tsvector on PostgreSQL, FTS5 on SQLite.

Only published listings are indexed; everything else is removed from the index.
"""

from __future__ import annotations

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext_noop

from prompts.models import Listing, ListingStatus, TargetModel
from prompts.search.suggest import record_terms
from prompts.search.tokens import document_tokens

MAX_POSITION = 16_383  # PostgreSQL's largest tsvector position


# The names a buyer may search a category by, in both site languages (the catalog's own labels).
CATEGORY_NAMES = {
    "emoji": gettext_noop("Emoji"),
    "wallpaper": gettext_noop("Wallpaper"),
    "t-shirt": gettext_noop("T-shirt print"),
    "press-on-nails": gettext_noop("Press-on nails"),
    "illustration": gettext_noop("Illustration"),
    "fashion-model": gettext_noop("Fashion model"),
    "product": gettext_noop("Product shot"),
    "logo": gettext_noop("Logo"),
    "other": gettext_noop("Other"),
}
INDEXED_LANGUAGES = ("en", "zh-hans")


def _names(code: str, label: str) -> list[str]:
    """A code's label as every site language writes it, each once."""
    names = [code]
    for language in INDEXED_LANGUAGES:
        with translation.override(language):
            names.append(translation.gettext(label) if label else "")
    return [name for name in dict.fromkeys(names) if name]


def listing_texts(
    *, title: str, tags: list[str], description: str, target_model: str, category: str, seller_handle: str
) -> tuple[str, str, str]:
    """Primary (title, tags), secondary (model, category, seller), body (description).

    The model and category are indexed under their names in English and Chinese, so a Chinese
    query finds a listing written in English by its category (壁纸 finds a "wallpaper" listing).
    """
    model_label = TargetModel(target_model).label if target_model in TargetModel.values else ""
    model_names = _names(target_model, str(model_label))
    category_names = _names(category, CATEGORY_NAMES.get(category, ""))
    primary = " ".join([title, *tags])
    secondary = " ".join([*model_names, *category_names, seller_handle])
    return primary, secondary, description


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
    texts = listing_texts(
        title=listing.title,
        tags=tags,
        description=listing.description,
        target_model=listing.target_model,
        category=listing.category,
        seller_handle=listing.seller.handle,
    )
    index_write(listing_id=listing_id, texts=texts if indexed else None)
    if indexed:
        record_terms(title=listing.title, tags=tags)


def index_write(*, listing_id: int, texts: tuple[str, str, str] | None) -> None:
    """Store a listing's index entry from its three texts, or remove it (None)."""
    if connection.vendor == "postgresql":
        literal = tsvector_literal(list(zip(texts, "ABC", strict=True))) if texts else None
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE prompts_listing SET search_vector = %s::tsvector WHERE id = %s", [literal, listing_id]
            )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM prompts_listing_fts WHERE rowid = %s", [listing_id])
            if texts:
                cursor.execute(  # the same tokens, one FTS5 column per weight
                    "INSERT INTO prompts_listing_fts (rowid, primary_text, secondary_text, body_text) "
                    "VALUES (%s, %s, %s, %s)",
                    [listing_id, *(" ".join(document_tokens(text)) for text in texts)],
                )


def rebuild_all(batch: int = 1000) -> int:
    """Re-index every listing (after a tokenizer change); returns how many were indexed."""
    count = 0
    for listing_id in Listing.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=batch):
        listing_search_refresh(listing_id=listing_id)
        count += 1
    return count
