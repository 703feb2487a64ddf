"""How long the statistics JSON takes for one agency and one year (issue 7; target < 1 s).

    python -m bench.stats_dashboard --database-url postgresql+psycopg:///bench_dossiers_1000000 --count 1000000

Fills the database with ``--count`` dossiers (:mod:`bench.dossier_data`; reused when already
filled, the database created when missing), then calls ``GET /api/v1/stats`` for the previous
calendar year and intake1's agency (Công an phường Ba Đình, about half of all dossiers) through
the app in this process — parsing, every SQL query, JSON — ``--rounds`` times after one warm-up,
and the same for all agencies together. Prints p50/p95, the figures themselves, the sizes of the
table and of the indexes the statistics read, and the machine.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import machine, percentile, report
from bench.dossier_data import ensure_dossiers
from portal import create_app
from portal.extensions import db

INDEXES = ("ix_dossiers_agency_submitted", "ix_dossiers_agency_completed")


def timed(client, query: dict[str, str], rounds: int) -> tuple[list[float], dict]:
    body = client.get("/api/v1/stats", query_string=query).get_json()  # warm-up
    timings = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get("/api/v1/stats", query_string=query)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return sorted(timings), body


def sizes(url: str) -> str:
    if make_url(url).get_backend_name() != "postgresql":
        return "n/a (SQLite)"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        table = db.session.execute(text("SELECT pg_total_relation_size('dossiers')")).scalar_one()
        indexes = {name: db.session.execute(text(f"SELECT pg_relation_size('{name}')")).scalar_one() for name in INDEXES}
        db.session.remove()
        db.engine.dispose()
    return f"dossiers {table / 2**20:,.0f} MiB with its indexes; " + ", ".join(
        f"{name} {size / 2**20:,.0f} MiB" for name, size in indexes.items())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg:///bench_dossiers_1000000")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ensure_dossiers(args.database_url, args.count, seed=args.seed)
    print(f"data:      {args.count:,} dossiers ready in {time.perf_counter() - started:.0f} s")

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        agency = db.session.execute(text(
            "SELECT a.code FROM agencies a JOIN users u ON u.agency_id = a.id WHERE u.username = 'intake1'")).scalar_one()
        backend = db.engine.dialect.name
    year = date.today().year - 1
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    client = app.test_client()
    one, body = timed(client, {**period, "agency": agency}, args.rounds)
    every, all_body = timed(client, period, max(3, args.rounds // 4))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()

    print(f"database:  {backend}; {sizes(args.database_url)}")
    print(f"machine:   {machine()}")
    print(f"scope:     {year}, agency {agency}: {body['received']['received']:,} received, "
          f"{body['completed']['completed']:,} completed ({all_body['received']['received']:,} received by all agencies)")
    rates = body["rates"]
    print(f"figures:   online {rates['online']['rate']:.1%}, full-process {rates['full_process']['rate']:.1%}, "
          f"online payment {rates['online_payment']['rate']:.1%}, e-result {rates['e_result']['rate']:.1%}, "
          f"register data {rates['registry_data']['rate']:.1%}, documents reused {rates['document_reuse']['rate']:.1%}, "
          f"on time {rates['on_time']['rate']:.1%} (legal {rates['legal_on_time']['rate']:.1%}), "
          f"processing {body['completed']['processing_days']['average']} days (median "
          f"{body['completed']['processing_days']['median']}), satisfaction {body['satisfaction']['average']}")
    print(f"one agency, one year: p50 {statistics.median(one):.0f} ms, p95 {percentile(one, 0.95):.0f} ms, "
          f"max {one[-1]:.0f} ms ({args.rounds} runs)")
    print(f"all agencies, one year: p50 {statistics.median(every):.0f} ms, p95 {percentile(every, 0.95):.0f} ms "
          f"({len(every)} runs)")
    report(f"statistics JSON, one agency, one year, {args.count:,} dossiers ({backend})",
           f"p50 {statistics.median(one):.0f} ms, p95 {percentile(one, 0.95):.0f} ms", "< 1 s")


if __name__ == "__main__":
    main()
