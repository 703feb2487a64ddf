"""Where the p99 of a run with pauses comes from (issue 19, twelfth pass): an app that answers at
once, served by gunicorn as ``bench.wrk_load`` serves the portal (2 workers × 4 threads, gthread),
with 32 connections that each pause 1–3 s between requests.

    python -m bench.think_time_tail            # 60 s a run; --seconds to change

1. wrk straight at gunicorn, then wrk through nginx (``bench.common.nginx_conf``, as production);
2. a Python client straight at gunicorn that opens its connections, pauses, and times the first
   request of each connection apart from the later ones.

gunicorn's gthread worker gives a new connection a thread, which waits up to 5 s for its first
bytes; wrk (and the client) connect and then pause, so a connection's first request can wait for
a thread held by another idle connection. nginx opens its connections to gunicorn only to send a
request. Writes ``bench/results/think_time_tail.md``.
"""
from __future__ import annotations

import argparse
import random
import socket
import tempfile
import threading
import time
from pathlib import Path

from bench.common import NGINX, ROOT, machine, percentile, report, start_gunicorn, start_nginx, wrk
from bench.load import free_port, stop_all, wait_for

RESULTS = ROOT / "bench" / "results"
CONNECTIONS, THINK_MS = 32, 2000


def app(environ, start_response):
    """The WSGI app that answers at once."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def _wrk(url: str, seconds: int, workdir: Path) -> dict:
    plan = workdir / "plan.tsv"
    plan.write_text("/\t\n", encoding="utf-8")
    return wrk(url, plan, connections=CONNECTIONS, threads=1, seconds=seconds, think_ms=THINK_MS)


def _client(port: int, seconds: int) -> tuple[list[float], list[float]]:
    """Milliseconds of each connection's first request, and of the later ones."""
    first: list[float] = []
    later: list[float] = []
    lock = threading.Lock()

    def connection(n: int) -> None:
        rng = random.Random(n)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            end, number = time.monotonic() + seconds, 0
            while time.monotonic() < end:
                time.sleep(THINK_MS / 1000 * (0.5 + rng.random()))
                started = time.monotonic()
                sock.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
                answer = b""
                while not answer.endswith(b"ok"):
                    answer += sock.recv(4096)
                with lock:
                    (first if number == 0 else later).append((time.monotonic() - started) * 1000)
                number += 1

    threads = [threading.Thread(target=connection, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(first), sorted(later)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args(argv)
    if NGINX is None:
        parser.error("needs nginx: apt-get install nginx-light")
    workdir = Path(tempfile.mkdtemp(prefix="bench-tail-"))
    port, front = free_port(), free_port()
    server = start_gunicorn(port, "bench.think_time_tail:app", workers=2, threads=4)  # as bench.wrk_load does
    proxy = None
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        proxy = start_nginx(workdir, front, port)
        wait_for(f"http://127.0.0.1:{front}/", 30, proxy, workdir / "nginx.log")
        straight = _wrk(f"http://127.0.0.1:{port}", args.seconds, workdir)
        behind = _wrk(f"http://127.0.0.1:{front}", args.seconds, workdir)
        first, later = _client(port, args.seconds)
    finally:
        stop_all(proxy, server)

    def wrk_row(name: str, figures: dict) -> str:
        return (f"| {name} | {figures['requests']:,} | {figures['p50_us'] / 1000:.1f} | {figures['p95_us'] / 1000:.1f} "
                f"| {figures['p99_us'] / 1000:.1f} | {figures['max_us'] / 1000:.1f} |")

    def client_row(name: str, values: list[float]) -> str:
        return (f"| {name} | {len(values):,} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} "
                f"| {percentile(values, 0.99):.1f} | {values[-1]:.1f} |")

    text = "\n".join([
        f"Machine: {machine()}",
        f"Setup: an app that answers at once; gunicorn 2 workers × 4 threads (gthread); {CONNECTIONS} connections, "
        f"each pausing 0.5–1.5 × {THINK_MS} ms before every request (the first too), {args.seconds} s a run.",
        "", "| run | requests | p50 ms | p95 ms | p99 ms | worst ms |", "|---|---:|---:|---:|---:|---:|",
        wrk_row("wrk straight at gunicorn", straight), wrk_row("wrk through nginx", behind),
        client_row("client straight at gunicorn: each connection's first request", first),
        client_row("client straight at gunicorn: the later requests", later),
    ])
    print(text)
    report("think-time tail, p99 straight at gunicorn / through nginx",
           f"{straight['p99_us'] / 1000:.1f} / {behind['p99_us'] / 1000:.1f} ms")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "think_time_tail.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
