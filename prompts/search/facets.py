"""Facet counts over the catalog or over a text query's matches, from a bounded sample.

The sample holds at most FACET_SAMPLE matches, found the way prompts.search.query finds a page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection

from prompts import catalog_sql
from prompts.models import Listing
from prompts.search import query as search
from prompts.search.stats import token_stats

FACET_SAMPLE = 2000
COUNT_BOUND = 1_000  # result counts are exact up to this many matches, then "1,000+"
SURE_MARGIN = 4  # statistics that put a one-word query at this many times the bound need no count
_L = Listing._meta.db_table
FACET_FIELDS = ("target_model", "category", "language", "price_currency")


def facet_counts(*, filters: Any, query: search.SearchQuery | None) -> dict[str, Any]:
    """Counts per facet value over at most FACET_SAMPLE matches; "capped" says there are more.

    The sample is the newest matches when walking the date index is the cheap way to find them
    (common queries, or no query); otherwise the first ones the GIN index yields, which costs one
    visit per sampled listing rather than one per match.
    """
    select = tuple(f"l.{catalog_sql.column(field)}" for field in (*FACET_FIELDS, "price_amount"))
    limit = FACET_SAMPLE + 1
    if query is None:
        rows = _browse_sample(filters, select)
    elif connection.vendor == "postgresql" and search.first_plan(query, search.NEWEST, limit).way != "walk":
        rows = _any_matches(filters, query, select, limit)
    else:
        found = search.keyset_rows(
            filters=filters, query=query, order=search.NEWEST, after=None, limit=limit, select=select
        )
        rows = [row[2:] for row in found]
    capped = len(rows) > FACET_SAMPLE
    rows = rows[:FACET_SAMPLE]
    facets: dict[str, Any] = {"capped": capped, "total": len(rows)}
    for index, field in enumerate(FACET_FIELDS):
        counts = Counter(row[index] for row in rows)
        facets[field] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    free = sum(1 for row in rows if row[-1] == 0)
    facets["free"] = {"true": free, "false": len(rows) - free}
    return facets


def _any_matches(
    filters: Any, query: search.SearchQuery, select: tuple[str, ...], limit: int
) -> list[tuple[Any, ...]]:
    """The first `limit` matches the GIN index yields (a bitmap scan stops there)."""
    where, params = search.where_sql(
        filters, search.NEWEST, None, ("l.search_vector @@ %s::tsquery", [query.tsquery()])
    )
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT {', '.join(select)} FROM {_L} l WHERE {where} LIMIT %s) "  # noqa: S608
        "SELECT * FROM hits"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return cursor.fetchall()


def _browse_sample(filters: Any, select: tuple[str, ...]) -> list[tuple[Any, ...]]:
    where, params = catalog_sql.conditions(filters)
    sql = (
        f"SELECT {', '.join(select)} FROM {_L} l WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY {search.NEWEST.sql('l')} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, FACET_SAMPLE + 1])
        return cursor.fetchall()


def match_count(
    *, filters: Any, query: search.SearchQuery | None, bound: int | None = None
) -> tuple[int, bool]:
    """(how many listings match, whether that is exact): exact up to `bound` (COUNT_BOUND), else
    (bound, False). A capped count reads at most bound + 1 matches, never the whole catalog.

    On PostgreSQL a one-word query without other filters whose word the statistics put in at
    least SURE_MARGIN times `bound` listings is "more than bound" without reading any: counting
    a common word's first thousand matches costs more than the page itself.
    """
    bound = COUNT_BOUND if bound is None else bound
    more: list[tuple[str, list[Any]]] = []
    if query is not None:
        if connection.vendor == "postgresql":
            if _surely_more(filters, query, bound):
                return bound, False
            more.append(("l.search_vector @@ %s::tsquery", [query.tsquery()]))
        else:
            fts = "SELECT rowid FROM prompts_listing_fts WHERE prompts_listing_fts MATCH %s"
            more.append((f"l.id IN ({fts})", [query.fts5()]))
    where, params = search.where_sql(filters, search.NEWEST, None, *more)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {_L} l WHERE {where} LIMIT %s) capped"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, bound + 1])
        found = int(cursor.fetchone()[0])
    return (found, True) if found <= bound else (bound, False)


def _surely_more(filters: Any, query: search.SearchQuery, bound: int) -> bool:
    """A one-term query without other filters matches any of its alternatives (the word, its
    synonyms): one single-token alternative common enough is a lower bound on the matches."""
    if len(query.terms) != 1 or len(catalog_sql.conditions(filters)[0]) != 1:  # only "published"
        return False
    stats = token_stats()
    if stats is None:
        return False
    return any(
        len(alternative) == 1
        and stats.frequencies.get(alternative[0], 0) * stats.rows >= SURE_MARGIN * bound
        for alternative in query.terms[0].alternatives
    )
