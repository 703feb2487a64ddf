"""pyinstrument profiles of the hot paths, in process (issue 19).

    python -m bench.profile_hot_paths --label before      # bench/results/profile-<path>-before.md (--html too)
    python -m bench.profile_hot_paths --cpu               # CPU ms a request, no profiler, best of 5 rounds
    python -m bench.profile_hot_paths --cpu --gap-ms 500  # the same with the process idle between requests
    python -m bench.profile_hot_paths --instructions      # instructions a request, counted by valgrind
    python -m bench.profile_hot_paths --ladder            # CPU ms from the bare endpoint up to a signed-in page

Uses the databases :mod:`bench.wrk_load` builds (``--database-url``, ``--registry-url``), a
Flask test client and ``--requests`` requests per path: tracking API, tracking page, officer
queue first page (signed in as ``intake1``) and a form step with register prefill (a citizen
of the register signed in through the mock VNeID, with a draft of procedure 1.004194).
"""
from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.common import machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_STEP = re.compile(r"/apply/[0-9a-f]{32}/steps/[\w-]+")
PATHS = ("tracking-api", "tracking-page", "officer-queue", "form-step")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/bench_wrk/portal.db")
    parser.add_argument("--registry-url", default="sqlite:////tmp/bench_wrk/register.db")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--label", default="before")
    parser.add_argument("--html", action="store_true", help="also write the interactive HTML profiles")
    parser.add_argument("--only", nargs="*", choices=("bare", *PATHS), help="paths: tracking-api tracking-page officer-queue form-step, and bare "
                        "(/healthz, the floor every path stands on; measured first by --instructions)")
    parser.add_argument("--gap-ms", type=float, default=0,
                        help="with --cpu: the process sleeps this long before each request, as a server at a few "
                             "requests a second does (only the requests' own CPU time is counted)")
    parser.add_argument("--cpu", action="store_true", help="no profile: print each path's process CPU ms a request "
                        "(best of 5 rounds of --requests), to compare code or interpreters in one process's terms; "
                        "it counts the test client's own work too, and the database's on SQLite but not PostgreSQL's, "
                        "and repeats the same requests warm, so compare it only with itself, not with wrk's figures")
    parser.add_argument("--instructions", action="store_true", help="no profile: count each path's instructions a "
                        "request with valgrind's callgrind (Debian's valgrind package), the same to 0.3 %% from run to "
                        "run whatever the machine's speed, so a change of a few per cent shows; the server process's "
                        "instructions only (the test client's included, the database's not); about 40 s a path")
    parser.add_argument("--ladder", action="store_true", help="no profile: CPU ms a request (as --cpu) of each rung "
                        "from the bare endpoint to a signed-in page (bench.floor.LADDER: the layout, a statement in "
                        "and outside a transaction, being signed in, the signed-in floor), then the form step and the "
                        "officer queue; written to bench/results/ladder-<label>.md")
    parser.add_argument("--count-inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 1 and not args.count_inside:
        parser.error("--requests must be at least 1")
    if args.instructions and not args.count_inside:
        _count_instructions(args, argv if argv is not None else sys.argv[1:])
        return
    os.environ.update({"REGISTRY_DATABASE_URL": args.registry_url, "REGISTRY_CLIENT": "sql"})

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": True, "TESTING": False, "REGISTRY_DATABASE_URL": args.registry_url,
                      "REGISTRY_CLIENT": "sql"})
    if args.ladder:
        from bench.floor import add_ladder

        add_ladder(app)
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT code FROM dossiers WHERE code IS NOT NULL LIMIT 500")).scalars().all()
    registry = create_engine(args.registry_url)
    with registry.connect() as conn:
        citizen = conn.execute(text("SELECT personal_id FROM register_people WHERE date_of_birth < '1990-01-01' LIMIT 1")).scalar_one()

    def csrf(client, path: str) -> str:
        match = _CSRF.search(client.get(path).get_data(as_text=True))
        return match.group(1) if match else ""

    anonymous = app.test_client()
    officer = app.test_client()
    officer.post("/login/officer", data={"username": "intake1", "password": "demo-password",
                                         "csrf_token": csrf(officer, "/login/officer")})
    citizen_client = app.test_client()
    citizen_client.post("/login/citizen", data={"personal_id": citizen, "password": "vneid-demo",
                                                "csrf_token": csrf(citizen_client, "/login/citizen")})
    landed = citizen_client.get("/procedures/1.004194/apply", follow_redirects=True)
    step = _STEP.search(landed.request.path)
    paths = {
        # The floor every path stands on (wrk_load's bare endpoint): only with --only or --instructions.
        "bare": (anonymous, lambda i: "/healthz"),
        "tracking-api": (anonymous, lambda i: f"/api/v1/tracking/{codes[i % len(codes)]}"),
        "tracking-page": (anonymous, lambda i: f"/track?code={codes[i % len(codes)]}"),
        "officer-queue": (officer, lambda i: "/officer/queues/all"),
        "form-step": (citizen_client, lambda i: step.group(0)),
    }
    RESULTS.mkdir(exist_ok=True)
    if args.cpu or args.instructions or args.ladder:
        print(f"machine: {machine()}")
    if args.ladder:
        _ladder(args, {"anonymous": anonymous, "citizen": citizen_client, "officer": officer},
                [("form-step", *paths["form-step"]), ("officer-queue", *paths["officer-queue"])])
        return
    for name, (client, path) in paths.items():
        if (args.only and name not in args.only) or (not args.only and name not in PATHS):
            continue
        _warm(client, path, name)
        if args.count_inside:
            # Frozen, as wsgi.py freezes the heap after start-up (here after the warm-up too): otherwise
            # whether a full collection of the whole heap falls among the counted requests depends on
            # everything allocated before (moving one import put 1.6 million instructions, a quarter,
            # on every tracking page). --cpu and the profiles run unfrozen, as earlier passes did.
            gc.collect()
            gc.freeze()
            _counted(client, path, args.requests)
            continue
        if args.cpu:
            gap = f", {args.gap_ms:g} ms idle before each" if args.gap_ms else ""
            print(f"{name}: {_cpu_ms(client, path, args.requests, args.gap_ms / 1000):.3f} CPU ms a request "
                  f"(in process, best of 5{gap})")
            continue
        from pyinstrument import Profiler  # only for profiles: --cpu runs without it

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for i in range(args.requests):
            client.get(path(i))
        profiler.stop()
        # Markdown (a fenced block): bench/results/*.txt is ignored by git, these are kept.
        (RESULTS / f"profile-{name}-{args.label}.md").write_text(
            "```\n" + profiler.output_text(unicode=True, color=False, show_all=False) + "```\n", encoding="utf-8")
        if args.html:
            (RESULTS / f"profile-{name}-{args.label}.html").write_text(profiler.output_html(), encoding="utf-8")
        session = profiler.last_session
        print(f"{name}: {session.duration * 1000 / args.requests:.2f} ms per request (wall, in process, profiled)")


def _warm(client, path, name: str) -> None:
    """20 requests first (imports, templates, plans), each answered 200."""
    for i in range(20):
        answer = client.get(path(i))
        assert answer.status_code == 200, (name, path(i), answer.status_code, answer.headers.get("Location"))


def _ladder(args: argparse.Namespace, clients: dict, pages: list[tuple]) -> None:
    """Each rung of :data:`bench.floor.LADDER`, then ``pages`` (name, client, path), warm, as --cpu."""
    from bench.floor import LADDER

    rungs = [(f"{path} ({who})", what, clients[who], lambda i, path=path: path) for path, who, what in LADDER]
    rungs += [(name, "the path", client, path) for name, client, path in pages]
    lines = ["| rung | what it adds | CPU ms a request |", "|---|---|---:|"]
    for name, what, client, path in rungs:
        _warm(client, path, name)
        figure = _cpu_ms(client, path, args.requests)
        lines.append(f"| {name} | {what} | {figure:.3f} |")
        print(f"{name}: {figure:.3f} CPU ms a request", flush=True)
    text = (f"Machine: {machine()}\nIn process (Flask's test client, whose own work is counted too), {args.requests} "
            f"requests a round, best of 5 rounds, process CPU time; the database's own CPU is not counted "
            f"({args.database_url.split(':')[0]}).\n\n" + "\n".join(lines) + "\n")
    (RESULTS / f"ladder-{args.label}.md").write_text(text, encoding="utf-8")


def _cpu_ms(client, path, requests: int, gap: float = 0.0) -> float:
    """Best of 5 rounds; with ``gap`` (seconds), the process sleeps before each request (the sleep's
    own CPU is not counted): a server at a few requests a second runs on a processor gone cold."""
    best = float("inf")
    for _round in range(5):
        failed, used = 0, 0.0
        for i in range(requests):
            if gap:
                time.sleep(gap)
            started = time.process_time()
            failed += client.get(path(i)).status_code != 200
            used += time.process_time() - started
        best = min(best, used)
        if failed:
            raise SystemExit(f"{failed} of {requests} requests did not answer 200: the figure would not be the path's")
    return best * 1000 / requests


def _count_instructions(args: argparse.Namespace, argv: list[str]) -> None:
    """Each path in a process of its own under callgrind, counting only while its requests run
    (the set-up, the imports and the warm-up are not counted): instructions ÷ requests. What
    switching the counting on and off costs is counted once with no request and taken off."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    print(f"machine: {machine()}")
    forwarded = list(argv)  # --instructions too: with --count-inside a process counts, it does not start another
    switching = _instructions(forwarded, "bare", 0)
    print(f"switching the counting on and off: {switching:,} instructions (taken off each path's count)", flush=True)
    counts = {}
    for name in args.only or ("bare", *PATHS):
        counts[name] = (_instructions(forwarded, name, args.requests) - switching) / args.requests
        versus = f", {counts[name] / counts['bare']:.2f} × the bare endpoint's" if "bare" in counts and name != "bare" else ""
        print(f"{name}: {counts[name]:,.0f} instructions a request{versus} (callgrind, {args.requests} requests)", flush=True)


def _instructions(forwarded: list[str], name: str, requests: int) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        out = Path(workdir) / "callgrind.out"
        ran = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             f"--log-file={Path(workdir) / 'valgrind.log'}", sys.executable, "-m", "bench.profile_hot_paths",
             *forwarded, "--count-inside", "--only", name, "--requests", str(requests)],
            cwd=ROOT, capture_output=True, text=True)
        if ran.returncode != 0:
            raise SystemExit(f"{name}: the counted run failed:\n" + "\n".join(ran.stderr.splitlines()[-15:]))
        return int(re.search(r"^totals:\s+(\d+)", out.read_text(), re.MULTILINE).group(1))


def _counted(client, path, requests: int) -> None:
    """Inside callgrind: switch its counting on for the requests, and off after them."""
    def instrument(state: str) -> None:
        subprocess.run(["callgrind_control", "--instr=" + state, str(os.getpid())], check=True, capture_output=True)

    instrument("on")
    failed = sum(client.get(path(i)).status_code != 200 for i in range(requests))
    instrument("off")
    if failed:
        raise SystemExit(f"{failed} of {requests} requests did not answer 200: the figure would not be the path's")


if __name__ == "__main__":
    main()
