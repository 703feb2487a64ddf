"""Several delivery workers at once on PostgreSQL: every message goes out exactly once."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.notifications.delivery import deliver_batch
from portal.notifications.models import Notification
from portal.timeutil import utcnow
from tests.notifications.conftest import CODE, RecordingSender

MESSAGES = 60
WORKERS = 4


@pytest.fixture()
def committed_outbox(app):
    """Due outbox rows committed for real (outside the test's rolled-back transaction)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks and serialises writers (BEGIN IMMEDIATE): workers cannot overlap there")
    with Session(engine) as session, session.begin():
        rows = [
            Notification(channel="email", recipient=f"worker-{n}@example.vn", template="dossier_accepted",
                         context={"code": CODE}, next_attempt_at=utcnow() - timedelta(minutes=1))
            for n in range(MESSAGES)
        ]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
    yield engine, ids
    with Session(engine) as session, session.begin():
        session.execute(delete(Notification).where(Notification.id.in_(ids)))


@pytest.fixture()
def real_sessions():
    """Sessions of the app's own kind (one per app context, each on its own connection),
    instead of the test's single rolled-back connection."""
    test_session = db.session
    db.session = db._make_scoped_session({})
    yield
    db.session = test_session


def test_concurrent_workers_deliver_each_message_exactly_once(app, committed_outbox, real_sessions):
    engine, ids = committed_outbox
    channel = RecordingSender(delay=0.005)  # a slow server widens the window for a race
    start = threading.Barrier(WORKERS)
    by_worker: Counter[str] = Counter()
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        with app.app_context():
            try:
                start.wait()
                while report := deliver_batch(limit=5, senders={"email": channel}):
                    if not report.handled:
                        break
                    by_worker[name] += report.sent
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"worker-{n}",)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    sends = Counter(message.notification_id for message in channel.sent)
    assert sorted(sends) == sorted(ids)
    assert set(sends.values()) == {1}
    assert sum(by_worker.values()) == MESSAGES and len(by_worker) > 1  # they really worked side by side
    with Session(engine) as session:
        statuses = session.execute(select(Notification.status, Notification.attempts).where(Notification.id.in_(ids))).all()
    assert set(statuses) == {("sent", 1)}
