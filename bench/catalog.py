"""Catalog throughput under a production WSGI server, relative to a constant JSON view.

    .venv/bin/python bench/catalog.py [--listings 100000] [--duration 10]

1. Creates (once) the PostgreSQL database ``dimsum_bench``, migrates it and tops it up to
   ``--listings`` published listings with COPY (bench/catalog_data.py), then VACUUM ANALYZE.
2. Starts gunicorn (sync workers, DEBUG=0) on bench.bench_wsgi: the product plus a constant
   JsonResponse view at /bench/constant/, behind the same middleware.
3. Loads each endpoint with wrk on loopback (warm-up, then ``--duration`` seconds) and prints
   requests/s, p99 and the ratio to the constant view; writes bench/results/catalog.json.

Exits 1 on errors (setup failures, wrong responses, non-2xx or socket errors under load) and 2 when
wrk is missing; a missed target is a result, not an error. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import catalog_data
from harness import (
    ROOT,
    BenchError,
    LoadSettings,
    OtherLoad,
    free_port,
    get,
    measure_endpoint,
    server_environment,
    setup_django,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)

RESULTS = ROOT / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dimsum_bench"
# Production runs with Redis (cache, broker, the detail page's view counter); database 15 keeps
# the bench's keys apart from other users of the same server.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
TARGET_RATIO = 0.35
DETAIL_PREFIX = "/api/v1/listings/"


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    target: float | None  # minimum ratio to the baseline; None for the baseline itself
    random_ids: bool = False  # wrk picks a listing id per request from the sampled ids


# The first one is the baseline the others are compared with.
ENDPOINTS = [
    Endpoint("constant JsonResponse", "/bench/constant/", None),
    Endpoint("catalog list (newest)", "/api/v1/listings/", TARGET_RATIO),
    Endpoint(
        "catalog list (wallpaper, price)", "/api/v1/listings/?category=wallpaper&sort=price", TARGET_RATIO
    ),
    Endpoint("listing detail (random ids)", DETAIL_PREFIX + "{id}/", TARGET_RATIO, random_ids=True),
]


# --- Checks and report ------------------------------------------------------------------------


def check_responses(base: str, detail_id: str) -> None:
    """Every endpoint answers 200 with what a client expects before anything is timed."""
    status, body = get(base, "/bench/constant/")
    _expect(status == 200 and body.get("status") == "ok", "/bench/constant/", status, body)
    status, body = get(base, "/api/v1/listings/")
    _expect(
        status == 200 and len(body.get("results", [])) == 24 and body["next_cursor"], "list", status, body
    )
    dates = [card["published_at"] for card in body["results"]]
    _expect(dates == sorted(dates, reverse=True), "list newest order", status, dates)
    status, body = get(base, "/api/v1/listings/?category=wallpaper&sort=price")
    results = body.get("results", []) if status == 200 else []
    # Listings in different currencies sort by real value: their price in US cents at the rates
    # the database holds (Django is set up by then: the seed step ran in this process).
    from marketplace.rates.selectors import reference_amount

    prices = [reference_amount(card["price"]["amount"], card["price"]["currency"]) for card in results]
    categories = {card["category"] for card in results}
    ok = len(results) == 24 and categories == {"wallpaper"} and prices == sorted(prices)
    _expect(ok, "wallpaper by price", status, body)
    status, body = get(base, f"/api/v1/listings/{detail_id}/")
    _expect(
        status == 200 and body.get("id") == detail_id and "prompt_text" not in body, "detail", status, body
    )


def _expect(ok: Any, what: str, status: int, body: Any) -> None:
    if not ok:
        raise BenchError(f"Unexpected response for {what}: HTTP {status}: {str(body)[:300]}")


def _measure_one(
    base: str, endpoint: Endpoint, ids_file: Path, load: LoadSettings, other_load: OtherLoad, label: str
) -> dict[str, Any]:
    if endpoint.random_ids:
        url, script_args = base + DETAIL_PREFIX, [str(ids_file), DETAIL_PREFIX]
    else:
        url, script_args = base + endpoint.path, []
    result = measure_endpoint(url, script_args, load, other_load)
    result.pop("wrk_output", None)
    other = result["other_load_percent"]
    print(
        f"  {label}{endpoint.name}: {result['rps']:.0f} req/s, p99 {result['p99_ms']:.1f} ms"
        + ("" if other is None else f" (other load {other:.0f}%)"),
        flush=True,
    )
    return result


def measure(
    base: str, ids_file: Path, rounds: int, load: LoadSettings, other_load: OtherLoad
) -> list[dict[str, Any]]:
    """Baseline, endpoint, baseline, endpoint, ..., baseline; per round.

    Each endpoint's ratio divides by the mean of the baseline runs just before and after it, so a
    slow drift in what else the machine is doing cancels out of the ratio.
    """
    baseline, *targets = ENDPOINTS
    runs: dict[str, list[dict[str, Any]]] = {endpoint.name: [] for endpoint in ENDPOINTS}
    ratios: dict[str, list[float]] = {endpoint.name: [] for endpoint in targets}
    for round_number in range(1, rounds + 1):
        label = f"round {round_number}/{rounds}: " if rounds > 1 else ""
        before = _measure_one(base, baseline, ids_file, load, other_load, label)
        runs[baseline.name].append(before)
        for endpoint in targets:
            result = _measure_one(base, endpoint, ids_file, load, other_load, label)
            after = _measure_one(base, baseline, ids_file, load, other_load, label)
            runs[endpoint.name].append(result)
            runs[baseline.name].append(after)
            ratios[endpoint.name].append(result["rps"] / ((before["rps"] + after["rps"]) / 2))
            before = after
    rows = []
    for endpoint in ENDPOINTS:
        # The run with the median throughput stands for the endpoint; the ratio is the median pair's.
        ordered = sorted(runs[endpoint.name], key=lambda r: r["rps"])
        chosen = ordered[(len(ordered) - 1) // 2]
        row = {
            "endpoint": endpoint.name,
            "path": endpoint.path,
            "target_ratio": endpoint.target,
            "runs_rps": [round(r["rps"], 1) for r in runs[endpoint.name]],
            **chosen,
            "other_load_percent": max((r["other_load_percent"] or 0) for r in runs[endpoint.name]),
            "non_2xx": sum(r["non_2xx"] for r in runs[endpoint.name]),
            "socket_errors": sum(r["socket_errors"] for r in runs[endpoint.name]),
        }
        if endpoint.target is None:
            row["ratio"], row["pass"] = 1.0, None
        else:
            row["ratio"] = statistics.median(ratios[endpoint.name])
            row["paired_ratios"] = [round(value, 4) for value in ratios[endpoint.name]]
            row["pass"] = row["ratio"] >= endpoint.target
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]], max_other_load: float) -> None:
    columns = f"{'req/s':>7} {'p99 ms':>7} {'ratio':>7} {'target':>7}  {'result':<8}"
    header = f"{'endpoint':<32} {columns} other load"
    print(header)
    print("-" * len(header))
    for row in rows:
        target = f">={row['target_ratio']:.2f}" if row["target_ratio"] is not None else "-"
        result = "baseline" if row["pass"] is None else ("PASS" if row["pass"] else "FAIL")
        other = "n/a" if row["other_load_percent"] is None else f"{row['other_load_percent']:.0f}%"
        numbers = f"{row['rps']:>7.0f} {row['p99_ms']:>7.2f} {row['ratio']:>6.3f}x {target:>7}"
        print(f"{row['endpoint']:<32} {numbers}  {result:<8} {other}")
    if any((row["other_load_percent"] or 0) > max_other_load for row in rows):
        print(
            f"WARNING: other processes used more than {max_other_load:g}% of the CPUs during some "
            "measurements; those numbers are low and the ratios unreliable. Run again on a quiet machine."
        )


# --- Main ---------------------------------------------------------------------------------------


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        raise BenchError(f"Cannot reach Redis at {url} ({exc}); start it or pass --redis-url none.") from None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--listings", type=int, default=100_000, help="published listings to have (default 100000)"
    )
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds measured per endpoint (default 10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of unmeasured load before each (default 3)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every endpoint N times, report the median"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument(
        "--max-other-load",
        type=float,
        default=10,
        help="measure an endpoint again (3 tries) while other processes use more than this %% of the CPUs",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="REDIS_URL for the server, as in production; 'none' runs without Redis",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "catalog.json")
    args = parser.parse_args()
    if args.listings < 100 or args.duration <= 0 or args.rounds < 1 or args.workers < 1:
        parser.error("--listings must be >= 100, --duration > 0, --rounds and --workers >= 1")
    return args


def main() -> int:
    args = parse_args()
    # gunicorn runs in its own session (a Ctrl-C reaches only us); a SIGTERM must still reach the
    # `finally` below that stops it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        print("wrk is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y wrk) and run again.")
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    catalog_data.ensure_database(args.database_url)
    env = server_environment(args.database_url)
    if args.redis_url != "none":
        check_redis(args.redis_url)
        env["REDIS_URL"] = args.redis_url
    setup_django(env)
    catalog_data.seed(args.listings)

    from django.db import connection

    plan = catalog_data.list_query_plan()
    ids_file = Path(tempfile.mkstemp(prefix="dimsum-bench-ids-", suffix=".txt")[1])
    catalog_data.sample_detail_ids(ids_file)
    detail_id = ids_file.read_text().split()[0]
    connection.close()

    port, log = free_port(), RESULTS / "gunicorn.log"
    log.write_text("")
    base = f"http://127.0.0.1:{port}"
    print(f"Starting gunicorn ({args.workers} sync workers) on {base} ...", flush=True)
    server = start_gunicorn("bench.bench_wsgi:application", env, port, args.workers, log)
    try:
        wait_ready(base + "/bench/constant/", server, log)
        check_responses(base, detail_id)
        print(
            f"Measuring: wrk -t{args.threads} -c{args.connections}, {args.warmup:g} s warm-up + "
            f"{args.duration:g} s per endpoint.",
            flush=True,
        )
        load = LoadSettings(
            threads=args.threads,
            connections=args.connections,
            warmup=args.warmup,
            duration=args.duration,
            max_other_load=args.max_other_load,
        )
        other_load = OtherLoad(
            server.pid,
            urlsplit(args.database_url).path.lstrip("/"),
            also_ours=() if args.redis_url == "none" else ("redis-server",),
        )
        rows = measure(base, ids_file, args.rounds, load, other_load)
    finally:
        stop_gunicorn(server)
        ids_file.unlink(missing_ok=True)

    print()
    print_table(rows, args.max_other_load)
    report = {
        "benchmark": "catalog",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "listings": args.listings,
        "redis_url": args.redis_url,
        "server": f"gunicorn {args.workers} sync workers, DEBUG=0, bench.bench_wsgi (product + constant)",
        "load": f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency, loopback",
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "max_other_load_percent": args.max_other_load,
        "list_query_plan": plan,
        "results": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    if "listing_pub_newest" not in plan:
        print("Note: the default catalog query does not use the index listing_pub_newest:\n" + plan)
    failures = [row["endpoint"] for row in rows if row["non_2xx"] or row["socket_errors"]]
    if failures:
        print(f"ERROR: non-2xx responses or socket errors for: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        if type(exc).__name__ != "ImproperlyConfigured":
            raise
        print(f"ERROR: the product's settings refused the bench environment: {exc}", file=sys.stderr)
        sys.exit(1)
