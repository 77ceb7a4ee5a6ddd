"""What the search planner knows about the catalog, read from PostgreSQL's own statistics.

ANALYZE (autovacuum runs it) records, for the tsvector column, its most common elements and the
fraction of rows containing each one (pg_stats.most_common_elems / most_common_elem_freqs, the
numbers PostgreSQL's planner uses too). Migration 0007 raises the column's statistics target so
the list reaches down to about 0.1% of the catalog: a token missing from it is rarer than that.
For each sort column it records a histogram (equal-sized buckets of rows) and how well the
column follows the table's physical order.

prompts/search/query.py uses these numbers only to choose how to find a page: every way returns
the same rows, so stale statistics can make a search slower, never wrong. They are cached per
process for CACHE_SECONDS.
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Field

from prompts.models import Listing

CACHE_SECONDS = 600.0
SORT_FIELDS = ("published_at", "trending_score", "price_reference")


@dataclass(frozen=True)
class Histogram:
    bounds: list[Any]  # ascending; each bucket between two bounds holds about `bucket_rows` rows
    bucket_rows: float
    correlation: float  # 1 or -1: the column follows the physical row order; 0: random

    def bound(self, *, descending: bool, start: Any | None, rows: float) -> Any | None:
        """A value such that [value, start) (descending) or (start, value] (ascending) holds at
        least `rows` rows; None when that reaches past the end of the histogram."""
        buckets = max(1, math.ceil(rows / max(self.bucket_rows, 1.0)))
        last = len(self.bounds) - 1
        if descending:  # from the largest bound below `start`, `buckets` whole buckets down
            top = last if start is None else bisect.bisect_left(self.bounds, start) - 1
            return self.bounds[top - buckets] if top - buckets > 0 else None
        bottom = 0 if start is None else bisect.bisect_right(self.bounds, start)
        return self.bounds[bottom + buckets] if bottom + buckets < last else None


@dataclass(frozen=True)
class TokenStats:
    rows: float  # listings with a search vector (published ones), as of the last ANALYZE
    frequencies: dict[str, float]  # token -> fraction of those rows that contain it (common tokens)
    floor: float  # every token not in `frequencies` is in fewer than this fraction of rows
    histograms: dict[str, Histogram] = field(default_factory=dict)  # sort field -> histogram

    def frequency(self, token: str) -> float:
        return self.frequencies.get(token, self.floor)


_cache: tuple[float, TokenStats | None] | None = None


def token_stats() -> TokenStats | None:
    """The current statistics, or None where there are none (SQLite, or never analysed)."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        _cache = (now, _load() if connection.vendor == "postgresql" else None)
    return _cache[1]


def clear_cache() -> None:
    global _cache
    _cache = None


def _load() -> TokenStats | None:
    table = Listing._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.null_frac, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class c JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname "
            "AND s.attname = 'search_vector' WHERE c.oid = %s::regclass",
            [table],
        )
        row = cursor.fetchone()
    if row is None or row[0] <= 0 or not row[2]:
        return None
    reltuples, null_fraction, elements, frequencies = row
    # The element frequencies are followed by their minimum and maximum.
    return TokenStats(
        rows=reltuples * (1.0 - null_fraction),
        frequencies=dict(zip(elements, frequencies[: len(elements)], strict=True)),
        floor=frequencies[len(elements)],
        histograms=_histograms(table, reltuples),
    )


def _histograms(table: str, reltuples: float) -> dict[str, Histogram]:
    histograms = {}
    with connection.cursor() as cursor:
        for name in SORT_FIELDS:
            model_field = Listing._meta.get_field(name)
            assert isinstance(model_field, Field)
            # The bounds are an anyarray: read them as the column's own type.
            array_type = f"{model_field.db_type(connection)}[]"
            cursor.execute(
                f"SELECT histogram_bounds::text::{array_type}, correlation, null_frac, "  # noqa: S608
                "(SELECT coalesce(sum(f), 0) FROM unnest(most_common_freqs) AS f) "
                "FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
                [table, model_field.column],
            )
            row = cursor.fetchone()
            if row is None or not row[0] or len(row[0]) < 2:
                continue
            bounds, correlation, null_fraction, common_fraction = row
            in_buckets = reltuples * max(0.0, 1.0 - null_fraction - common_fraction)
            histograms[name] = Histogram(
                bounds=list(bounds),
                bucket_rows=in_buckets / (len(bounds) - 1),
                correlation=correlation or 0.0,
            )
    return histograms
