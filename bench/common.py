"""What every benchmark prints alongside its figures (the machine, percentiles); gunicorn, wrk, and
nginx in front of gunicorn as production serves the portal."""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path


def machine() -> str:
    """CPU model, cores, Python and load: what the figures were measured on."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    # The load average says whether other work shared the cores while measuring.
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}, {interpreter()}), {platform.system()} {platform.release()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def interpreter() -> str:
    """Which build of Python ran, as far as the process can tell: the same code cost 10–27 % more
    CPU on pyenv's default build (no profile-guided optimisation, the executable calling a shared
    libpython) than on Debian's (PGO and LTO, libpython linked in), so the figures say which one
    they were measured on."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            linked = "libpython shared" if any("libpython" in line for line in maps) else \
                "libpython linked into the executable"
    except OSError:  # not Linux
        linked = "libpython: not known here"
    # Debian builds with PGO and LTO and keeps those flags out of sysconfig (its changelog), so
    # only a configure line that asks for them says anything.
    configured = sysconfig.get_config_var("CONFIG_ARGS") or ""
    optimised = "configure --enable-optimizations" if "--enable-optimizations" in configured else \
        "PGO/LTO not stated by its configure line"
    return f"{os.path.realpath(sys.executable)}, {linked}, {optimised}"


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values; ``share`` in 0–1 (0.95 for p95)."""
    rank = max(1, -(-int(round(share * 1000)) * len(sorted_values) // 1000))
    return sorted_values[min(len(sorted_values), rank) - 1]


def report(measure: str, figure: str, target: str = "") -> None:
    """One line of the summary table: ``bench.run_all`` collects these from every benchmark."""
    print(f"result: {measure} | {figure} | {target}")


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # gunicorn of the Python running the benchmark
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"


def start_gunicorn(port: int, app: str, *, workers: int, threads: int,
                   env: dict[str, str] | None = None) -> subprocess.Popen:
    """gunicorn (gthread) serving ``app`` on the loopback ``port``, as the benchmarks measure it.

    max-requests 0: no worker restarts mid-run (they would reset the CPU accounting). reuse-port:
    each worker listens on a socket of its own and the kernel shares the connections out between
    them; on one shared socket, whichever worker accepted first took most of wrk's 32 kept-alive
    connections in about half the runs, and the run measured one core."""
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--max-requests", "0", "--reuse-port", "--bind", f"127.0.0.1:{port}",
         # BENCH_ACCESS_LOG=<file>: each request with its time in microseconds (%(D)s), to find slow ones.
         "--access-logfile", os.environ.get("BENCH_ACCESS_LOG") or "/dev/null",
         "--access-logformat", '%(t)s %(p)s "%(r)s" %(s)s %(D)s',
         "--log-level", "warning", app],
        env=env, cwd=ROOT, start_new_session=True,
    )


def wrk(url: str, plan: Path, *, connections: int, threads: int, seconds: int, think_ms: int = 0) -> dict:
    """wrk with ``bench/wrk.lua`` against ``url``, each request the next line of ``plan``
    (``<path>\t<cookie>``): the figures of the line ``WRK_JSON {…}`` it prints."""
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(WRK_SCRIPT), url],
        env={**os.environ, "PLAN": str(plan), "THINK_MS": str(think_ms)}, capture_output=True, text=True, check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


#: nginx's executable (Debian: apt-get install nginx-light), or None.
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")

_NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    {cache_path}
    upstream portal_app {{ server 127.0.0.1:{app_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        {cache}
        include {root}/deploy/nginx/portal-proxy.conf;
    }}
}}
"""


def nginx_conf(work: Path, port: int, app_port: int, *, public_cache: bool = False) -> str:
    """nginx's configuration on the loopback ``port``, in front of gunicorn on ``app_port`` as
    README's "Running on PostgreSQL with gunicorn" shows (the upstream block, then the repository's
    ``deploy/nginx/portal-proxy.conf``), its files in ``work``; ``public_cache`` adds
    ``portal-public-cache.conf``, which keeps public answers (a benchmark of the portal leaves it
    out: nginx would answer tracking instead). Run as root, its workers stay root, so they can
    write to ``work``."""
    return _NGINX_CONF.format(
        user="user root;" if os.geteuid() == 0 else "", work=work, port=port, app_port=app_port, root=ROOT,
        cache_path=(f"proxy_cache_path {work}/cache levels=1:2 keys_zone=portal_public:10m max_size=100m "
                    "inactive=10m;") if public_cache else "",
        cache=f"include {ROOT}/deploy/nginx/portal-public-cache.conf;" if public_cache else "",
    )


def start_nginx(work: Path, port: int, app_port: int, *, public_cache: bool = False) -> subprocess.Popen:
    """nginx with :func:`nginx_conf`, in the foreground; what it says goes to ``work/nginx.log``."""
    if NGINX is None:
        raise RuntimeError("needs nginx (Debian: apt-get install nginx-light)")
    conf = work / "nginx.conf"
    conf.write_text(nginx_conf(work, port, app_port, public_cache=public_cache), encoding="utf-8")
    with (work / "nginx.log").open("w") as log:
        return subprocess.Popen([NGINX, "-p", str(work), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=log,
                                start_new_session=True)
