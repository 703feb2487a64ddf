"""How long generating the mock population register takes, and how big it gets (issue 2).

    python -m bench.registry_generate --count 1000000
    python -m bench.registry_generate --count 1000000 --database-url postgresql+psycopg:///bench_registry

The register is always generated afresh (reset). SQLite goes to /tmp by default; a PostgreSQL
database is created when missing.
"""
from __future__ import annotations

import argparse
import resource
import sqlite3

from sqlalchemy import Engine, text

from bench.common import machine
from portal.registry.generator import generate_register
from portal.registry.store import get_engine, is_sqlite

DEFAULT_DATABASE_URL = "sqlite:////tmp/bench_registry.sqlite3"
DEFAULT_COUNT = 1_000_000
DEFAULT_SEED = 20250701


def database_version(engine: Engine) -> str:
    if is_sqlite(engine):
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as conn:
        return f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}"


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="people in the register")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = arguments("Time the generation of the mock population register.").parse_args(argv)
    report = generate_register(args.database_url, count=args.count, seed=args.seed, reset=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = report.database_size_bytes
    print(f"register:   {report.url} ({database_version(get_engine(args.database_url))})")
    print(f"generated:  {report.people:,} people in {report.households:,} households, seed {args.seed}")
    print(f"time:       {report.seconds:.1f} s ({report.people_per_second:,.0f} people/s)")
    print(f"size:       {'unknown' if size is None else f'{size / 1_048_576:,.1f} MiB'}")
    print(f"peak RSS:   {peak_mib:,.0f} MiB")
    print(f"machine:    {machine()}")


if __name__ == "__main__":
    main()
