"""Search quality on the relevance set: nDCG@10, recall@24 and zero results, per query class.

    make bench-relevance                                   # fresh SQLite database
    .venv/bin/python bench/relevance/run.py --database-url postgres://postgres@127.0.0.1:5432/dimsum_bench_relevance
    .venv/bin/python bench/relevance/run.py --check        # exit 1 when a target is missed

Loads the demo catalog (`seed_demo`, as `make run` does) and the generated bilingual catalog
(catalog.json, through prompts.services and the moderation's publish step, so the search index is
built as in production) into a fresh database, then runs every query of judgments.toml through the
public catalog's code path (`parse_catalog_query` + `selectors.catalog_search`, sort=relevance, the
first 24 cards), and scores the listing ids that come back against the judgments.

A measurement, not a test: exits 0 whether or not the targets are met, unless --check is given.
Writes bench/results/relevance-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.harness import ROOT, server_environment, setup_django
from bench.relevance.metrics import ndcg_at, recall_at

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "catalog.json"
JUDGMENTS = HERE / "judgments.toml"
DEMO = ROOT / "marketplace" / "demo" / "demo_listings.json"
RESULTS = ROOT / "bench" / "results"
PAGE = 24
TARGET_NDCG = 0.85
TARGET_ZERO = 0.02
GRADES = (1, 2, 3)


def demo_key(title: str) -> str:
    """Demo listings are referred to by their title, which is unique in demo_listings.json."""
    return f"demo:{title}"


def catalogs() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    generated = json.loads(CATALOG.read_text(encoding="utf-8"))
    return demo, generated


def all_keys() -> dict[str, str]:
    """key -> title of every listing in both catalogs."""
    demo, generated = catalogs()
    keys = {demo_key(row["title"]): row["title"] for row in demo}
    keys.update({row["key"]: row["title"] for row in generated})
    return keys


@dataclass
class Query:
    q: str
    cls: str
    reason: str
    relevant: dict[str, int]


def load_judgments(path: Path = JUDGMENTS) -> list[Query]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Query(q=row["q"], cls=row["class"], reason=row["reason"], relevant=dict(row.get("relevant", {})))
        for row in data["query"]
    ]


def validate(queries: list[Query], keys: dict[str, str]) -> list[str]:
    """Problems with the judgments file; empty when it is well-formed."""
    problems = []
    seen: set[tuple[str, str]] = set()
    titles = list(keys.values())
    if len(set(titles)) != len(titles):
        problems.append("two listings share a title (titles identify listings in the database)")
    for query in queries:
        where = f"query {query.q!r}"
        if not query.q.strip():
            problems.append(f"{where}: empty query")
        if not query.cls.strip() or not query.reason.strip():
            problems.append(f"{where}: needs a class and a reason")
        if (query.q, query.cls) in seen:
            problems.append(f"{where}: judged twice in class {query.cls}")
        seen.add((query.q, query.cls))
        for key, grade in query.relevant.items():
            if key not in keys:
                problems.append(f"{where}: unknown listing key {key!r}")
            if grade not in GRADES:
                problems.append(f"{where}: grade {grade!r} of {key!r} is not one of {GRADES}")
    return problems


# --- Database -----------------------------------------------------------------------------------


def fresh_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name and "relevance" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench' or 'relevance'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed_demo(database_url: str) -> dict[str, str]:
    """Migrate and load the demo data as `make run` does (the sandbox payments need DEBUG=1)."""
    env = server_environment(database_url) | {
        "DEBUG": "1",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
    }
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return env


def load_generated(rows: list[dict[str, Any]]) -> None:
    """Create each listing through listing_create and publish it through the moderation's publish
    step (no example images: they play no part in search), then render its documents and index."""
    from django.db import transaction
    from django.utils import timezone

    from marketplace.accounts.models import User
    from marketplace.demo.management.commands.seed_demo import SELLERS
    from prompts import services
    from prompts.documents import listing_documents_refresh
    from prompts.models import Listing
    from prompts.moderation.decisions import listing_mark_published

    sellers = [User.objects.get(email=email) for email, _, _ in SELLERS]
    for row in rows:
        listing = services.listing_create(
            seller=sellers[row["seller"]],
            title=row["title"],
            description=row["description"],
            language=row["language"],
            target_model=row["target_model"],
            category=row["category"],
            prompt_text=row["prompt_text"],
            price_amount=row["price_amount"],
            price_currency=row["price_currency"],
            tags=row["tags"],
        )
        with transaction.atomic():
            locked = Listing.objects.select_for_update().get(pk=listing.pk)
            listing_mark_published(locked, now=timezone.now())
        listing_documents_refresh(listing_id=listing.pk)


def public_ids_by_key() -> dict[str, str]:
    from prompts.models import Listing

    by_title = dict(Listing.objects.published().values_list("title", "public_id"))
    keys = all_keys()
    missing = [key for key, title in keys.items() if title not in by_title]
    if missing:
        raise SystemExit(f"listings missing after loading: {missing[:5]}")
    return {key: by_title[title] for key, title in keys.items()}


def search(q: str) -> list[str]:
    """Public ids of the first page, as GET /api/v1/listings/?q=...&sort=relevance&page_size=24 gets them."""
    import orjson

    from prompts import selectors
    from prompts.catalog_query import parse_catalog_query

    filters, sort, cursor, page_size = parse_catalog_query(
        {"q": q, "sort": "relevance", "page_size": str(PAGE)}
    )
    # The API's own entry point: synonyms, and a typo correction when the query as typed finds little.
    found = selectors.catalog_search(filters=filters, sort=sort, cursor=cursor, page_size=page_size)
    return [orjson.loads(card)["id"] for card in found.page.cards]


# --- Scoring ------------------------------------------------------------------------------------


@dataclass
class Scored:
    query: Query
    ranked: list[str]  # keys, in the order search returned them
    ndcg: float = 0.0
    recall: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return any(grade > 0 for grade in self.query.relevant.values())


def score(queries: list[Query], results: dict[str, list[str]]) -> list[Scored]:
    scored = []
    for query in queries:
        ranked = results[query.q]
        scored.append(
            Scored(
                query, ranked, ndcg_at(ranked, query.relevant, 10), recall_at(ranked, query.relevant, PAGE)
            )
        )
    return scored


def summarise(rows: list[Scored]) -> dict[str, Any]:
    return {
        "queries": len(rows),
        "ndcg@10": statistics.fmean(r.ndcg for r in rows) if rows else 0.0,
        "recall@24": statistics.fmean(r.recall for r in rows) if rows else 0.0,
        "zero_results": sum(1 for r in rows if not r.ranked) / len(rows) if rows else 0.0,
    }


def report(scored: list[Scored], titles: dict[str, str], vendor: str, worst: int) -> dict[str, Any]:
    answerable = [s for s in scored if s.answerable]
    unanswerable = [s for s in scored if not s.answerable]
    by_class: dict[str, list[Scored]] = defaultdict(list)
    for s in answerable:
        by_class[s.query.cls].append(s)
    overall = summarise(answerable)
    classes = {cls: summarise(rows) for cls, rows in sorted(by_class.items())}

    print(f"\nRelevance set: {len(answerable)} judged queries with a relevant listing, {vendor}")
    print(f"{'class':<24}{'queries':>8}{'nDCG@10':>10}{'recall@24':>11}{'zero results':>14}")
    for cls, row in [*classes.items(), ("overall", overall)]:
        if cls == "overall":
            print("-" * 67)
        print(
            f"{cls:<24}{row['queries']:>8}{row['ndcg@10']:>10.3f}{row['recall@24']:>11.3f}"
            f"{row['zero_results']:>13.1%}"
        )
    met_ndcg = overall["ndcg@10"] >= TARGET_NDCG
    met_zero = overall["zero_results"] <= TARGET_ZERO
    print(f"\nnDCG@10 {overall['ndcg@10']:.3f}, target >= {TARGET_NDCG}: {'met' if met_ndcg else 'MISSED'}")
    print(
        f"zero-result rate {overall['zero_results']:.1%}, target <= {TARGET_ZERO:.0%}: {'met' if met_zero else 'MISSED'}"
    )

    print(f"\nQueries with no relevant listing ({len(unanswerable)}): results should be few or none")
    for s in unanswerable:
        shown = ", ".join(titles[k] for k in s.ranked[:3])
        print(f"  {s.query.q!r:<28} {len(s.ranked):>3} results  {shown}")

    print(f"\nWorst {worst} queries by nDCG@10 (then recall@24)")
    for s in sorted(answerable, key=lambda s: (s.ndcg, s.recall))[:worst]:
        print(
            f"  {s.query.q!r} [{s.query.cls}] nDCG {s.ndcg:.2f} recall {s.recall:.2f}, {len(s.ranked)} results"
        )
        print(
            f"      top: {' | '.join(f'{titles[k]} ({s.query.relevant.get(k, 0)})' for k in s.ranked[:5]) or '-'}"
        )
        missed = sorted(
            (k for k, g in s.query.relevant.items() if g >= 2 and k not in s.ranked),
            key=lambda k: -s.query.relevant[k],
        )
        if missed:
            print(
                f"      missed: {' | '.join(titles[k] for k in missed[:5])}{' ...' if len(missed) > 5 else ''}"
            )
    return {
        "database": vendor,
        "targets": {"ndcg@10": TARGET_NDCG, "zero_results": TARGET_ZERO, "met": met_ndcg and met_zero},
        "overall": overall,
        "classes": classes,
        "queries": [
            {
                "q": s.query.q,
                "class": s.query.cls,
                "ndcg@10": round(s.ndcg, 4),
                "recall@24": round(s.recall, 4),
                "results": s.ranked,
                "answerable": s.answerable,
            }
            for s in scored
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL; the database is dropped and created"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--worst", type=int, default=15, help="how many of the worst queries to show (15)")
    args = parser.parse_args()

    queries = load_judgments()
    keys = all_keys()
    problems = validate(queries, keys)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="dimsum-bench-relevance-"))
    if args.database_url:
        fresh_postgres(args.database_url)
        database_url = args.database_url
    else:
        database_url = f"sqlite:///{workdir / 'relevance.sqlite3'}"
    print(
        f"Loading the demo catalog and {len(json.loads(CATALOG.read_text(encoding='utf-8')))} generated listings ..."
    )
    env = seed_demo(database_url)
    setup_django(env | {"LOG_LEVEL": "ERROR"})
    from django.db import connection

    load_generated(json.loads(CATALOG.read_text(encoding="utf-8")))
    ids = public_ids_by_key()
    key_of = {public_id: key for key, public_id in ids.items()}
    results = {}
    for query in queries:
        results[query.q] = [key_of.get(public_id, f"?{public_id}") for public_id in search(query.q)]
    titles = dict(keys)
    titles.update({k: k for ranked in results.values() for k in ranked if k not in titles})
    scored = score(queries, results)
    summary = report(scored, titles, connection.vendor, args.worst)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"relevance-{connection.vendor}.json"
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nEvery query's results: {out.relative_to(ROOT)}")
    if args.check and not summary["targets"]["met"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
