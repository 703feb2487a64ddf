"""The same measures at 10,000, 100,000 and 1,000,000 dossiers (issue 10): does anything grow?

    python -m bench.growth                       # PostgreSQL databases bench_growth_<size>
    python -m bench.growth --sizes 10000 100000  # fewer sizes

For each size a database is filled by :mod:`bench.dossier_data` (reused when it already holds
that many), then, through the app in this process (no HTTP, no other load, so the database
work is what is measured):

- tracking by code (``GET /api/v1/tracking/<code>``), random codes;
- an intake officer's queue, first page, with a filter and the earliest due first;
- the statistics JSON for one agency and one year (``GET /api/v1/stats``).

Lookups and queue pages must stay flat as the table grows (indexes); statistics must grow
less than the data (or not at all, from summaries).
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import machine, percentile, report
from bench.dossier_data import ensure_dossiers
from portal import create_app
from portal.extensions import db
from portal.registry.store import ensure_database

REGISTRY_URL = "postgresql+psycopg:///bench_registry"


def timed(call, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    return sorted(timings)


def measure(url: str, rounds: int) -> dict[str, list[float]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REGISTRY_DATABASE_URL": REGISTRY_URL,
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        codes = db.session.execute(text("SELECT code FROM dossiers WHERE code IS NOT NULL ORDER BY random() LIMIT 2000")).scalars().all()
        agency = db.session.execute(text(
            "SELECT a.code FROM agencies a JOIN users u ON u.agency_id = a.id WHERE u.username = 'intake1'")).scalar_one()
        db.session.remove()
    client = app.test_client()
    client.post("/login/officer", data={"username": "intake1", "password": "demo-password"})
    year = date.today().year
    checks = {
        "tracking by code": lambda: client.get(f"/api/v1/tracking/{random.choice(codes)}"),
        "queue, first page": lambda: client.get("/officer/queues/all", query_string={"deadline": random.choice(["", "overdue", "at_risk"])}),
        "statistics, one agency, one year": lambda: client.get(
            "/api/v1/stats", query_string={"from": f"{year - 1}-01-01", "to": f"{year - 1}-12-31", "agency": agency}),
    }
    for check in checks.values():  # warm the templates, caches and the connection pool
        for _ in range(20):
            check()
    results = {name: timed(check, rounds if "statistics" not in name else max(5, rounds // 20))
               for name, check in checks.items()}
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--database-url", default="postgresql+psycopg:///bench_dossiers_{size}",
                        help="{size} is replaced by the number of dossiers")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    ensure_database(REGISTRY_URL)

    table: dict[int, dict[str, list[float]]] = {}
    for size in args.sizes:
        url = args.database_url.format(size=size)
        if make_url(url).get_backend_name() == "postgresql":
            ensure_database(url)
        started = time.perf_counter()
        ensure_dossiers(url, size, seed=args.seed)
        print(f"{size:>9,} dossiers ready in {time.perf_counter() - started:.0f} s")
        table[size] = measure(url, args.rounds)

    print(f"machine: {machine()}")
    names = list(next(iter(table.values())))
    print(f"{'p50 / p95 ms':<36}" + "".join(f"{size:>20,}" for size in table))
    for name in names:
        cells = "".join(f"{percentile(t[name], 0.5):>11.1f} / {percentile(t[name], 0.95):<6.1f}" for t in table.values())
        print(f"{name:<36}{cells}")
    smallest, largest = min(table), max(table)
    for name in names:
        ratio = percentile(table[largest][name], 0.95) / percentile(table[smallest][name], 0.95)
        report(f"{name}, p95 at {smallest:,} → {largest:,} dossiers",
               f"{percentile(table[smallest][name], 0.95):.1f} → {percentile(table[largest][name], 0.95):.1f} ms "
               f"(× {ratio:.1f} for × {largest // smallest} data)", "flat" if "statistics" not in name else "sub-linear")


if __name__ == "__main__":
    main()
