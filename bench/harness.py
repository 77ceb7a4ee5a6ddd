"""What the benchmarks share: a production-like gunicorn, wrk, and a watch on other CPU load."""

from __future__ import annotations

import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk_report.lua"


class BenchError(Exception):
    """A benchmark that could not be measured (as opposed to one that missed its target)."""


@dataclass(frozen=True)
class LoadSettings:
    threads: int
    connections: int
    warmup: float  # seconds of unmeasured load before each measurement
    duration: float  # seconds measured
    max_other_load: float  # % of all CPUs other processes may use before a measurement is redone


def server_environment(database_url: str) -> dict[str, str]:
    """Production-like settings for the seeding process and for gunicorn."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        # DEBUG=0 refuses the sandbox payment provider. The catalog never calls Stripe; these
        # placeholders (never real keys) satisfy the check, and the API base points at a closed
        # local port so that an unexpected call fails fast instead of leaving the machine.
        STRIPE_SECRET_KEY="sk_test_bench_placeholder",
        STRIPE_WEBHOOK_SECRET="whsec_bench_placeholder",
        STRIPE_API_BASE="http://127.0.0.1:9",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the same environment the server gets."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    app: str, env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    """Sync workers, as in production; `app` is a WSGI path such as bench.bench_wsgi:application."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--backlog", "2048",
        "--log-level", "warning",
        "--error-logfile", str(log),
    ]  # fmt: skip
    # Access log stays off: gunicorn writes none unless --access-logfile is given.
    env = {key: value for key, value in env.items() if key != "GUNICORN_CMD_ARGS"}
    with log.open("ab") as output:  # start-up warnings (e.g. no STATIC_ROOT yet) go to the log too
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(base: str, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:300]


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {log}:\n{_tail(log)}")
        try:
            if get(url, "")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer within 60 s; see {log}:\n{_tail(log)}")


def _tail(path: Path) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-20:]) if path.exists() else ""


# --- Load ---------------------------------------------------------------------------------------


def run_wrk(url: str, script_args: list[str], load: LoadSettings, seconds: float) -> dict[str, Any]:
    """One wrk run through bench/wrk_report.lua; `script_args` go to the script (see its header)."""
    command = [
        "wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "--latency", "-s", str(WRK_SCRIPT), url,
    ]  # fmt: skip
    if script_args:
        command += ["--", *script_args]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    match = re.search(r"^BENCH_JSON (.*)$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or match is None:
        raise BenchError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    data = json.loads(match.group(1))
    duration = data["duration_us"] / 1e6
    errors = data["errors"]
    return {
        "requests": data["requests"],
        "rps": data["requests"] / duration,
        "p50_ms": data["latency_us"]["p50"] / 1000,
        "p90_ms": data["latency_us"]["p90"] / 1000,
        "p99_ms": data["latency_us"]["p99"] / 1000,
        "mean_ms": data["latency_us"]["mean"] / 1000,
        "non_2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "wrk_output": completed.stdout,
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class OtherLoad:
    """CPU used by processes other than the benchmark's own while it measures.

    Ours: gunicorn and its workers, this database's PostgreSQL backends, and wrk (counted through
    rusage). Everything else busy on the machine (another job, a test suite) competes for the same
    cores and lowers the numbers, so it is reported and, above a threshold, the run is repeated.
    """

    def __init__(self, server_pid: int, database: str, also_ours: tuple[str, ...] = ()) -> None:
        """`also_ours`: programs serving the benchmark too (e.g. "redis-server"), by command name."""
        self.server_pid, self.database = server_pid, database
        self.also_ours = tuple(name.encode() for name in also_ours)
        self.available = Path("/proc/stat").exists()

    def _machine_busy_ticks(self) -> int:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
        return sum(fields) - fields[3] - fields[4]  # minus idle and iowait

    def _our_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            words = cmdline.replace(b"\0", b" ").split()
            if (
                self.server_pid in (int(entry.name), parent)
                or (cmdline.startswith(b"postgres: ") and self.database.encode() in words)
                or (words and words[0].rsplit(b"/", 1)[-1] in self.also_ours)
            ):
                pids.append(int(entry.name))
        return pids

    @staticmethod
    def _process_ticks(pids: list[int]) -> int:
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total

    def start(self) -> None:
        if self.available:
            self.pids = self._our_pids()
            self.started = time.monotonic()
            self.busy = self._machine_busy_ticks()
            self.ours = self._process_ticks(self.pids)

    def percent(self, child_cpu_seconds: float) -> float | None:
        """Other processes' CPU since start(), in % of all cores."""
        if not self.available:
            return None
        wall = time.monotonic() - self.started
        busy = self._machine_busy_ticks() - self.busy
        ours = self._process_ticks(self.pids) - self.ours + child_cpu_seconds * CLOCK_TICKS
        return max(0.0, 100.0 * (busy - ours) / (wall * CLOCK_TICKS * (os.cpu_count() or 1)))


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_for_quiet(other_load: OtherLoad, threshold: float, timeout: float = 60) -> None:
    """Wait (at most `timeout` s) for a 2-second window in which other processes stay under threshold."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        other_load.start()
        time.sleep(2)
        other = other_load.percent(0.0)
        if other is None or other <= threshold:
            return


def measure_endpoint(
    url: str, script_args: list[str], load: LoadSettings, other_load: OtherLoad
) -> dict[str, Any]:
    """Warm up, then measure; redo it (3 tries in all) while other processes used the CPUs."""
    best: dict[str, Any] | None = None
    for attempt in range(3):
        if attempt:
            wait_for_quiet(other_load, load.max_other_load)
        if load.warmup > 0:
            run_wrk(url, script_args, load, load.warmup)
        children_before = _children_cpu_seconds()
        other_load.start()
        result = run_wrk(url, script_args, load, load.duration)
        result["other_load_percent"] = other_load.percent(_children_cpu_seconds() - children_before)
        if best is None or (result["other_load_percent"] or 0) < (best["other_load_percent"] or 0):
            best = result
        if (best["other_load_percent"] or 0) <= load.max_other_load:
            break
        if attempt < 2:
            print(
                f"    other processes used {result['other_load_percent']:.0f}% of the CPUs; "
                f"measuring again ({attempt + 2}/3) ...",
                flush=True,
            )
    assert best is not None
    return best
