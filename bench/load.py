"""Load test: Locust against the portal under gunicorn on PostgreSQL (issue 10).

    python -m bench.load                                   # 1,000,000 dossiers and register citizens
    python -m bench.load --dossiers 100000 --seconds 20    # quicker
    python -m bench.load --soak 300                        # and a 5-minute mix for memory growth

1. Builds (or reuses) the register (``--register`` people) and the portal database (schema,
   demo catalog and officers, ``--dossiers`` past dossiers: :mod:`bench.dossier_data`).
2. Starts ``gunicorn wsgi:app`` (``--workers`` processes × ``--threads`` threads, rate limits
   off as DESIGN §9 allows for load tests) and, for the HTTP-adapter comparison, the mock
   register service under gunicorn too.
3. Runs each Locust user class of :mod:`bench.locustfile` alone for ``--seconds`` with
   ``--users`` concurrent users, then all together (the mix), and prints requests/s,
   p50/p95/p99 and errors per endpoint. Throughputs that a noisy machine would distort are
   given as ratios to the bare endpoint measured in the same run.
4. Reports each gunicorn worker's resident memory before and after, and during the soak.

The figures go to stdout and, as Markdown, to ``bench/results/load.md``.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, select, text

from bench.common import machine, report
from bench.registry_lookup import people_in
from portal.registry.generator import generate_register
from portal.registry.models import Person
from portal.registry.store import ensure_database, get_engine

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
PROCEDURE = "1.004194"  # temporary residence: a form with register prefill
SCENARIOS = (
    ("bare", ["BareUser"]),
    ("tracking-api", ["TrackingApiUser"]),
    ("tracking-page", ["TrackingPageUser"]),
    ("catalog", ["CatalogUser"]),
    ("form-step (in-process register)", ["CitizenFormUser"]),
    ("officer-queue", ["OfficerQueueUser"]),
    ("mix", ["TrackingApiUser", "TrackingPageUser", "CatalogUser", "CitizenFormUser", "OfficerQueueUser"]),
)


@dataclass
class Row:
    scenario: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60, process: subprocess.Popen | None = None, log: Path | None = None) -> None:
    """Until ``url`` answers; if ``process`` (the server behind it) stops first, what it wrote to
    ``log`` ends the run."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            said = log.read_text(encoding="utf-8", errors="replace").strip()[-2000:] if log and log.exists() else ""
            raise SystemExit(f"{process.args[0]} stopped (exit {process.returncode}): {said or 'it said nothing'}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def prepare(args: argparse.Namespace) -> dict:
    ensure_database(args.registry_url)
    if people_in(args.registry_url) != args.register:
        made = generate_register(args.registry_url, count=args.register, seed=args.seed, reset=True)
        print(f"register:   generated {made.people:,} people in {made.seconds:.1f} s")
    else:
        print(f"register:   reusing {args.register:,} people")

    from bench.dossier_data import ensure_dossiers

    started = time.perf_counter()
    ensure_dossiers(args.database_url, args.dossiers, seed=args.seed)
    print(f"dossiers:   {args.dossiers:,} ready in {time.perf_counter() - started:.1f} s")

    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT code FROM dossiers WHERE code IS NOT NULL ORDER BY random() LIMIT 5000")).scalars().all()
        officers = conn.execute(text("SELECT username FROM users WHERE role IN ('intake', 'specialist', 'leader')")).scalars().all()
    engine.dispose()
    with get_engine(args.registry_url).connect() as conn:
        # Grown-ups, who apply for themselves.
        citizens = conn.execute(
            select(Person.personal_id).where(Person.date_of_birth < date(1990, 1, 1)).limit(20_000)
        ).scalars().all()
    return {"codes": codes, "citizens": random.Random(args.seed).sample(citizens, min(2_000, len(citizens))),
            "officers": officers, "procedure": PROCEDURE}


def start_gunicorn(app: str, port: int, env: dict[str, str], workers: int, threads: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null", "--log-level", "warning", app],
        env=env, cwd=ROOT, start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def stop_all(*processes: subprocess.Popen | None) -> None:
    """Stop each process that was started (``None``: never started), every one of them even when
    stopping another fails."""
    failures = []
    for process in processes:
        if process is None:
            continue
        try:
            stop(process)
        except Exception as exc:  # the others are stopped all the same; the first failure is raised
            failures.append(exc)
    if failures:
        raise failures[0]


def worker_memory(master: subprocess.Popen) -> list[int]:
    """Resident set (KiB) of each gunicorn worker: the master's children."""
    sizes = []
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]))
    return sizes


def run_locust(host: str, classes: list[str], users: int, seconds: int, data_file: Path, prefix: Path) -> list[dict]:
    env = {**os.environ, "BENCH_LOAD_DATA": str(data_file)}
    subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--users", str(users),
         "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--host", host, "--csv", str(prefix),
         "--only-summary", "--loglevel", "ERROR", "--stop-timeout", "5", *classes],
        env=env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def rows_of(scenario: str, stats: list[dict], only_steady: bool) -> list[Row]:
    rows = []
    for item in stats:
        name = item["Name"] if item["Name"] != "Aggregated" else "all requests"
        if only_steady and (name.startswith(("GET /login", "POST /login", "GET /procedures/<code>/apply"))):
            continue  # sign-in and draft creation happen once per simulated user, at start
        rows.append(Row(scenario, name, int(item["Request Count"]), int(item["Failure Count"]),
                        float(item["Requests/s"]), float(item["50%"]), float(item["95%"]), float(item["99%"])))
    return rows


def markdown(rows: list[Row]) -> str:
    lines = ["| scenario | endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.scenario} | {r.name} | {r.requests:,} | {r.failures} | {r.rps:.0f} | {r.p50:.0f} | {r.p95:.0f} "
              f"| {r.p99:.0f} |" for r in rows]
    return "\n".join(lines)


def summary(rows: list[Row], bare: float, in_process: Row, over_http: Row, memory: list[tuple[str, list[int]]],
            args: argparse.Namespace) -> None:
    """The lines ``bench.run_all`` puts in the README's table, against the issue's targets."""
    def total(scenario: str) -> Row:
        return next(r for r in rows if r.scenario == scenario and r.name == "all requests")

    load = f"{args.users} users, {args.dossiers:,} dossiers"
    api = total("tracking-api")
    report("tracking API", f"p95 {api.p95:.0f} ms, {api.rps:.0f} req/s, {api.failures} errors ({load})",
           "p95 < 30 ms, no errors")
    report("tracking API / page throughput ÷ bare endpoint",
           f"{api.rps / bare:.2f} / {total('tracking-page').rps / bare:.2f}", "≥ 0.5")
    queue = total("officer-queue")
    report("officer queue, first page", f"p95 {queue.p95:.0f} ms, {queue.failures} errors ({load})", "p95 < 100 ms")
    report("form step with register prefill, in process / over HTTP",
           f"p95 {in_process.p95:.0f} / {over_http.p95:.0f} ms ({args.register:,} register citizens)", "p95 < 50 ms")
    mix = total("mix")
    report("mixed load", f"{mix.rps:.0f} req/s, p95 {mix.p95:.0f} ms, {mix.failures} errors")
    first, last = memory[0][1], memory[-1][1]
    report("memory per gunicorn worker", f"{sum(first) / len(first) / 1024:.0f} MiB at start, "
           f"{sum(last) / len(last) / 1024:.0f} MiB after {memory[-1][0]}", "no growth")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg:///bench_load")
    parser.add_argument("--registry-url", default="postgresql+psycopg:///bench_registry")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--register", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--soak", type=int, default=0, help="seconds of mixed load to watch memory (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    env = {**os.environ, "DATABASE_URL": args.database_url, "REGISTRY_DATABASE_URL": args.registry_url,
           "PORTAL_ENV": "production", "SESSION_COOKIE_SECURE": "0", "SECRET_KEY": "bench-load-secret",
           "RATELIMIT_ENABLED": "0", "REGISTRY_CLIENT": "sql", "PYTHONPATH": str(ROOT)}
    data = prepare(args)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    data_file = workdir / "data.json"
    data_file.write_text(json.dumps(data), encoding="utf-8")
    print(f"machine:    {machine()}")
    print(f"setup:      gunicorn {args.workers} workers × {args.threads} threads, {args.users} concurrent users, "
          f"{args.seconds} s per scenario, {args.dossiers:,} dossiers, {args.register:,} register citizens")

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    rows: list[Row] = []
    memory: list[tuple[str, list[int]]] = []
    app = start_gunicorn("wsgi:app", port, env, args.workers, args.threads)
    try:
        wait_for(f"{host}/healthz")
        memory.append(("after start", worker_memory(app)))
        for scenario, classes in SCENARIOS:
            stats = run_locust(host, classes, args.users, args.seconds, data_file, workdir / scenario.split()[0])
            rows += rows_of(scenario, stats, only_steady=True)
            print(f"  {scenario}: done")
        memory.append(("after the scenarios", worker_memory(app)))
        if args.soak:
            for minute in range(0, args.soak, 60):
                span = min(60, args.soak - minute)
                run_locust(host, SCENARIOS[-1][1], args.users, span, data_file, workdir / f"soak{minute}")
                memory.append((f"soak, after {minute + span} s", worker_memory(app)))
    finally:
        stop(app)

    # The same form step with the register behind its HTTP service instead of in process.
    registry_port = free_port()
    registry = start_gunicorn("portal.registry.service:create_service()", registry_port, env, 2, args.threads)
    http_env = {**env, "REGISTRY_CLIENT": "http", "REGISTRY_URL": f"http://127.0.0.1:{registry_port}"}
    app = start_gunicorn("wsgi:app", port, http_env, args.workers, args.threads)
    try:
        wait_for(f"{host}/healthz")
        stats = run_locust(host, ["CitizenFormUser"], args.users, args.seconds, data_file, workdir / "form-http")
        rows += rows_of("form-step (register over HTTP)", stats, only_steady=True)
    finally:
        stop(app)
        stop(registry)

    table = markdown(rows)
    bare = next(r.rps for r in rows if r.scenario == "bare" and r.name == "all requests")
    ratios = []
    for scenario in ("tracking-api", "tracking-page"):
        rps = next(r.rps for r in rows if r.scenario == scenario and r.name == "all requests")
        ratios.append(f"- {scenario} throughput ÷ bare endpoint: {rps / bare:.2f} ({rps:.0f} ÷ {bare:.0f} req/s)")
    in_process = next(r for r in rows if r.scenario.startswith("form-step (in") and r.name == "all requests")
    over_http = next(r for r in rows if r.scenario.startswith("form-step (register over") and r.name == "all requests")
    ratios.append(f"- form step with prefill, register over HTTP ÷ in process: {over_http.rps / in_process.rps:.2f} "
                  f"in throughput, p95 {over_http.p95:.0f} ms vs {in_process.p95:.0f} ms")
    mem = [f"- {label}: " + ", ".join(f"{kib / 1024:.0f} MiB" for kib in sizes) for label, sizes in memory]
    text_report = "\n".join([
        f"Machine: {machine()}",
        f"Setup: gunicorn {args.workers} workers × {args.threads} threads (gthread), Locust {args.users} users "
        f"without think time, {args.seconds} s per scenario; PostgreSQL; {args.dossiers:,} dossiers, "
        f"{args.register:,} register citizens.", "", table, "", *ratios, "", "Memory per gunicorn worker (RSS):", *mem,
    ])
    print(text_report)
    summary(rows, bare, in_process, over_http, memory, args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.md").write_text(text_report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
