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
from prompts.search.synonyms import Term

FACET_SAMPLE = 2000
COUNT_BOUND = 1_000  # result counts are exact up to this many matches, then "1,000+"
SURE_MARGIN = 4  # statistics that put a one-word query at this many times the bound need no count
PROOF_MARGIN = 2  # a narrower query expected to find this many times the bound is counted first,
PROOF_COST = 10_000.0  # when the GIN postings it reads cost at most this (query.POSTING units, about µs)
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

    "More than bound" is only said when it is certain, and on PostgreSQL two cheaper ways come first:
    a one-word query without other filters whose word the statistics put in at least SURE_MARGIN
    times `bound` listings needs no count (its first thousand matches cost more than its page), and
    a query whose terms have synonyms is first counted through a narrower one (_narrower), whose
    matches are all matches of the query: more than `bound` of those settles it.
    """
    bound = COUNT_BOUND if bound is None else bound
    if query is None:
        return _capped(filters, [], bound)
    if connection.vendor != "postgresql":
        fts = "SELECT rowid FROM prompts_listing_fts WHERE prompts_listing_fts MATCH %s"
        return _capped(filters, [(f"l.id IN ({fts})", [query.fts5()])], bound)
    if _surely_more(filters, query, bound):
        return bound, False
    narrower = _narrower(query, bound)
    if narrower is not None:
        found = _capped(filters, [("l.search_vector @@ %s::tsquery", [narrower.tsquery()])], bound)
        if not found[1]:
            return found
    return _capped(filters, [("l.search_vector @@ %s::tsquery", [query.tsquery()])], bound)


def _capped(filters: Any, more: list[tuple[str, list[Any]]], bound: int) -> tuple[int, bool]:
    where, params = search.where_sql(filters, search.NEWEST, None, *more)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {_L} l WHERE {where} LIMIT %s) capped"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, bound + 1])
        found = int(cursor.fetchone()[0])
    return (found, True) if found <= bound else (bound, False)


def _narrower(query: search.SearchQuery, bound: int) -> search.SearchQuery | None:
    """The query with each term reduced to its most common alternative, when a term has several,
    the statistics expect the reduced query to find PROOF_MARGIN times `bound` listings, and its
    postings are few enough to read (PROOF_COST).

    A GIN scan reads every posting of every alternative and checks each listing found against the
    whole query: for two synonym-widened words (赛博朋克 wallpaper: 16 tokens) at 100,000 listings
    that costs several times the AND of their two most common tokens, which finds a thousand
    matches as surely (bench/README.md). At a million listings those two tokens alone have
    hundreds of thousands of postings, and the whole query's count (its bitmap past work_mem,
    lossy and cheap to build) is the faster way.
    """
    if all(len(term.alternatives) == 1 for term in query.terms):
        return None
    stats = token_stats()
    if stats is None:
        return None

    def commonness(alternative: tuple[str, ...]) -> float:
        return min(stats.frequency(token) for token in alternative)

    narrower = search.SearchQuery([Term((max(term.alternatives, key=commonness),)) for term in query.terms])
    if search.expected_matches(stats, narrower) < PROOF_MARGIN * bound:
        return None
    if search.POSTING * search.postings(stats, narrower) > PROOF_COST:
        return None
    return narrower


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
