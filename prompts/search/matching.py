"""Which of a few given listings match a query, by the catalog's rules: a buyer's library search.

The query is read as the catalog reads it (query.parse_query: synonyms in either language, the
same normalisation), so "panda" finds 熊猫表情包 and 壁纸 finds a wallpaper. Published listings are
matched by their index entry, in one query restricted to their ids. The others (archived ones a
buyer still owns) have no index entry: their public card is tokenised as the index would tokenise
the listing (index.listing_texts, tokens.document_tokens), its excerpt standing in for the
description and the seller's name beside the handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from django.db import connection

from prompts.models import Listing, ListingStatus
from prompts.search.index import listing_texts
from prompts.search.query import SearchQuery
from prompts.search.tokens import document_tokens

_L = Listing._meta.db_table


def listings_matching(query: SearchQuery, listings: Sequence[tuple[int, str, str | None]]) -> set[int]:
    """The ids among (listing id, status, card JSON) whose listing matches the query."""
    published = [listing_id for listing_id, status, _ in listings if status == ListingStatus.PUBLISHED]
    found = indexed_matches(query, published)
    for listing_id, status, card in listings:
        if status != ListingStatus.PUBLISHED and card and matches(query, card_tokens(orjson.loads(card))):
            found.add(listing_id)
    return found


def indexed_matches(query: SearchQuery, listing_ids: list[int]) -> set[int]:
    """The listings among these whose index entry matches the query."""
    if not listing_ids:
        return set()
    if connection.vendor == "postgresql":
        sql = f"SELECT id FROM {_L} WHERE id = ANY(%s::bigint[]) AND search_vector @@ %s::tsquery"  # noqa: S608
        params: list[Any] = [listing_ids, query.tsquery()]
    else:
        marks = ", ".join(["%s"] * len(listing_ids))
        sql = (
            f"SELECT rowid FROM prompts_listing_fts WHERE prompts_listing_fts MATCH %s AND rowid IN ({marks})"  # noqa: S608
        )
        params = [query.fts5(), *listing_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def card_tokens(card: dict[str, Any]) -> frozenset[str]:
    """What a listing's public card (documents.card) is found by."""
    seller = card.get("seller") or {}
    texts = listing_texts(
        title=str(card.get("title") or ""),
        tags=[str(tag) for tag in card.get("tags") or []],
        description=str(card.get("excerpt") or ""),
        target_model=str(card.get("target_model") or ""),
        category=str(card.get("category") or ""),
        seller_handle=str(seller.get("handle") or ""),
    )
    name = str(seller.get("name") or "")
    return frozenset(token for text in (*texts, name) for token in document_tokens(text))


def matches(query: SearchQuery, tokens: frozenset[str]) -> bool:
    """Every term of the query is there, through one of its alternatives (all of whose tokens are)."""
    return all(
        any(all(token in tokens for token in alternative) for alternative in term.alternatives)
        for term in query.terms
    )
