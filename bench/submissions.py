"""Submissions per second without PDF rendering (issues 4 and 10), through the real submit endpoint.

    python -m bench.submissions [--count 300] [--database-url postgresql+psycopg:///bench_portal]
    python -m bench.submissions --clients 16 --count 4000 --database-url postgresql+psycopg:///bench_portal

Builds a fresh portal database and a 2,000-person register, prepares ``--count`` complete
drafts of a free procedure (birth registration) through the same operations the wizard uses,
then times ``POST /apply/<id>/submit`` for each: login session, access check, completeness
check, dossier code, estimated appointment, workflow transition, event and notification rows,
commit. Slip 01 is not rendered on this path (it is made when downloaded).

With ``--clients 1`` (the default) one client submits one after another through the app in
this process. With more, the app runs under gunicorn (``--workers`` × ``--threads``) and that
many clients, each a different citizen with their own drafts, submit at once over HTTP: the
sustained rate a busy morning would see.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.common import machine, percentile, report
from portal import create_app
from portal.auth.models import User
from portal.catalog.service import get_procedure
from portal.submission import operations as ops
from portal.dossiers.models import Dossier, StoredDocument
from portal.extensions import db
from portal.registry.generator import generate_register
from portal.registry.models import Person
from portal.registry.store import ensure_database, get_engine
from portal.demo.seed import seed_reference_data

PROCEDURE = "1.001193"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def build_app(database_url: str | None, workdir: Path):
    url = database_url or f"sqlite:///{workdir / 'portal.sqlite3'}"
    if make_url(url).get_backend_name() == "postgresql":
        ensure_database(url)
    registry_url = f"sqlite:///{workdir / 'registry.sqlite3'}"
    generate_register(registry_url, count=2_000, seed=7, reset=True)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "REGISTRY_DATABASE_URL": registry_url,
            "UPLOAD_DIR": str(workdir / "uploads"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_reference_data()
        db.session.commit()
    return app, registry_url


def married_citizens(registry_url: str, count: int) -> list[str]:
    """Mothers-to-be for birth registration: married women (the form prefills the spouse)."""
    with get_engine(registry_url).connect() as conn:
        return conn.execute(
            select(Person.personal_id).where(Person.spouse_id.is_not(None), Person.sex == "F").limit(count)
        ).scalars().all()


def prepare_drafts(app, personal_id: str, count: int) -> list[str]:
    """Complete drafts: every step answered as the register prefilled it, documents attached."""
    with app.app_context():
        citizen = User(kind="citizen", personal_id=personal_id, full_name="Bench", profile={})
        citizen.set_password("vneid-demo")
        db.session.add(citizen)
        procedure = get_procedure(PROCEDURE)
        document = StoredDocument(
            owner_personal_id=personal_id, kind="upload", document_key="", title="scan",
            content_type="application/pdf", size=1000, sha256="0" * 64, storage_name="bench.pdf",
        )
        public_ids = []
        for _ in range(count):
            draft = ops.start_draft(procedure, personal_id, citizen=citizen)
            definition = draft.form_definition
            draft.completed_steps = [step.key for step in definition.steps]
            for field in definition.file_fields:
                doc = StoredDocument(**{c: getattr(document, c) for c in (
                    "owner_personal_id", "kind", "title", "content_type", "size", "sha256", "storage_name")},
                    document_key=field.document)
                db.session.add(doc)
                db.session.flush()
                ops.attach_stored(draft, field.document, doc.id)
            ops.set_delivery(draft, "online", None)
            public_ids.append(draft.public_id)
        db.session.commit()
        return public_ids


def submit_in_process(app, drafts: dict[str, list[str]]) -> list[float]:
    [(personal_id, public_ids)] = drafts.items()
    client = app.test_client()
    client.post("/login/citizen", data={"personal_id": personal_id, "password": "vneid-demo"})
    timings = []
    for public_id in public_ids:
        t0 = time.perf_counter()
        response = client.post(f"/apply/{public_id}/submit", data={})
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 302 and "/submitted" in response.headers["Location"], response.status
    return timings


def submit_over_http(database_url: str, registry_url: str, workdir: Path, drafts: dict[str, list[str]],
                     workers: int, threads: int) -> list[float]:
    """Every citizen in a thread of their own, signed in, submitting their drafts to gunicorn."""
    import requests

    from bench.load import free_port, start_gunicorn, stop, wait_for

    env = {**os.environ, "DATABASE_URL": database_url, "REGISTRY_DATABASE_URL": registry_url,
           "UPLOAD_DIR": str(workdir / "uploads"), "RATELIMIT_ENABLED": "0", "SECRET_KEY": "bench-submissions",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = start_gunicorn("wsgi:app", port, env, workers, threads)
    timings: list[float] = []
    failures: list[str] = []

    def citizen(personal_id: str, public_ids: list[str], ready: threading.Barrier) -> None:
        session = requests.Session()
        page = session.get(f"{host}/login/citizen").text
        token = CSRF.search(page).group(1)
        session.post(f"{host}/login/citizen", data={"personal_id": personal_id, "password": "vneid-demo",
                                                    "csrf_token": token})
        token = CSRF.search(session.get(f"{host}/my/dossiers").text).group(1)  # a new session at sign-in
        ready.wait()
        for public_id in public_ids:
            t0 = time.perf_counter()
            response = session.post(f"{host}/apply/{public_id}/submit", data={"csrf_token": token},
                                    allow_redirects=False)
            timings.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 302 or "/submitted" not in response.headers.get("Location", ""):
                failures.append(f"{response.status_code} {response.headers.get('Location')}")

    try:
        wait_for(f"{host}/healthz")
        ready = threading.Barrier(len(drafts) + 1)
        workers_ = [threading.Thread(target=citizen, args=(pid, ids, ready)) for pid, ids in drafts.items()]
        for thread in workers_:
            thread.start()
        ready.wait()
        started = time.perf_counter()
        for thread in workers_:
            thread.join()
        timings.append(-(time.perf_counter() - started))  # the wall time, taken out below
    finally:
        stop(server)
    if failures:
        raise SystemExit(f"{len(failures)} submissions failed, e.g. {failures[:3]}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--clients", type=int, default=1, help="concurrent citizens (more than 1: over gunicorn)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, registry_url = build_app(args.database_url, Path(tmp))
        citizens = married_citizens(registry_url, args.clients)
        share = -(-args.count // len(citizens))
        drafts = {pid: prepare_drafts(app, pid, min(share, args.count - n * share)) for n, pid in enumerate(citizens)}
        started = time.perf_counter()
        if args.clients == 1:
            timings = submit_in_process(app, drafts)
            elapsed = time.perf_counter() - started
        else:
            timings = submit_over_http(app.config["SQLALCHEMY_DATABASE_URI"], registry_url, Path(tmp), drafts,
                                       args.workers, args.threads)
            elapsed = -timings.pop()
        with app.app_context():
            submitted = db.session.execute(select(Dossier.code).where(Dossier.code.is_not(None))).scalars().all()
            backend = db.engine.dialect.name
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    assert len(set(submitted)) == args.count
    timings.sort()
    how = ("one client, sequential, in process" if args.clients == 1 else
           f"{args.clients} clients at once over HTTP, gunicorn {args.workers} workers × {args.threads} threads")
    print(f"machine:     {machine()}")
    print(f"database:    {backend}")
    print(f"submissions: {args.count} in {elapsed:.2f} s = {args.count / elapsed:,.0f}/s ({how})")
    print(
        f"latency:     p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {timings[-1]:.1f} ms"
    )
    report("submissions/s without PDF rendering", f"{args.count / elapsed:,.0f}/s ({backend}, {how})", "≥ 100/s")


if __name__ == "__main__":
    main()
