"""Full-text search over published listings, on PostgreSQL (tsvector + GIN) or SQLite (FTS5).

The planner trap: "the newest 24 matches" of a rare term can make PostgreSQL walk the whole
date index looking for matches. So we first ask the GIN index for at most SPARSE_LIMIT matching
ids. If there are no more than that, the page is sorted from exactly those rows (cheap, whatever
the sort). If there are more, matches are dense and walking a sort index finds a page quickly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Ln

from prompts.models import Listing

SPARSE_LIMIT = 1000
RELEVANCE_CANDIDATES = 400
FACET_SAMPLE = 2000
MAX_RELEVANCE_OFFSET = 1000


@dataclass(frozen=True)
class Match:
    queryset: QuerySet[Listing]
    sparse: bool


def _tsquery(tokens: list[str]) -> str:
    return " & ".join(f"'{token}'" for token in tokens)


def _fts5_query(tokens: list[str]) -> str:
    return " AND ".join(f'"{token}"' for token in tokens)


def matching(base: QuerySet[Listing], tokens: list[str]) -> Match:
    """``base`` narrowed to listings containing every token, and whether the matches are few."""
    if connection.vendor == "postgresql":
        hit = RawSQL("search_vector @@ %s::tsquery", [_tsquery(tokens)], output_field=BooleanField())
        matched: QuerySet[Listing] = base.alias(hit=hit).filter(hit=True)
    else:
        fts = RawSQL(
            "SELECT rowid FROM prompts_listing_fts WHERE prompts_listing_fts MATCH %s", [_fts5_query(tokens)]
        )
        matched = base.filter(pk__in=fts)
    ids = list(matched.order_by().values_list("pk", flat=True)[: SPARSE_LIMIT + 1])
    if len(ids) <= SPARSE_LIMIT:
        # An explicit id list: the planner sorts these few rows instead of walking an index.
        return Match(queryset=Listing.objects.filter(pk__in=ids), sparse=True)
    return Match(queryset=matched, sparse=False)


def _relevance(tokens: list[str]) -> Any:
    if connection.vendor == "postgresql":
        return RawSQL("ts_rank(search_vector, %s::tsquery)", [_tsquery(tokens)], output_field=FloatField())
    return RawSQL(
        "(SELECT -bm25(prompts_listing_fts, 10.0, 4.0, 1.0) FROM prompts_listing_fts "
        "WHERE prompts_listing_fts MATCH %s AND rowid = prompts_listing.id)",
        [_fts5_query(tokens)],
        output_field=FloatField(),
    )


def ranked(match: Match, tokens: list[str]) -> QuerySet[Listing]:
    """Matches ordered by relevance blended with popularity (unlocks, trending)."""
    rows = match.queryset
    if not match.sparse:
        # Dense term: rank the most popular candidates rather than every match.
        candidates = rows.order_by("-trending_score", "-pk").values("pk")[:RELEVANCE_CANDIDATES]
        rows = Listing.objects.filter(pk__in=Subquery(candidates))
    popularity = (
        Value(1.0)
        + Ln(Value(1.0) + F("unlock_count")) / Value(4.0)
        + Ln(Value(1.0) + F("trending_score")) / Value(8.0)
    )
    score = ExpressionWrapper(_relevance(tokens) * popularity, output_field=FloatField())
    return rows.annotate(score=score).order_by("-score", "-published_at", "-pk")


FACET_FIELDS = ("target_model", "category", "language", "price_currency")


def facet_counts(base: QuerySet[Listing]) -> dict[str, Any]:
    """Counts per facet value over the matches, from one query over at most FACET_SAMPLE rows.

    When there are more matches, the counts describe a sample and "capped" says so.
    """
    rows = list(base.order_by().values_list(*FACET_FIELDS, "price_amount")[: FACET_SAMPLE + 1])
    capped = len(rows) > FACET_SAMPLE
    rows = rows[:FACET_SAMPLE]
    facets: dict[str, Any] = {"capped": capped, "total": len(rows)}
    for index, field in enumerate(FACET_FIELDS):
        counts = Counter(row[index] for row in rows)
        facets[field] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    free = sum(1 for row in rows if row[-1] == 0)
    facets["free"] = {"true": free, "false": len(rows) - free}
    return facets
