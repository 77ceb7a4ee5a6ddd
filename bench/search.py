"""Search latency at 100k / 1M listings: the real catalog search path against ILIKE.

    .venv/bin/python bench/search.py --listings 100000
    .venv/bin/python bench/search.py --listings 1000000
    .venv/bin/python bench/search.py --listings 1000000 --reuse     # keep the loaded database

Builds dimsum_bench_search_<N> (drop, create, migrate), loads N published listings with COPY from
2 processes (search_vector as a tsvector literal from prompts.search.index.tsvector_literal), builds
the GIN index the migrations define, VACUUM ANALYZE, then times prompts.selectors.catalog_page
(relevance and newest), catalog_facets and two ILIKE baselines per probe term, in this process:
the ILIKE scan the 20x target is measured against (every match read, as ranking or facet counts
over ILIKE must), and for comparison the ILIKE page (the newest 24, stopping early). Holds the flock on /tmp/dimsum-bench.lock throughout. Writes
bench/results/search-<N>[-<label>].json. See bench/README.md, section "Search".
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, BenchError, server_environment, setup_django

LOCK = Path("/tmp/dimsum-bench.lock")  # flock(1)-style: held while a benchmark uses the CPUs
RESULTS = ROOT / "bench" / "results"
SELLER_COUNT = 300
CHUNK = 10_000
PAGE_SIZE = 24

# term, what it stands for
PROBES = [
    ("wallpaper", "common English (~25-30%)"),
    ("axolotl", "rare English (~0.01%)"),
    ("壁纸", "common 2-char Chinese word (~20%)"),
    ("烧卖", "rare-ish 2-char Chinese word (~0.3%)"),
    ("人街", "Chinese substring, not a word (~1%)"),
    ("qwertyzzz", "zero hits"),
    ("赛博朋克 wallpaper", "mixed Chinese + English"),
    ("wallpapr", "typo: no hits, retried as wallpaper"),
]
ILIKE_SQL = (
    "SELECT card_json FROM prompts_listing WHERE status = 'published' AND {conditions} "
    "ORDER BY published_at DESC LIMIT 24"
)
ILIKE_ALL_SQL = "SELECT count(*) FROM prompts_listing WHERE status = 'published' AND {conditions}"


def page_target_ms(listings: int) -> float:
    return 10.0 if listings <= 100_000 else 30.0


FACETS_TARGET_MS = 100.0  # checked at 1M listings only, the size it is set for
SPEEDUP_TARGET = 20.0


# --- Lock ---------------------------------------------------------------------------------------


def _inherited_lock() -> bool:
    """Whether this process runs under `flock /tmp/dimsum-bench.lock ...` (the file is open here)."""
    fd_dir = Path("/proc/self/fd")
    for fd in fd_dir.iterdir() if fd_dir.exists() else ():
        try:
            if os.readlink(fd) == str(LOCK):
                return True
        except OSError:
            continue
    return False


def take_lock() -> Any:
    """Hold the benchmarks' lock (an flock on LOCK) for the whole run, waiting for other holders.

    Under `flock /tmp/dimsum-bench.lock python bench/search.py ...` the lock is already ours.
    """
    import fcntl

    if _inherited_lock():
        return None
    handle = LOCK.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"  {LOCK} is held by another benchmark; waiting ...", flush=True)
        began = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        print(f"  ... waited {time.perf_counter() - began:.0f} s", flush=True)
    return handle


# --- Database -----------------------------------------------------------------------------------


def recreate_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise BenchError(f"Cannot reach PostgreSQL at {admin_url}: {exc}".strip()) from None


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0", "--no-input"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip


# --- Generation (runs in the worker processes, forked after Django is set up) ---------------------

_STATE: dict[str, Any] = {}


def _reference_price(amount: int, currency: str) -> int:
    """US cents at the shipped exchange rates, as the migration gives a fresh database."""
    from decimal import Decimal

    from marketplace.core.money import convert

    rates = json.loads((ROOT / "marketplace" / "rates" / "default_rates.json").read_text())["rates"]
    return convert(
        amount, currency, "USD", source_per_usd=Decimal(rates[currency]), target_per_usd=Decimal(rates["USD"])
    )


def _card(row: dict[str, Any], tags: list[str], seller: tuple[str, str]) -> str:
    import orjson

    from marketplace.core.money import money_json

    description = " ".join(row["description"].split())
    cover = None
    if row["target_model"] != "chatgpt":
        public = row["public_id"]
        cover = {
            "url": f"/media/previews/{public}/640.webp",
            "width": 640,
            "height": 960,
            "blurhash": "LEHV6nWB2yk8",
        }
    return orjson.dumps(
        {
            "id": row["public_id"],
            "title": row["title"],
            "excerpt": description if len(description) <= 140 else description[:139] + "…",
            "language": row["language"],
            "target_model": row["target_model"],
            "category": row["category"],
            "tags": tags,
            "price": money_json(row["price_amount"], row["price_currency"]),
            "is_free": row["price_amount"] == 0,
            "license": row["license"],
            "seller": {"handle": seller[0], "name": seller[1]},
            "cover": cover,
            "published_at": row["published_at"].isoformat(),
            "url": f"/api/v1/listings/{row['public_id']}/",
            "rating": {"average": None, "count": 0},
        }
    ).decode()


def _load_chunk(args: tuple[int, int]) -> tuple[int, float]:
    """Generate listings start..start+count-1 (ids start+1..) and COPY them; returns (rows, seconds)."""
    import psycopg
    from search_data import texts

    from prompts.models import new_public_id
    from prompts.search.index import listing_texts, tsvector_literal

    start, count = args
    began = time.perf_counter()
    state = _STATE
    rng = random.Random(f"dimsum-search-{start}")
    listings, links = [], []
    total = state["total"]
    span = timedelta(days=730).total_seconds()
    for number in range(start, start + count):
        listing_id = number + 1
        r = rng.random()
        kind = "zh" if r < 0.5 else ("en" if r < 0.5 + 1 / 3 else "mixed")
        language = "en" if kind == "en" else "zh-hans"
        category = rng.choice(state["categories"])
        target_model = rng.choice(state["models"])
        title, description, tags = texts(rng, kind, category)
        seller_id, handle, display = state["sellers"][rng.randrange(len(state["sellers"]))]
        # Newer listings have higher ids, as in production.
        published_at = state["now"] - timedelta(seconds=(total - number) * span / total + rng.random() * 60)
        created_at = published_at - timedelta(hours=rng.randrange(1, 72))
        unlocks = min(int(rng.paretovariate(1.3)) - 1, 5000)
        age_days = (state["now"] - published_at).total_seconds() / 86400
        currency = rng.choice(("USD", "USD", "EUR") if language == "en" else ("CNY", "CNY", "CNY", "USD"))
        price = 0 if rng.random() < 0.12 else rng.randrange(1, 60) * 100 + rng.choice((0, 49, 99))
        row = {
            "id": listing_id,
            "public_id": new_public_id(),
            "seller_id": seller_id,
            "title": title,
            "description": description,
            "language": language,
            "target_model": target_model,
            "category": category,
            "price_amount": price,
            "price_currency": currency,
            "price_reference": _reference_price(price, currency),
            "license": rng.choice(("personal", "commercial")),
            "variables": "[]",
            "example_outputs": "[]",
            "status": "published",
            "rejection_reason": "",
            "review_note": "",
            "created_at": created_at,
            "updated_at": published_at,
            "submitted_at": published_at,
            "published_at": published_at,
            "first_published_at": published_at,
            "view_count": unlocks * 20 + rng.randrange(0, 500),
            "unlock_count": unlocks,
            "detail_json": "",
            "trending_score": round(unlocks * 10 / (1 + age_days / 7) + rng.random(), 3),
            "rating_count": 0,
            "rating_sum": 0,
        }
        # The same three weighted fields as prompts.search.index.listing_search_refresh.
        fields = listing_texts(
            title=title,
            tags=tags,
            description=description,
            target_model=target_model,
            category=category,
            seller_handle=handle,
        )
        row["search_vector"] = tsvector_literal(list(zip(fields, "ABC", strict=True)))
        row["card_json"] = _card(row, tags, (handle, display))
        for column, value in state["defaults"].items():
            row.setdefault(column, value)
        listings.append(tuple(row[column] for column in state["columns"]))
        links.extend((listing_id, state["tag_ids"][slug]) for slug in tags)
    with psycopg.connect(state["url"]) as conn:
        with conn.cursor() as cursor:
            columns = ", ".join(state["columns"])
            with cursor.copy(f"COPY prompts_listing ({columns}) FROM STDIN") as copy:
                for values in listings:
                    copy.write_row(values)
            with cursor.copy(f"COPY {state['tag_table']} (listing_id, tag_id) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)
        conn.commit()
    return count, time.perf_counter() - began


def load(database_url: str, listings: int, workers: int) -> dict[str, Any]:
    import psycopg
    from django.db import connection

    from marketplace.accounts.models import User
    from prompts.models import Category, Listing, Tag, TargetModel

    began = time.perf_counter()
    first = ["lotus", "pixel", "mochi", "aurora", "bamboo", "jade", "ember", "cloud", "nori", "peach"]
    second = ["studio", "prompts", "lab", "works", "atelier", "forge"]
    users = []
    for i in range(SELLER_COUNT):
        handle = f"{first[i % 10]}-{second[i // 10 % 6]}-{i}"
        user = User(email=f"{handle}@bench.dimsum.local", handle=handle, display_name=handle.title())
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    sellers = list(User.objects.order_by("pk").values_list("pk", "handle", "display_name"))
    from search_data import TAGS

    Tag.objects.bulk_create([Tag(slug=slug) for slug in [*TAGS, "wallpaper"]], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.values_list("slug", "id"))

    columns, defaults = [], {}
    generated = {
        "id", "public_id", "seller_id", "title", "description", "language", "target_model", "category",
        "price_amount", "price_currency", "price_reference", "license", "variables", "example_outputs", "status",
        "rejection_reason", "review_note", "created_at", "updated_at", "submitted_at", "published_at",
        "first_published_at", "view_count", "unlock_count", "detail_json", "trending_score",
        "rating_count", "rating_sum", "search_vector", "card_json",
    }  # fmt: skip
    for field in Listing._meta.concrete_fields:
        columns.append(field.column)
        if field.column not in generated:  # a column added later: its model default
            value = field.get_default()
            defaults[field.column] = json.dumps(value) if isinstance(value, (list, dict)) else value
    if defaults:
        print(f"  columns filled with model defaults: {sorted(defaults)}")
    _STATE.update(
        url=database_url,
        total=listings,
        now=datetime.now(UTC).replace(microsecond=0),
        sellers=sellers,
        tag_ids=tag_ids,
        tag_table=Listing.tags.through._meta.db_table,
        categories=Category.values,
        models=TargetModel.values,
        columns=columns,
        defaults=defaults,
    )
    # The GIN index is built once after loading (much faster than maintaining it row by row), from
    # the definition the migrations gave it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'prompts_listing' "
            "AND indexdef LIKE '%%USING gin (search_vector)%%'"
        )
        search_indexes = cursor.fetchall()
        for index_name, _definition in search_indexes:
            cursor.execute(f'DROP INDEX "{index_name}"')
    connection.close()  # not shared with the forked workers

    chunks = [(start, min(CHUNK, listings - start)) for start in range(0, listings, CHUNK)]
    done, copy_began = 0, time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for count, _seconds in pool.imap_unordered(_load_chunk, chunks):
            done += count
            if done % 100_000 == 0 or done == listings:
                rate = done / (time.perf_counter() - copy_began)
                print(f"  {done:>9,} listings ({rate:,.0f}/s)", flush=True)
    generate_seconds = time.perf_counter() - copy_began

    index_began = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT setval(pg_get_serial_sequence('prompts_listing', 'id'), %s)", [listings])
        conn.execute("SET maintenance_work_mem = '2GB'")
        for _index_name, definition in search_indexes:
            conn.execute(definition)
        index_seconds = time.perf_counter() - index_began
        vacuum_began = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        vacuum_seconds = time.perf_counter() - vacuum_began
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('prompts_listing')), "
            f"pg_size_pretty(pg_relation_size('{search_indexes[0][0]}'))"
        ).fetchone()
    total = time.perf_counter() - began
    print(
        f"  loaded in {total:.0f} s: generate+COPY {generate_seconds:.0f} s, GIN index {index_seconds:.0f} s, "
        f"VACUUM ANALYZE {vacuum_seconds:.0f} s; table {sizes[0]}, GIN {sizes[1]}",
        flush=True,
    )
    return {
        "seconds": round(total, 1),
        "generate_copy_seconds": round(generate_seconds, 1),
        "gin_index_seconds": round(index_seconds, 1),
        "vacuum_analyze_seconds": round(vacuum_seconds, 1),
        "table_size": sizes[0],
        "gin_size": sizes[1],
        "workers": workers,
    }


def rewrite(database_url: str) -> dict[str, float]:
    """Rewrite every row (TOAST decisions follow the current column storage) and re-analyse."""
    import psycopg

    print("  VACUUM FULL + ANALYZE ...", flush=True)
    with psycopg.connect(database_url, autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '2GB'")
        conn.execute("VACUUM FULL prompts_listing")
        full = time.perf_counter() - began
        conn.execute("VACUUM (ANALYZE) prompts_listing")
    return {"vacuum_full_seconds": round(full, 1), "seconds": round(time.perf_counter() - began, 1)}


def storage(database_url: str) -> dict[str, Any]:
    """Where search vectors live and how finely they are analysed (migration 0007)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT a.attstorage, a.attstattarget, pg_size_pretty(pg_relation_size(c.oid)), "
            "pg_size_pretty(pg_total_relation_size(c.reltoastrelid)), "
            "(SELECT array_length(most_common_elems, 1) FROM pg_stats WHERE tablename = c.relname "
            "AND attname = 'search_vector') "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'search_vector' "
            "WHERE c.relname = 'prompts_listing'"
        ).fetchone()
    assert row is not None
    return {
        "search_vector_storage": {"m": "main", "x": "extended"}.get(row[0], row[0]),
        "statistics_target": row[1],
        "table": row[2],
        "toast": row[3],
        "common_tokens_listed": row[4],
    }


# --- Timing -------------------------------------------------------------------------------------


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def timed(fn: Any, reps: int, warmup: int) -> dict[str, Any]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
        "reps": reps,
    }


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def ilike_query(term: str, *, every_match: bool = False) -> tuple[str, list[str]]:
    """Every word of the term in the title or the description (a fair baseline for the mixed query).

    The page: the newest 24 such listings, the same rows as our `newest` page for an English term.
    Every match (`every_match`): their count, which reads every row, as ranking or facet counts
    over ILIKE matches would.
    """
    words = term.split()
    conditions = " AND ".join("(title ILIKE %s OR description ILIKE %s)" for _ in words)
    params = [p for word in words for p in (_like(word), _like(word))]
    return (ILIKE_ALL_SQL if every_match else ILIKE_SQL).format(conditions=conditions), params


def capture_plans(fn: Any) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement one call of fn runs (the SQL the app generates)."""
    from django.db import connection

    statements: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] if len(row[0]) < 400 else row[0][:400] + " …" for row in cursor.fetchall()]
            execution = next((line for line in reversed(lines) if line.startswith("Execution Time")), "")
            shown = sql if len(sql) < 600 else sql[:600] + f" … ({len(sql):,} chars)"
            plans.append({"sql": shown, "execution": execution, "plan": lines})
    return plans


def seed_vocabulary() -> None:
    """The typo corrector's vocabulary (SearchTerm) from the generator's word lists and tags: the
    words every generated title is made of, without a pass over the catalog; counts uncached."""
    from search_data import EN_ADJ, EN_NOUN, EN_STYLE, EN_SUBJECT, TAGS

    from prompts import selectors
    from prompts.models import SearchTerm
    from prompts.search.suggest import terms_of

    terms: dict[str, str] = {}
    for words in (EN_ADJ, EN_STYLE, EN_SUBJECT, EN_NOUN):
        for phrase in words:
            terms.update(terms_of(phrase, []))
    terms.update(terms_of("wallpaper", TAGS))
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term, display=display) for term, display in terms.items()]
    )
    selectors.COUNT_CACHE_SECONDS = 0  # time every count, as a first visit pays it


def browse_floor() -> dict[str, Any]:
    """The newest 24 cards without a text query (the catalog's browse page, one indexed statement).

    A search page returns the same kind of page and must also check matches, so no search page can
    be faster than this; 20x faster than an ILIKE page that takes less than 20x this is impossible.
    """
    from prompts import selectors

    return timed(
        lambda: selectors.catalog_page(
            filters=selectors.CatalogFilters(), sort="newest", cursor=None, page_size=PAGE_SIZE
        ),
        200,
        20,
    )


def measure(listings: int, reps: int, ilike_reps: int, floor: dict[str, Any]) -> list[dict[str, Any]]:
    from django.db import connection

    from prompts import selectors
    from prompts.search.query import parse_query

    target = page_target_ms(listings)
    rows = []
    for term, meaning in PROBES:
        load_before = os.getloadavg()[0]
        filters = selectors.CatalogFilters(q=term)
        query = parse_query(term)
        assert query is not None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM prompts_listing WHERE status = 'published' AND search_vector @@ %s::tsquery",
                [query.tsquery()],
            )
            hits = cursor.fetchone()[0]
        page, _ = selectors.catalog_page(filters=filters, sort="relevance", cursor=None, page_size=PAGE_SIZE)
        relevance = timed(
            lambda f=filters: selectors.catalog_page(filters=f, sort="relevance", cursor=None, page_size=PAGE_SIZE),
            reps, 3,
        )  # fmt: skip
        newest = timed(
            lambda f=filters: selectors.catalog_page(filters=f, sort="newest", cursor=None, page_size=PAGE_SIZE),
            reps, 3,
        )  # fmt: skip
        facets = timed(lambda f=filters: selectors.catalog_facets(filters=f), reps, 2)
        # What the API and the website run: the relevance page, the capped count (never reused
        # here: COUNT_CACHE_SECONDS is 0) and, below TYPO_RETRY_BELOW hits, the corrected query's.
        found = selectors.catalog_search(filters=filters, sort="relevance", cursor=None, page_size=PAGE_SIZE)
        searched = timed(
            lambda f=filters: selectors.catalog_search(filters=f, sort="relevance", cursor=None, page_size=PAGE_SIZE),
            reps, 3,
        )  # fmt: skip
        ilike = {}
        for name, (sql, params) in (
            ("page", ilike_query(term)),
            ("all", ilike_query(term, every_match=True)),
        ):

            def run_ilike(sql: str = sql, params: list[str] = params) -> None:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

            ilike[name] = timed(run_ilike, ilike_reps, 1)
        ours_p95 = max(relevance["p95_ms"], newest["p95_ms"], searched["p95_ms"])
        speedup = ilike["page"]["p95_ms"] / ours_p95
        scan_speedup = ilike["all"]["p95_ms"] / ours_p95
        # The speedup target compares with an ILIKE scan for the same terms: ILIKE over every
        # match, as ranking or facet counts built on ILIKE must read. The ILIKE page (newest 24,
        # stopping early) is printed beside it; for common words 20x that page would be faster
        # than the browse page without a query, which nothing can be (speedup_unattainable).
        checks = {
            "page": ours_p95 <= target,
            "ilike_scan_20x": scan_speedup >= SPEEDUP_TARGET,
        }
        if listings >= 1_000_000:
            checks["facets"] = facets["p95_ms"] <= FACETS_TARGET_MS
        row = {
            "term": term,
            "meaning": meaning,
            "tokens": query.tokens,
            "hits": hits,
            "page_rows": len(page),
            "relevance": relevance,
            "newest": newest,
            "facets": facets,
            "search": searched,
            "count": [found.count, found.count_is_exact],
            "corrected_query": found.corrected_query,
            "ilike": ilike["page"],
            "ilike_all": ilike["all"],
            "speedup": round(speedup, 1),
            "scan_speedup": round(scan_speedup, 1),
            # 20x faster than the ILIKE page would be faster than the browse page without a query.
            "speedup_unattainable": ilike["page"]["p50_ms"] < SPEEDUP_TARGET * floor["p50_ms"],
            "checks": checks,
            "pass": all(checks.values()),
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "plans": {
                "relevance": capture_plans(
                    lambda f=filters: selectors.catalog_page(
                        filters=f, sort="relevance", cursor=None, page_size=PAGE_SIZE
                    )
                ),
                "newest": capture_plans(
                    lambda f=filters: selectors.catalog_page(
                        filters=f, sort="newest", cursor=None, page_size=PAGE_SIZE
                    )
                ),
                "facets": capture_plans(lambda f=filters: selectors.catalog_facets(filters=f)),
                "search": capture_plans(
                    lambda f=filters: selectors.catalog_search(
                        filters=f, sort="relevance", cursor=None, page_size=PAGE_SIZE
                    )
                ),
            },
        }
        rows.append(row)
        print(
            f"  {term:<20} hits {hits:>8,}  relevance {relevance['p50_ms']:7.1f}/{relevance['p95_ms']:7.1f}  "
            f"newest {newest['p50_ms']:7.1f}/{newest['p95_ms']:7.1f}  facets p95 {facets['p95_ms']:7.1f}  "
            f"search+count {searched['p50_ms']:6.1f}/{searched['p95_ms']:6.1f}  "
            f"ILIKE page {ilike['page']['p50_ms']:8.1f}/{ilike['page']['p95_ms']:8.1f}  "
            f"all {ilike['all']['p95_ms']:8.1f}  load {row['load_average'][0]:.1f}",
            flush=True,
        )
    return rows


def table(listings: int, rows: list[dict[str, Any]], floor: dict[str, Any]) -> str:
    target = page_target_ms(listings)
    facets_note = (
        f"facets p95 <= {FACETS_TARGET_MS:.0f} ms" if listings >= 1_000_000 else "facets: no target below 1M"
    )
    lines = [
        f"Search, {listings:,} listings (ms; targets: top-24 p95 <= {target:.0f} ms, >= {SPEEDUP_TARGET:.0f}x an ILIKE scan, "
        f"{facets_note})",
        f"{'term':<20} {'hits':>9}  {'relev p50':>9} {'p95':>6}  {'newest p50':>10} {'p95':>6}  "
        f"{'facets p95':>10}  {'search+count p95':>16}  {'ILIKE page p50':>14} {'p95':>6} {'x':>6}  "
        f"{'ILIKE all p95':>13} {'x':>6}  result",
        "-" * 154,
    ]
    footnote = False
    for row in rows:
        failed = [name for name, ok in row["checks"].items() if not ok]
        verdict = "PASS" if row["pass"] else "FAIL (" + ", ".join(failed) + ")"
        mark = "*" if row["speedup_unattainable"] else " "
        footnote = footnote or row["speedup_unattainable"]
        lines.append(
            f"{row['term']:<20} {row['hits']:>9,}  {row['relevance']['p50_ms']:>9.1f} {row['relevance']['p95_ms']:>6.1f}  "
            f"{row['newest']['p50_ms']:>10.1f} {row['newest']['p95_ms']:>6.1f}  {row['facets']['p95_ms']:>10.1f}  "
            f"{row['search']['p95_ms']:>16.1f}  "
            f"{row['ilike']['p50_ms']:>14.1f} {row['ilike']['p95_ms']:>6.1f} {row['speedup']:>5.1f}x{mark} "
            f"{row['ilike_all']['p95_ms']:>13.1f} {row['scan_speedup']:>5.0f}x  {verdict}"
        )
    loads = [value for row in rows for value in row["load_average"]]
    lines.append(
        f"Browse page without a query (the floor): p50 {floor['p50_ms']:.2f} ms. Load average (1 min): "
        f"{min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs."
    )
    if footnote:
        lines.append(
            f"* no page can be {SPEEDUP_TARGET:.0f}x faster than this ILIKE page: it takes less than "
            f"{SPEEDUP_TARGET:.0f}x the browse page without a query (ILIKE walks the date index and "
            "stops after a few dozen rows). Shown for comparison; the target is the scan."
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--reps", type=int, help="timed repetitions per probe (default 40; 30 from 1M)")
    parser.add_argument("--ilike-reps", type=int, help="ILIKE repetitions (default 10; 3 from 1M)")
    parser.add_argument("--workers", type=int, default=2, help="generating/COPY processes (default 2)")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="with --reuse: VACUUM FULL + ANALYZE, so rows loaded before a storage change follow it",
    )
    parser.add_argument(
        "--label", default="", help="results go to search-<N>-<label>.json (e.g. a code variant)"
    )
    parser.add_argument("--no-lock", action="store_true", help=f"do not take {LOCK} (tiny smoke runs only)")
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    big = args.listings >= 1_000_000
    reps = args.reps or (30 if big else 40)
    ilike_reps = args.ilike_reps or (3 if big else 10)
    name = f"dimsum_bench_search_{args.listings}"
    database_url = f"{args.server_url.rstrip('/')}/{name}"
    env = server_environment(database_url)

    result: dict[str, Any] = {
        "label": args.label,
        "listings": args.listings,
        "database": name,
        "reps": reps,
        "ilike_reps": ilike_reps,
    }
    lock = None
    try:
        lock = None if args.no_lock else take_lock()
        if not args.reuse:
            print(f"Database {name}: drop, create, migrate ...", flush=True)
            recreate_database(database_url)
        migrate(env)  # with --reuse: later migrations (storage settings) apply to the loaded rows
        setup_django(env)
        from django.db import connection

        if not args.reuse:
            print(f"Loading {args.listings:,} listings with {args.workers} processes ...", flush=True)
            result["load"] = load(database_url, args.listings, args.workers)
        elif (previous := RESULTS / f"search-{args.listings}.json").exists():
            result["load"] = json.loads(previous.read_text()).get("load")  # from the run that loaded it
        if args.rewrite:
            result["rewrite"] = rewrite(database_url)
        result["storage"] = storage(database_url)
        print(f"  storage: {result['storage']}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM prompts_listing WHERE status = 'published'")
            published = cursor.fetchone()[0]
            cursor.execute("SHOW server_version")
            result["postgres"] = cursor.fetchone()[0]
        if published != args.listings:
            raise BenchError(f"{name} holds {published:,} published listings, not {args.listings:,}")
        seed_vocabulary()
        print(f"Timing {len(PROBES)} probes ({reps} reps, ILIKE {ilike_reps}) ...", flush=True)
        floor = browse_floor()
        result["browse_floor"] = floor
        rows = measure(args.listings, reps, ilike_reps, floor)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if lock is not None:
            lock.close()
    result["probes"] = rows
    result["pass"] = all(row["pass"] for row in rows)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"search-{args.listings}{'-' + args.label if args.label else ''}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    print()
    print(table(args.listings, rows, floor))
    for row in rows:
        if not row["pass"]:
            print(f"\n{row['term']}: per-statement execution times (EXPLAIN ANALYZE)")
            for mode, plans in row["plans"].items():
                for plan in plans:
                    print(f"  {mode:<9} {plan['execution']:<28} {plan['sql'][:110]}")
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
