"""Several delivery workers at once on PostgreSQL, with real commits, threads and HTTP: each
message is posted exactly once, and each dossier's messages reach the national portal in order."""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import delete, select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.national_portal.protocol import IDEMPOTENCY_HEADER
from portal.notifications.models import NationalSyncMessage
from portal.notifications.national import deliver_batch
from tests.national.conftest import new_dossier
from tests.notifications.test_concurrency import real_sessions  # noqa: F401 - a fixture

DOSSIERS, CHANGES, WORKERS = 12, 5, 4


@pytest.fixture()
def committed_outbox(app, postgresql_only, real_sessions):  # noqa: F811
    """Dossiers and their unsent messages, committed for real; removed afterwards."""
    with app.app_context():
        codes = {}
        for n in range(DOSSIERS):
            dossier = new_dossier(f"000.09.27.H26-991230-{n:04d}")
            db.session.add_all(
                NationalSyncMessage(dossier_id=dossier.id, dossier_code=dossier.code, sequence=s, status_code=s,
                                    payload={"dossier_code": dossier.code, "sequence": s, "status_code": s})
                for s in range(1, CHANGES + 1)
            )
            codes[dossier.id] = dossier.code
        db.session.commit()
    yield codes
    with app.app_context():
        db.session.execute(delete(NationalSyncMessage).where(NationalSyncMessage.dossier_id.in_(codes)))
        db.session.execute(delete(Dossier).where(Dossier.id.in_(codes)))
        db.session.commit()


def test_parallel_workers_send_each_message_once_and_in_order(app, receiver, committed_outbox):
    posted: Counter[str] = Counter()
    by_worker: Counter[str] = Counter()
    errors: list[BaseException] = []
    failed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
        with lock:
            posted[headers[IDEMPOTENCY_HEADER]] += 1
        threading.Event().wait(0.005)  # a slow network widens the window for a race
        response = requests.post(url, data=body, headers=headers, timeout=timeout)
        return response.status_code, response.text

    def worker(name: str) -> None:
        with app.app_context():
            try:
                start.wait()
                while (report := deliver_batch(limit=3, post=post)).sent:
                    by_worker[name] += report.sent
                    failed.extend([report.last_error or "?"] * report.failed)
                failed.extend([report.last_error or "?"] * report.failed)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    # Daemons with one deadline for all: a stuck worker fails the test, not the run.
    threads = [threading.Thread(target=worker, args=(f"worker-{n}",), daemon=True) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a worker is still running"
    assert errors == [] and failed == []
    assert len(posted) == DOSSIERS * CHANGES and set(posted.values()) == {1}
    assert sum(by_worker.values()) == DOSSIERS * CHANGES and len(by_worker) > 1  # side by side for real
    for code in committed_outbox.values():
        statuses = receiver.statuses(code)
        assert [s["sequence"] for s in statuses] == list(range(1, CHANGES + 1))
        arrivals = [s["arrival"] for s in statuses]
        assert arrivals == sorted(arrivals)
    with app.app_context():
        unsent = db.session.execute(
            select(NationalSyncMessage.id).where(NationalSyncMessage.dossier_id.in_(committed_outbox),
                                                 NationalSyncMessage.sent_at.is_(None))
        ).all()
    assert unsent == []
