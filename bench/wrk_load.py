"""Hot paths under wrk, against a bare endpoint of the same gunicorn in the same run (issue 19).

    python -m bench.wrk_load                                        # SQLite, 100,000 dossiers
    python -m bench.wrk_load --database-url postgresql+psycopg:///bench_load --dossiers 1000000 \\
        --registry-url postgresql+psycopg:///bench_registry

wrk is a C load generator (``apt-get install wrk``): it takes a fraction of the CPU Locust
needs, which matters on a 2-core machine where the load generator and the server share the
cores. For each scenario this:

1. runs the bare endpoint (``/healthz``: Flask, the portal's middleware, a small JSON body, no
   database; ``--bare-path /bench/tracking-shaped`` for issue 19's own, the tracking API's JSON
   from memory, :mod:`bench.floor`) for ``--seconds``, then the scenario for ``--seconds``, both
   with the same wrk settings, so the ratio of the two throughputs compares like with like even
   when other work shares the machine;
2. reads the gunicorn workers' CPU time (user + system, ``/proc`` via psutil) before and after,
   and divides by the requests wrk saw answered: **server CPU ms per request**, which depends on
   the code and the CPU, not on what else runs;
3. reads wrk's own CPU time (``getrusage`` of the finished child) — the share of the cores the
   load generator took from the server;
4. checks that both workers did the work: wrk's connections are accepted by whichever worker is
   first and kept, so now and then one worker holds most of them and the run measures one core
   (a bare endpoint at 1,100 req/s instead of 3,000). Such a pair of runs is made again.

Scenarios: tracking API and tracking page (random codes of past dossiers, anonymous), officer
queue first page (every connection signed in as one of the demo officers; ``--connections``
32) and a form step with register prefill (citizens signed in through the mock VNeID, each
with a draft of procedure 1.004194); after each signed-in path, its floor: the same sessions
asking for ``/bench/signed-in-floor`` (:mod:`bench.floor_app`, the page every signed-in page is
before its own content), so the report says how much of the path is its own and how much any
signed-in page of the stack costs. Sign-in and drafts are made in Python with ``requests``
before wrk starts; ``bench/wrk.lua`` sends each request with its session cookie (GET needs no
CSRF token). Data: :func:`bench.load.prepare` (register and dossiers built or reused).

``--soak 300`` then runs all four paths mixed for five minutes and reads each gunicorn worker's
resident memory every minute (it should stay flat).

``--think-ms`` makes each connection pause between requests, as people reading pages do; such a
run goes through nginx with the repository's ``deploy/nginx/portal-proxy.conf`` (``--front
nginx``, the default with a pause), as production does. wrk connects first and then pauses
before its first request, and straight at gunicorn's gthread worker a new connection holds a
thread while it waits (up to 5 s) for its first bytes: with 32 connections and 8 threads, the
first requests of a run waited for a thread, which was the whole p99 of a run with pauses
(:mod:`bench.think_time_tail` measures it). nginx opens its connections to gunicorn only to send
a request. Its own CPU time is reported.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests
from sqlalchemy.engine import make_url

from bench.common import NGINX, ROOT, machine, report, start_gunicorn, start_nginx, wrk
from bench.floor import FLOOR_PATH, SHAPED_PATH
from bench.load import PROCEDURE, free_port, prepare, stop_all, wait_for, worker_memory

RESULTS = ROOT / "bench" / "results"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_STEP = re.compile(r"/apply/[0-9a-f]{32}/steps/[\w-]+")
#: A run is kept when no worker did more than this share of the work (two workers: at most 65/35).
BALANCED = 0.65
BALANCE_TRIES = 3


@dataclass
class Figures:
    scenario: str
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float
    server_cpu_ms: float  # per request
    proxy_cpu_ms: float  # per request: nginx in front (0 without it)
    wrk_cpu_share: float  # wrk's CPU seconds ÷ wall seconds (1.0 = one core)
    database_cpu_ms: float  # per request: the PostgreSQL backends of the two databases (0 on SQLite)
    cores_busy: float  # server + database + wrk CPU seconds ÷ wall seconds (2.0 = both cores of this machine)
    busiest: float  # the busiest worker's share of the workers' CPU time

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def start_server(port: int, env: dict[str, str], workers: int, threads: int) -> subprocess.Popen:
    """The portal as ``wsgi`` serves it, with the pages only the benchmarks ask for (bench.floor_app:
    the floors, ``--bare-path``)."""
    return start_gunicorn(port, "bench.floor_app:app", workers=workers, threads=threads, env=env)


def server_cpu(master: subprocess.Popen) -> dict[int, float]:
    """CPU seconds (user + system) so far of a server's master (gunicorn's, nginx's) and of each
    worker, by pid."""
    seconds: dict[int, float] = {}
    parent = psutil.Process(master.pid)
    for process in [parent, *parent.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


def _proxy_cpu(proxy: subprocess.Popen | None) -> float:
    """CPU seconds so far of nginx in front (its master and worker), 0 without it."""
    return sum(server_cpu(proxy).values()) if proxy is not None else 0.0


#: A backend's title: ``postgres: [cluster: ]user database host activity``.
_BACKEND = re.compile(r"^postgres: (?:\S+: )?\S+ (\S+) ")


def database_cpu(databases: frozenset[str]) -> float:
    """CPU seconds (user + system) so far of the PostgreSQL backends connected to ``databases``
    (the portal's and the register's), told by their process titles: neither the server's own
    processes (autovacuum, the checkpointer) nor another database's backends (a test run) are
    counted. A backend that ends between two readings takes its time with it: the pool keeps
    its connections through a run. No database (SQLite): nothing to count."""
    seconds = 0.0
    if not databases:
        return seconds
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        title = (process.info["cmdline"] or [""])[0]
        match = _BACKEND.match(title) if process.info["name"] == "postgres" else None
        if match and match.group(1) in databases and process.info["cpu_times"] is not None:
            seconds += process.info["cpu_times"].user + process.info["cpu_times"].system
    return seconds


def busiest_share(master: subprocess.Popen, before: dict[int, float], after: dict[int, float]) -> float:
    """The busiest worker's part of the workers' CPU time between two readings. wrk opens its
    connections at once and keeps them; the kernel hands each to whichever worker accepts first,
    so now and then one worker holds most of them and the run measures one core, not two."""
    used = [after[pid] - before.get(pid, 0.0) for pid in after if pid != master.pid]
    total = sum(used)
    return max(used) / total if total > 0 else 1.0


def run_wrk(host: str, plan: list[tuple[str, str]], connections: int, threads: int, seconds: int,
            master: subprocess.Popen, name: str, workdir: Path, think_ms: int = 0,
            databases: frozenset[str] = frozenset(), proxy: subprocess.Popen | None = None) -> Figures:
    plan_file = workdir / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.tsv"
    plan_file.write_text("".join(f"{path}\t{cookie}\n" for path, cookie in plan), encoding="utf-8")
    before_cpu, before_self = server_cpu(master), resource.getrusage(resource.RUSAGE_CHILDREN)
    before_database, before_proxy = database_cpu(databases), _proxy_cpu(proxy)
    started = time.perf_counter()
    figures = wrk(host, plan_file, connections=connections, threads=threads, seconds=seconds, think_ms=think_ms)
    wall = time.perf_counter() - started
    after_cpu, after_self = server_cpu(master), resource.getrusage(resource.RUSAGE_CHILDREN)
    database = database_cpu(databases) - before_database
    front = _proxy_cpu(proxy) - before_proxy
    served = max(1, figures["requests"])
    wrk_cpu = (after_self.ru_utime - before_self.ru_utime) + (after_self.ru_stime - before_self.ru_stime)
    server = sum(after_cpu.values()) - sum(before_cpu.values())
    return Figures(
        scenario=name, requests=figures["requests"], seconds=figures["duration_us"] / 1e6,
        errors=figures["non_2xx"] + figures["socket_errors"] + figures["timeouts"],
        p50=figures["p50_us"] / 1000, p95=figures["p95_us"] / 1000, p99=figures["p99_us"] / 1000,
        server_cpu_ms=server * 1000 / served, proxy_cpu_ms=front * 1000 / served, wrk_cpu_share=wrk_cpu / wall,
        database_cpu_ms=database * 1000 / served, cores_busy=(server + database + front + wrk_cpu) / wall,
        busiest=busiest_share(master, before_cpu, after_cpu),
    )


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    return match.group(1) if match else ""


def _cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def officer_plan(host: str, officers: list[str], count: int) -> list[tuple[str, str]]:
    plan = []
    for index in range(count):
        session = requests.Session()
        page = session.get(f"{host}/login/officer").text
        session.post(f"{host}/login/officer", data={
            "username": officers[index % len(officers)], "password": "demo-password", "csrf_token": _csrf(page)})
        check = session.get(f"{host}/officer/queues/all", allow_redirects=False)
        if check.status_code != 200:
            raise SystemExit(f"officer sign-in failed: queue answered {check.status_code}")
        plan.append(("/officer/queues/all", _cookie_header(session)))
    return plan


def citizen_plan(host: str, citizens: list[str], count: int) -> list[tuple[str, str]]:
    plan = []
    for personal_id in citizens[:count]:
        session = requests.Session()
        page = session.get(f"{host}/login/citizen").text
        session.post(f"{host}/login/citizen", data={
            "personal_id": personal_id, "password": "vneid-demo", "csrf_token": _csrf(page)})
        response = session.get(f"{host}/procedures/{PROCEDURE}/apply")
        match = _STEP.search(response.url)
        if not match:
            raise SystemExit(f"no draft step for citizen {personal_id}: landed on {response.url}")
        plan.append((match.group(0), _cookie_header(session)))
    return plan


#: The signed-in floor (bench.floor_app) each signed-in scenario stands on.
FLOORS = {"officer-floor": "officer-queue", "citizen-floor": "form-step"}
#: In the order they run: each floor right after its path.
SCENARIOS = ("tracking-api", "tracking-page", "officer-queue", "officer-floor", "form-step", "citizen-floor")


def on_floor(plan: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The same signed-in sessions (the path's, when it ran), each asking for the signed-in floor
    page instead."""
    return [(FLOOR_PATH, cookie) for _path, cookie in plan]


def floor_shares(found: dict[str, Figures]) -> list[str]:
    """For each signed-in path run with its floor (``found``: each scenario's figures by its name):
    how much of its CPU (server + database) a request the floor takes, and the wait the floor alone
    gives at this many connections."""
    lines = []
    for floor, path in FLOORS.items():
        if floor in found and path in found:
            base, page = found[floor], found[path]
            base_ms, page_ms = base.server_cpu_ms + base.database_cpu_ms, page.server_cpu_ms + page.database_cpu_ms
            lines.append(
                f"- {path}: {page_ms:.2f} CPU ms a request (server + database), of which the signed-in floor "
                f"({floor}: the session, the person, the layout, the commit) {base_ms:.2f} ({base_ms / page_ms:.0%}); "
                f"the floor alone: {base.rps:,.0f} req/s, p50 / p95 {base.p50:.1f} / {base.p95:.1f} ms "
                f"(the path: {page.p50:.1f} / {page.p95:.1f} ms)")
    return lines


def markdown(rows: list[tuple[Figures, Figures]], proxied: bool = False) -> str:
    nginx = " nginx CPU ms/req |" if proxied else ""
    lines = ["| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/req | database CPU ms/req |"
             f"{nginx} wrk CPU | cores busy | bare req/s | bare CPU ms/req (server + database) | ratio to bare "
             "| busiest worker (bare / scenario) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if proxied else "") + "---:|---:|---:|---:|---:|---:|"]
    for bare, row in rows:
        lines.append(
            f"| {row.scenario} | {row.rps:,.0f} | {row.p50:.1f} | {row.p95:.1f} | {row.p99:.1f} | {row.errors} "
            f"| {row.server_cpu_ms:.2f} | {row.database_cpu_ms:.2f} |{f' {row.proxy_cpu_ms:.2f} |' if proxied else ''}"
            f" {row.wrk_cpu_share:.0%} | {row.cores_busy:.2f} "
            f"| {bare.rps:,.0f} | {bare.server_cpu_ms:.2f} + {bare.database_cpu_ms:.2f} "
            f"| {row.rps / bare.rps:.2f} | {bare.busiest:.0%} / {row.busiest:.0%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/bench_wrk/portal.db")
    parser.add_argument("--registry-url", default="sqlite:////tmp/bench_wrk/register.db")
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--register", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (gthread)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, metavar="SCENARIO",
                        help="scenarios, of: " + " ".join(SCENARIOS))
    parser.add_argument("--label", default="", help="names the result file: bench/results/wrk_load-<label>.md")
    parser.add_argument("--soak", type=int, default=0,
                        help="seconds of all four paths mixed after the scenarios, workers' memory read each minute")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bare-path", default="/healthz", choices=("/healthz", SHAPED_PATH),
                        help="the bare endpoint each scenario is compared with: /healthz (two words of JSON) or "
                             f"{SHAPED_PATH} (the tracking API's answer from memory, as issue 19 defines the bare "
                             "endpoint)")
    parser.add_argument("--think-ms", type=int, default=0,
                        help="each connection of a scenario (not the bare endpoint) waits 0.5-1.5 x this between "
                             "requests, as people reading pages do; 0 (default): closed loop, no pause")
    parser.add_argument("--front", choices=("auto", "nginx", "none"), default="auto",
                        help="nginx in front of gunicorn with deploy/nginx/portal-proxy.conf, as in production, or "
                             "wrk straight at gunicorn; auto (default): nginx with --think-ms, none without (see above)")
    args = parser.parse_args(argv)
    proxied = args.front == "nginx" or (args.front == "auto" and args.think_ms > 0)
    if proxied and NGINX is None:
        parser.error("nginx in front (--front nginx, or --think-ms with --front auto) needs nginx: "
                     "apt-get install nginx-light, or pass --front none")

    env = {**os.environ, "DATABASE_URL": args.database_url, "REGISTRY_DATABASE_URL": args.registry_url,
           "PORTAL_ENV": "production", "SESSION_COOKIE_SECURE": "0", "SECRET_KEY": "bench-load-secret",
           "RATELIMIT_ENABLED": "0", "REGISTRY_CLIENT": "sql", "PYTHONPATH": str(ROOT)}
    data = prepare(args)
    databases = frozenset(make_url(url).database for url in (args.database_url, args.registry_url)
                          if make_url(url).get_backend_name() == "postgresql")
    workdir = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    rng = random.Random(args.seed)
    codes = data["codes"]
    print(f"machine:    {machine()}")
    print(f"setup:      gunicorn {args.workers} workers × {args.threads} threads, wrk {args.wrk_threads} thread(s), "
          f"{args.connections} connections, {args.seconds} s per run, {args.dossiers:,} dossiers, "
          f"{args.register:,} register citizens, {args.database_url.split(':')[0]}")

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = start_server(port, env, args.workers, args.threads)
    proxy: subprocess.Popen | None = None
    rows: list[tuple[Figures, Figures]] = []
    by_name: dict[str, Figures] = {}  # each scenario's figures, by its name (not its label, which tells the pause)
    memory: list[tuple[str, list[int]]] = []
    try:
        wait_for(f"{host}/healthz")
        if proxied:
            front_port = free_port()
            proxy = start_nginx(workdir, front_port, port)
            host = f"http://127.0.0.1:{front_port}"
            wait_for(f"{host}/healthz", 30, proxy, workdir / "nginx.log")
        scenarios = {
            "tracking-api": lambda: [(f"/api/v1/tracking/{code}", "") for code in rng.sample(codes, len(codes))],
            "tracking-page": lambda: [(f"/track?code={code}", "") for code in rng.sample(codes, len(codes))],
            "officer-queue": lambda: officer_plan(host, data["officers"], args.connections),
            "officer-floor": lambda: on_floor(plans.get("officer-queue")
                                              or officer_plan(host, data["officers"], args.connections)),
            "form-step": lambda: citizen_plan(host, data["citizens"], args.connections),
            "citizen-floor": lambda: on_floor(plans.get("form-step")
                                              or citizen_plan(host, data["citizens"], args.connections)),
        }
        bare_plan = [(args.bare_path, "")]
        plans: dict[str, list[tuple[str, str]]] = {}
        # Warm both workers up (imports, templates, catalogs) before measuring anything.
        run_wrk(host, bare_plan, args.connections, args.wrk_threads, 2, server, "warm-up", workdir, databases=databases,
                proxy=proxy)
        for name, build in scenarios.items():
            if args.only and name not in args.only:
                continue
            plan = plans[name] = build()
            run_wrk(host, plan, args.connections, args.wrk_threads, 2, server, f"{name} warm-up", workdir,
                    databases=databases, proxy=proxy)
            label = f"{name} (think {args.think_ms} ms)" if args.think_ms else name
            tries: list[tuple[Figures, Figures]] = []
            for _attempt in range(BALANCE_TRIES):  # again while a run fell on one worker (see busiest_share)
                bare = run_wrk(host, bare_plan, args.connections, args.wrk_threads, args.seconds, server, "bare", workdir,
                               databases=databases, proxy=proxy)
                row = run_wrk(host, plan, args.connections, args.wrk_threads, args.seconds, server, label, workdir,
                              think_ms=args.think_ms, databases=databases, proxy=proxy)
                tries.append((bare, row))
                # With pauses, a few requests a second leave the machine nearly idle: which worker serves
                # them costs nothing (and behind nginx one or two kept-alive connections carry them all).
                if args.think_ms or max(bare.busiest, row.busiest) <= BALANCED:
                    break
                print(f"  {name}: one worker took {max(bare.busiest, row.busiest):.0%} of the CPU, run again", flush=True)
            bare, row = min(tries, key=lambda pair: max(pair[0].busiest, pair[1].busiest))
            rows.append((bare, row))
            by_name[name] = row
            print(f"  {name}: {row.rps:,.0f} req/s, p99 {row.p99:.1f} ms, {row.server_cpu_ms:.2f} CPU ms/req "
                  f"+ {row.database_cpu_ms:.2f} database, {row.cores_busy:.2f} cores busy, ratio {row.rps / bare.rps:.2f} (bare {bare.rps:,.0f} req/s; busiest worker "
                  f"{bare.busiest:.0%} / {row.busiest:.0%} of the CPU)", flush=True)
        mixed = [item for name, plan in plans.items() if name not in FLOORS for item in plan]
        if args.soak and mixed:
            rng.shuffle(mixed)
            memory.append(("before the soak", worker_memory(server)))
            for minute in range(0, args.soak, 60):
                span = min(60, args.soak - minute)
                soak = run_wrk(host, mixed, args.connections, args.wrk_threads, span, server, "soak", workdir,
                               databases=databases, proxy=proxy)
                memory.append((f"soak, after {minute + span} s ({soak.rps:,.0f} req/s, {soak.errors} errors)",
                               worker_memory(server)))
                print(f"  {memory[-1][0]}: " + ", ".join(f"{kib / 1024:.0f} MiB" for kib in memory[-1][1]), flush=True)
    finally:
        stop_all(proxy, server)

    table = markdown(rows, proxied)
    shares = floor_shares(by_name)
    text_report = "\n".join([
        f"Machine: {machine()}",
        f"Setup: gunicorn {args.workers} workers × {args.threads} threads (gthread), wrk {args.wrk_threads} "
        f"thread(s) × {args.connections} connections, {args.seconds} s per run, each scenario right after a run "
        f"of the bare endpoint ({args.bare_path}); {args.database_url.split(':')[0]}; {args.dossiers:,} dossiers, "
        f"{args.register:,} register citizens"
        f"{f'; each scenario connection pauses 0.5–1.5 × {args.think_ms} ms between requests (not the bare runs, so the ratio does not compare like with like)' if args.think_ms else ''}"
        f"{'; wrk talks to nginx in front of gunicorn as README shows it (bench.common.nginx_conf: its upstream block and deploy/nginx/portal-proxy.conf), for the bare runs too' if proxied else ''}"
        f". Server CPU = gunicorn processes' user+system time ÷ requests "
        f"answered; database CPU = the same of the PostgreSQL backends of the portal's and the register's databases (0 on SQLite, "
        f"whose work is in the workers' time); wrk CPU = wrk's CPU time ÷ wall time (100% = one core); cores busy "
        f"= server + database {'+ nginx ' if proxied else ''}+ wrk CPU time ÷ wall time: at {os.cpu_count()} (this machine's cores) the run was "
        f"bound by the CPU, and with {args.connections} connections and no pause each request then waits about "
        f"{args.connections} × (server + database {'+ nginx ' if proxied else ''}+ wrk CPU per request) ÷ {os.cpu_count()} (Little's law); busiest worker = its share of the "
        f"workers' CPU time (50% = even; a pair of runs without pauses is made again, up to {BALANCE_TRIES} times, "
        f"while one of them is over {BALANCED:.0%}).", "", table,
        *(["", "What every signed-in page costs before its own content (bench.floor_app's /bench/signed-in-floor):",
           *shares] if shares else []),
        *(["", "Memory per gunicorn worker (RSS) over the soak:"] if memory else []),
        *(f"- {label}: " + ", ".join(f"{kib / 1024:.0f} MiB" for kib in sizes) for label, sizes in memory),
    ])
    print(text_report)
    for bare, row in rows:
        report(f"wrk {row.scenario}", f"{row.rps:,.0f} req/s ({row.rps / bare.rps:.2f}× bare {args.bare_path}), "
               f"p95 {row.p95:.1f} ms, p99 {row.p99:.1f} ms, {row.server_cpu_ms:.2f} server CPU ms/req, {row.errors} errors")
    RESULTS.mkdir(exist_ok=True)
    name = f"wrk_load-{args.label}.md" if args.label else "wrk_load.md"
    (RESULTS / name).write_text(text_report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
