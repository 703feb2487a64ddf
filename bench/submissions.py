"""Submissions per second without PDF rendering (issue 4), through the real submit endpoint.

    python -m bench.submissions [--count 300] [--database-url postgresql+psycopg:///bench_portal]

Builds a fresh portal database and a 2,000-person register, prepares ``--count`` complete
drafts of a free procedure (birth registration) for one citizen through the same operations the
wizard uses, then times ``POST /apply/<id>/submit`` for each: login session, access check,
completeness check, dossier code, estimated appointment, workflow transition, event and
notification rows, commit. Slip 01 is not rendered on this path (it is made when downloaded).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.common import machine, percentile
from portal import create_app
from portal.auth.models import User
from portal.catalog.service import get_procedure
from portal.dossiers import operations as ops
from portal.dossiers.models import Dossier, StoredDocument
from portal.extensions import db
from portal.registry.generator import generate_register
from portal.registry.models import Person
from portal.registry.store import ensure_database, get_engine
from portal.seed import seed_reference_data

PROCEDURE = "1.001193"


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


def married_citizen(registry_url: str) -> str:
    with get_engine(registry_url).connect() as conn:
        return conn.execute(
            select(Person.personal_id).where(Person.spouse_id.is_not(None), Person.sex == "F").limit(1)
        ).scalar_one()


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
            definition = ops.definition_of(draft)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, registry_url = build_app(args.database_url, Path(tmp))
        personal_id = married_citizen(registry_url)
        drafts = prepare_drafts(app, personal_id, args.count)
        client = app.test_client()
        client.post("/login/citizen", data={"personal_id": personal_id, "password": "vneid-demo"})
        timings = []
        started = time.perf_counter()
        for public_id in drafts:
            t0 = time.perf_counter()
            response = client.post(f"/apply/{public_id}/submit", data={})
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 302 and "/submitted" in response.headers["Location"], response.status
        elapsed = time.perf_counter() - started
        with app.app_context():
            submitted = db.session.execute(select(Dossier.code).where(Dossier.code.is_not(None))).scalars().all()
            backend = db.engine.dialect.name
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    assert len(set(submitted)) == args.count
    timings.sort()
    print(f"machine:     {machine()}")
    print(f"database:    {backend}")
    print(f"submissions: {args.count} in {elapsed:.2f} s = {args.count / elapsed:,.0f}/s (one client, sequential)")
    print(
        f"latency:     p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
