"""Full-text search over published listings: PostgreSQL (tsvector + GIN) or SQLite (FTS5).

On PostgreSQL a page of matches in some order (newest, price, trending) can be found three ways,
and which one is fast depends on how many listings match and how the tokens are spread:

- walk: read listings in the page order through the sort's btree index, checking each against
  the query, until the page is full: about page size / density rows. The way for common queries.
  Every walk has a budget of rows: a walk for a rare term would otherwise read the whole index
  (the planner trap).
- window: "the matches among the next N listings in the page order", where N (from the sort
  column's histogram) holds a few pages' worth of matches at the expected density. PostgreSQL
  ANDs the GIN index with the sort index (a BitmapAnd) and visits only those matches; a window
  that holds too few goes on with the next, larger one.
- collect: every match from the GIN index, then sorted. One visit per match: the way for rare
  queries, and for any query with a token too rare to be in the statistics. A collect has a cap.

Windows and collects are MATERIALIZED CTEs, so the planner cannot turn them into an unbounded
walk. The first choice is the cheapest by a simple cost model over the statistics in stats.py
(token frequencies, histograms); when it runs out (a walk's budget, a collect's cap, a window
without enough matches), the search goes on from where it stopped with larger allowances. Every
way returns the same rows: statistics decide the speed, never the result.

Relevance ranks a bounded candidate set, the RELEVANCE_CANDIDATES most trending matches (found
the same way, in trending order), by text rank times popularity; the other matches follow in
trending order, paged by keyset like the other sorts. Facet counts are in facets.py.

SQLite (the embedded setup, small catalogs) runs the same queries with an FTS5 match and lets its
planner sort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from prompts import catalog_sql
from prompts.models import Listing
from prompts.search.stats import Histogram, TokenStats, token_stats
from prompts.search.synonyms import Term, query_terms

RELEVANCE_CANDIDATES = 48  # ranked; the matches after them follow in trending order
COLLECT_CAP = 2000  # matches a collect gathers before something else takes over, without statistics
WALK_MIN = 2000  # rows a walk reads at least before something else takes over
WINDOW_PAGES = 2  # a window is sized to hold this many pages of matches at the expected density
GROWTH = 4  # each further step may read this many times more
ROUNDS = 6  # then one uncapped collect

# Relative costs, about microseconds on 2 busy cores at 1M listings (EXPLAIN ANALYZE of the bench's
# plans, bench/README.md): a row read by a walk (in the table's physical order; in a random order
# RANDOM_ROW), a GIN posting, a btree entry of a window's bitmap, a visit to a matching row.
WALK_ROW = 1.0
RANDOM_ROW = 3.0
POSTING = 0.3
WINDOW_ENTRY = 0.25
MATCH_VISIT = 3.0

_L = Listing._meta.db_table
_POPULARITY = "(1.0 + LN(1.0 + l.unlock_count) / 4.0 + LN(1.0 + l.trending_score) / 8.0)"


@dataclass(frozen=True)
class SearchQuery:
    """Every term must match; a term matches through any of its alternatives (synonyms.Term)."""

    terms: list[Term]

    @property
    def tokens(self) -> list[str]:
        every = (token for term in self.terms for alternative in term.alternatives for token in alternative)
        return list(dict.fromkeys(every))

    @property
    def expanded(self) -> bool:
        """Whether synonyms were added: exact matches then rank above synonym-only ones."""
        return any(len(term.alternatives) > term.exact for term in self.terms)

    def tsquery(self, *, exact: bool = False) -> str:
        return " & ".join(_any(term, exact, _ts_token, " | ", " & ") for term in self.terms)

    def fts5(self, *, exact: bool = False) -> str:
        return " AND ".join(_any(term, exact, _fts5_token, " OR ", " AND ") for term in self.terms)


def _ts_token(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _fts5_token(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _any(term: Term, exact: bool, quote: Callable[[str], str], either: str, both: str) -> str:
    alternatives = term.exact_alternatives if exact else term.alternatives
    if len(alternatives) == 1 and len(alternatives[0]) == 1:
        return quote(alternatives[0][0])
    return "(" + either.join("(" + both.join(map(quote, alt)) + ")" for alt in alternatives) + ")"


@dataclass(frozen=True)
class Order:
    field: str
    descending: bool

    @property
    def direction(self) -> str:
        return "DESC" if self.descending else "ASC"

    def sql(self, alias: str) -> str:
        return f"{alias}.{catalog_sql.column(self.field)} {self.direction}, {alias}.id {self.direction}"


def parse_query(text: str) -> SearchQuery | None:
    """The query's terms with their synonyms, or None when it has none (no words, only punctuation)."""
    terms = query_terms(text)
    return SearchQuery(terms=terms) if terms else None


NEWEST = Order("published_at", True)
TRENDING = Order("trending_score", True)


# --- Keyset pages ---------------------------------------------------------------------------------


def keyset_rows(
    *,
    filters: Any,
    query: SearchQuery,
    order: Order,
    after: tuple[Any, int] | None,
    limit: int,
    select: tuple[str, ...] = ("l.card_json",),
) -> list[tuple[Any, ...]]:
    """The first `limit` matches after the (sort value, id) `after`: rows of (id, sort value, *select)."""
    if connection.vendor != "postgresql":
        return _sqlite_rows(filters, query, order, after, limit, select)
    plan = first_plan(query, order, limit)
    histogram = plan.histogram
    way, cap, budget, window = plan.way, plan.cap, plan.budget, plan.window
    rows: list[tuple[Any, ...]] = []
    for _ in range(ROUNDS):
        need = limit - len(rows)
        if way == "collect":
            found, complete = _gather(filters, query, order, after, None, need, select, cap)
            if complete:
                return rows + found
        elif way == "walk":
            found, stop = _walk(filters, query, order, after, need, select, budget)
            rows += found
            if len(rows) >= limit or stop is None:
                return rows[:limit]
            after = stop  # go on beyond the rows the walk read
        else:
            assert histogram is not None
            bound = histogram.bound(
                descending=order.descending, start=after[0] if after else None, rows=window
            )
            if bound is None:
                break  # the window would reach the end: collect the rest
            found, _ = _gather(filters, query, order, after, bound, need, select, None)
            rows += found
            if len(rows) >= limit:
                return rows
            after = (bound, 0 if order.descending else 2**63 - 1)  # beyond the window's end value
        # What was tried first ran out: the matches are not as rare (collect) or as common (walk,
        # window) as expected. Go on with windows where there is a histogram.
        way = "window" if histogram is not None else ("collect" if way == "walk" else "walk")
        cap, budget, window = cap * GROWTH, budget * GROWTH, window * GROWTH
    return rows + _gather(filters, query, order, after, None, limit - len(rows), select, None)[0]


@dataclass(frozen=True)
class Plan:
    way: str  # "walk", "window" or "collect"
    cap: int  # matches a collect may gather
    budget: int  # rows a walk may read
    window: float  # rows a window spans
    histogram: Histogram | None = None


def first_plan(query: SearchQuery, order: Order, limit: int) -> Plan:
    """The cheapest way by the cost model, with allowances a few times the expected need."""
    stats = token_stats()
    if stats is None:
        return Plan("collect", COLLECT_CAP, WALK_MIN, 0.0)
    matches = max(expected_matches(stats, query), 1.0)
    if any(all(_unlisted(stats, alternative) for alternative in term.alternatives) for term in query.terms):
        # A term too rare to be listed: at most floor * rows matches, whatever else the query says.
        return Plan("collect", int(max(COLLECT_CAP, GROWTH * stats.floor * stats.rows)), WALK_MIN, 0.0)
    density = min(1.0, matches / max(stats.rows, 1.0))
    histogram = stats.histograms.get(order.field)
    row_cost = RANDOM_ROW if histogram is None or abs(histogram.correlation) < 0.9 else WALK_ROW
    gin = POSTING * postings(stats, query)
    window = WINDOW_PAGES * limit / density
    costs = {
        "walk": row_cost * limit / density,
        "collect": gin + MATCH_VISIT * matches,
        "window": gin + WINDOW_ENTRY * window + MATCH_VISIT * WINDOW_PAGES * limit,
    }
    if histogram is None:
        del costs["window"]
    way = min(costs, key=costs.__getitem__)
    cap = int(max(COLLECT_CAP, GROWTH * matches))
    budget = int(max(WALK_MIN, GROWTH * limit / density))
    return Plan(way, cap, budget, window, histogram)


def _unlisted(stats: TokenStats, alternative: tuple[str, ...]) -> bool:
    return any(token not in stats.frequencies for token in alternative)


def expected_matches(stats: TokenStats, query: SearchQuery) -> float:
    """The tokens of one alternative occur together (the bigrams of one Chinese run), alternatives
    of a term add up (at most every row), different terms are independent."""
    fraction = 1.0
    for term in query.terms:
        either = sum(min(stats.frequency(token) for token in alt) for alt in term.alternatives)
        fraction *= min(1.0, either)
    return stats.rows * fraction


def postings(stats: TokenStats, query: SearchQuery) -> float:
    """Index entries a GIN scan reads: every posting list of a term with alternatives; of the
    terms (and single tokens) that must all be present, it skips through the longest."""
    sizes = []
    for term in query.terms:
        if len(term.alternatives) == 1:
            sizes += [stats.rows * stats.frequency(token) for token in term.alternatives[0]]
        else:
            sizes.append(sum(stats.rows * stats.frequency(t) for alt in term.alternatives for t in alt))
    sizes.sort()
    return sum(sizes[:-1]) if len(sizes) > 1 else sum(sizes)


def where_sql(
    filters: Any, order: Order, after: tuple[Any, int] | None, *more: tuple[str, list[Any]]
) -> tuple[str, list[Any]]:
    where, params = catalog_sql.conditions(filters)
    for condition, values in more:
        where.append(condition)
        params += values
    keyset, keyset_params = catalog_sql.after_condition(order.field, order.descending, after)
    return " AND ".join(where + keyset), params + keyset_params


def _gather(
    filters: Any,
    query: SearchQuery,
    order: Order,
    after: tuple[Any, int] | None,
    bound: Any | None,
    limit: int,
    select: tuple[str, ...],
    cap: int | None,
) -> tuple[list[tuple[Any, ...]], bool]:
    """Every match (at most `cap`) from the GIN index, or with a `bound` every match among the
    listings up to that sort value (the GIN index ANDed with the sort index), then sorted:
    (the first `limit` rows, whether all matches were seen)."""
    column = catalog_sql.column(order.field)
    more = [("l.search_vector @@ %s::tsquery", [query.tsquery()])]
    if bound is not None:
        more.append((f"l.{column} {'>=' if order.descending else '<='} %s", [bound]))
    where, params = where_sql(filters, order, after, *more)
    capped = "LIMIT %s" if cap is not None else ""
    # MATERIALIZED: the matches are gathered first; the planner must not walk the sort index instead.
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT l.id, l.{column} AS key FROM {_L} l WHERE {where} {capped}) "  # noqa: S608
        f"SELECT l.id, l.{column}, {', '.join(select)}, (SELECT count(*) FROM hits) "
        f"FROM (SELECT id, key FROM hits ORDER BY key {order.direction}, id {order.direction} LIMIT %s) h "
        f"JOIN {_L} l ON l.id = h.id ORDER BY {order.sql('l')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *([cap + 1] if cap is not None else []), limit])
        fetched = cursor.fetchall()
    complete = cap is None or not fetched or fetched[0][-1] <= cap
    return [row[:-1] for row in fetched], complete


def _walk(
    filters: Any,
    query: SearchQuery,
    order: Order,
    after: tuple[Any, int] | None,
    limit: int,
    select: tuple[str, ...],
    budget: int,
) -> tuple[list[tuple[Any, ...]], tuple[Any, int] | None]:
    """Matches among the next `budget` rows in page order: (rows, where the walk stopped if the
    budget ran out first, else None)."""
    column = catalog_sql.column(order.field)
    where, params = where_sql(filters, order, after)
    outputs = ", ".join(f"{expression} AS out{index}" for index, expression in enumerate(select))
    names = ", ".join(f"w.out{index}" for index in range(len(select)))
    # The inner query reads at most `budget` rows through the sort index; the last one read comes
    # back even when it does not match, to say where a next step must start. Numbering the rows in
    # the page order keeps that order known to the planner: the outer query stops at the limit.
    sql = (
        f"SELECT w.id, w.{column}, {names}, w.matched, w.walked FROM ("  # noqa: S608
        f"SELECT l.id, l.{column}, {outputs}, l.search_vector @@ %s::tsquery AS matched, "
        f"row_number() OVER (ORDER BY {order.sql('l')}) AS walked FROM {_L} l "
        f"WHERE {where} ORDER BY {order.sql('l')} LIMIT %s) w "
        f"WHERE w.matched OR w.walked = %s ORDER BY {order.sql('w')} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query.tsquery(), *params, budget, budget, limit + 1])
        fetched = cursor.fetchall()
    rows = [row[:-2] for row in fetched if row[-2]][:limit]
    last = fetched[-1] if fetched else None
    if len(rows) >= limit or last is None or last[-1] < budget:
        return rows, None  # a full page, or the walk reached the end of the listings
    return rows, (last[1], last[0])  # the budget's last row (a match or not)


def _sqlite_rows(
    filters: Any,
    query: SearchQuery,
    order: Order,
    after: tuple[Any, int] | None,
    limit: int,
    select: tuple[str, ...],
) -> list[tuple[Any, ...]]:
    where, params = where_sql(filters, order, after, _fts5_match(query))
    column = catalog_sql.column(order.field)
    sql = (
        f"SELECT l.id, l.{column}, {', '.join(select)} FROM {_L} l WHERE {where} "  # noqa: S608
        f"ORDER BY {order.sql('l')} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return cursor.fetchall()


def _fts5_match(query: SearchQuery) -> tuple[str, list[Any]]:
    fts = "SELECT rowid FROM prompts_listing_fts WHERE prompts_listing_fts MATCH %s"
    return f"l.id IN ({fts})", [query.fts5()]


# --- Relevance ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelevancePage:
    cards: list[str]
    next_offset: int | None  # the next page starts at this rank among the candidates
    next_after: tuple[float, int] | None  # or after this (trending score, id), past the candidates


def relevance_page(
    *, filters: Any, query: SearchQuery, offset: int, after: tuple[float, int] | None, limit: int
) -> RelevancePage:
    """Matches by relevance: the RELEVANCE_CANDIDATES most trending ones ranked by text relevance
    (title and tags above model and seller above description) times popularity, then every other
    match in trending order. A page starts at a rank among the candidates (`offset`) or, past
    them, after a (trending score, id)."""
    head: list[str] = []
    if after is None:
        candidates = keyset_rows(
            filters=filters,
            query=query,
            order=TRENDING,
            after=None,
            limit=RELEVANCE_CANDIDATES,
            select=("1",),
        )
        head = _ranked_cards(query, [row[0] for row in candidates], offset, limit + 1)
        if len(head) > limit:
            return RelevancePage(head[:limit], offset + limit, None)
        if len(candidates) < RELEVANCE_CANDIDATES:
            return RelevancePage(head, None, None)  # every match was a candidate
        after = (candidates[-1][1], candidates[-1][0])
    rest = limit - len(head)
    tail = keyset_rows(filters=filters, query=query, order=TRENDING, after=after, limit=rest + 1)
    cards = head + [row[2] for row in tail[:rest]]
    if len(tail) <= rest:
        return RelevancePage(cards, None, None)
    last = (tail[rest - 1][1], tail[rest - 1][0]) if rest else after
    return RelevancePage(cards, None, last)


def _ranked_cards(query: SearchQuery, ids: list[int], offset: int, limit: int) -> list[str]:
    """The candidates by text rank times popularity; with synonyms, the exact matches (every term
    found as typed) first."""
    if offset >= len(ids):
        return []
    order = f"{_POPULARITY} DESC, l.published_at DESC, l.id DESC LIMIT %s OFFSET %s"
    tier, tier_params = "", []
    if connection.vendor == "postgresql":
        if query.expanded:
            tier, tier_params = "(l.search_vector @@ %s::tsquery) DESC, ", [query.tsquery(exact=True)]
        sql = (
            f"SELECT l.card_json FROM {_L} l WHERE l.id = ANY(%s::bigint[]) "  # noqa: S608
            f"ORDER BY {tier}ts_rank(l.search_vector, %s::tsquery) * {order}"
        )
        params: list[Any] = [ids, *tier_params, query.tsquery()]
    else:
        if query.expanded:
            exact = "SELECT rowid FROM prompts_listing_fts WHERE prompts_listing_fts MATCH %s"
            tier, tier_params = f"(l.id IN ({exact})) DESC, ", [query.fts5(exact=True)]
        # bm25 is lower for better matches; the column weights follow the tsvector's A, B, C.
        sql = (
            f"SELECT l.card_json FROM prompts_listing_fts f JOIN {_L} l ON l.id = f.rowid "  # noqa: S608
            f"WHERE prompts_listing_fts MATCH %s AND l.id IN ({', '.join(['%s'] * len(ids))}) "
            f"ORDER BY {tier}-bm25(prompts_listing_fts, 10.0, 4.0, 1.0) * {order}"
        )
        params = [query.fts5(), *ids, *tier_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [row[0] for row in cursor.fetchall()]
