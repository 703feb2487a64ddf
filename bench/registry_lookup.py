"""Register lookups by personal ID through the in-process client (issue 2: p99 under 2 ms).

    python -m bench.registry_lookup
    python -m bench.registry_lookup --database-url postgresql+psycopg:///bench_registry

Reuses the register at ``--database-url`` when it already holds ``--count`` people, otherwise
generates it first. Each lookup is a full ``SqlRegistryClient.get_person``: the person, their
household and its members, turned into a ``PersonRecord``. A few hundred untimed lookups warm
the connection pool first.
"""
from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bench.common import machine, percentile, report
from bench.registry_generate import arguments, database_version
from portal.registry.client import SqlRegistryClient
from portal.registry.generator import generate_register
from portal.registry.models import Person
from portal.registry.store import ensure_database, get_engine

WARM_UP = 500


def people_in(url: str) -> int:
    try:
        with get_engine(url).connect() as conn:
            return conn.execute(select(func.count()).select_from(Person)).scalar_one()
    except SQLAlchemyError:
        return 0


def sample_ids(url: str, count: int, seed: int) -> list[str]:
    with get_engine(url).connect() as conn:
        ids = conn.execute(select(Person.personal_id).order_by(Person.personal_id)).scalars().all()
    return random.Random(seed).sample(ids, min(count, len(ids)))


def main(argv: list[str] | None = None) -> None:
    parser = arguments("Time register lookups by personal ID.")
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args(argv)
    url = args.database_url

    ensure_database(url)
    existing = people_in(url)
    if existing == args.count:
        print(f"register:   reusing {existing:,} people at {url}")
    else:
        made = generate_register(url, count=args.count, seed=args.seed, reset=True)
        print(f"register:   generated {made.people:,} people in {made.seconds:.1f} s at {url}")

    ids = sample_ids(url, args.lookups + WARM_UP, args.seed)
    client = SqlRegistryClient(url)
    for personal_id in ids[:WARM_UP]:
        client.get_person(personal_id)

    timings_ms: list[float] = []
    members = 0
    started = time.perf_counter()
    for personal_id in ids[WARM_UP:]:
        before = time.perf_counter_ns()
        record = client.get_person(personal_id)
        timings_ms.append((time.perf_counter_ns() - before) / 1e6)
        if record is None or record.personal_id != personal_id:
            raise SystemExit(f"lookup of {personal_id} did not find them")
        members += len(record.household.members) if record.household else 0
    elapsed = time.perf_counter() - started

    timings_ms.sort()
    print(f"database:   {database_version(get_engine(url))}")
    print(f"lookups:    {len(timings_ms):,} random IDs, {members / len(timings_ms):.1f} household members each on average")
    print(
        f"latency:    p50 {percentile(timings_ms, 0.50):.3f} ms, p90 {percentile(timings_ms, 0.90):.3f} ms, "
        f"p99 {percentile(timings_ms, 0.99):.3f} ms, max {timings_ms[-1]:.3f} ms, "
        f"mean {statistics.fmean(timings_ms):.3f} ms"
    )
    print(f"throughput: {len(timings_ms) / elapsed:,.0f} lookups/s on one thread")
    print(f"machine:    {machine()}")
    report(f"register lookup by ID among {args.count:,} people",
           f"p50 {percentile(timings_ms, 0.50):.2f} ms, p99 {percentile(timings_ms, 0.99):.2f} ms "
           f"({database_version(get_engine(url))})", "p99 < 2 ms")


if __name__ == "__main__":
    main()
