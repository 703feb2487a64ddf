"""Dossier codes: one sequence per agency and day, unique under concurrent submissions."""
from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.catalog.models import Agency
from portal.dossiers.codes import next_dossier_code
from portal.dossiers.models import DossierCodeCounter
from portal.extensions import db


def test_codes_follow_the_national_format_and_reset_daily(ctx):
    agency = db.session.execute(select(Agency).where(Agency.code == "000.09.27.H26")).scalar_one()
    assert next_dossier_code(agency, date(2026, 7, 1)) == "000.09.27.H26-260701-0001"
    assert next_dossier_code(agency, date(2026, 7, 1)) == "000.09.27.H26-260701-0002"
    assert next_dossier_code(agency, date(2026, 7, 2)) == "000.09.27.H26-260702-0001"
    other = db.session.execute(select(Agency).where(Agency.code == "000.00.19.H26")).scalar_one()
    assert next_dossier_code(other, date(2026, 7, 1)) == "000.00.19.H26-260701-0001"


def test_concurrent_submissions_get_unique_codes(app):
    """Eight workers, each in its own connection and transaction, take 10 codes each."""
    day = date(2099, 12, 31)
    with app.app_context():
        engine = db.engine
        agency_id = db.session.execute(select(Agency.id).where(Agency.code == "000.09.19.H26")).scalar_one()
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(10):
                with Session(engine) as session, session.begin():
                    agency = session.get(Agency, agency_id)
                    code = next_dossier_code(agency, day, session)
                with lock:
                    codes.append(code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert len(codes) == 80
        assert len(set(codes)) == 80
        assert sorted(codes)[-1] == "000.09.19.H26-991231-0080"
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(DossierCodeCounter).where(DossierCodeCounter.day == day))
