"""Concurrency soak on PostgreSQL: 50 clients at once for a bounded time — 40 citizens filling
in and submitting dossiers, 10 officers of the agency accepting, assigning, proposing,
approving (signed results) and returning them — then the invariants:

- no answer was a 5xx;
- every dossier code is unique, and the day's numbers run 0001…N without a gap (a code is
  taken in the submitting transaction, so a transaction that lost a race gives it back);
- every dossier's events chain from ``draft`` to its current status;
- no lost notification: each event that notifies left one outbox row per contact channel.

``SOAK_SECONDS`` (default 15) bounds the run; SQLite serialises writers, so it runs on
PostgreSQL only (``TEST_DATABASE_URL``).
"""
from __future__ import annotations

import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.operations import contact_of
from portal.registry.models import Person
from portal.registry.store import get_engine
from portal.workflow.transitions import TRANSITIONS
from tests.conftest import login_citizen, login_officer
from tests.dossiers.helpers import apply_until_check

pytestmark = pytest.mark.slow

CITIZENS = 40
OFFICERS = (("intake2", "intake"), ("intake2", "to_assign"), ("intake2", "returns"), ("intake2", "intake"),
            ("specialist2", "mine"), ("specialist2", "mine"), ("specialist2", "mine"),
            ("leader2", "approval"), ("leader2", "approval"), ("intake2", "to_assign"))
PROCEDURE = "1.001193"  # free, of UBND phường Ba Đình (000.09.19.H26): intake2, specialist2, leader2
CODE = re.compile(r"/officer/dossiers/([0-9A-Z.]+-\d{6}-\d{4})\"")
VERSION = re.compile(r'name="version" value="(\d+)"')


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.errors.append(f"{response.status_code} {response.request.path}")


class Recording(FlaskClient):
    """A test client that counts every answer it gets."""

    tally: Tally

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003
        response = super().open(*args, **kwargs)
        self.tally.saw(response)
        return response


def _citizens(register: str) -> list[tuple[str, str]]:
    with Session(get_engine(register)) as session:
        rows = session.execute(
            select(Person.personal_id, Person.spouse_id).where(Person.spouse_id.is_not(None)).order_by(Person.personal_id).limit(CITIZENS)
        ).all()
    return [tuple(row) for row in rows]


def _citizen_loop(app: Flask, client: FlaskClient, personal_id: str, other_id: str, until: float, tally: Tally) -> None:
    try:
        while time.monotonic() < until:
            draft = apply_until_check(app, client, PROCEDURE, personal_id, other_id)
            client.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
            client.get("/my/dossiers")
    except Exception as exc:  # noqa: BLE001 - reported by the test
        tally.errors.append(f"citizen {personal_id}: {exc!r}"[:300])


def _officer_loop(client: FlaskClient, queue: str, specialist_id: int, until: float, tally: Tally) -> None:
    action = {"intake": "accept", "to_assign": "assign", "mine": "propose_result", "approval": "approve", "returns": "return_online"}[queue]
    form = {"assign": {"assignee": str(specialist_id)}, "propose_result": {"note": "Đủ điều kiện."}}.get(action, {})
    while time.monotonic() < until:
        codes = CODE.findall(client.get(f"/officer/queues/{queue}").get_data(as_text=True))
        if not codes:
            time.sleep(0.05)
            continue
        code = random.choice(codes)  # noqa: S311 - spreading officers over dossiers, not security
        version = VERSION.search(client.get(f"/officer/dossiers/{code}").get_data(as_text=True))
        if version:
            client.post(f"/officer/dossiers/{code}/actions/{action}", data={"version": version.group(1), **form})


def test_fifty_clients_at_once(postgresql_only, fresh_app, register, record_property):
    # One process serves all 50 clients here: its pool holds a connection for each of them. Its
    # 50 threads take turns on one interpreter, on CI's two cores that the SQLite suite uses too:
    # a submission holds its agency's code counter for the day while it renders the declaration,
    # and 39 others queue behind it; on a machine half as fast, the last one waited more than the
    # production's 5 s and was answered 503 (the lock-timeout answer is tested in
    # test_database_outage). This test is about the invariants under load, so it waits as long as
    # the queue takes.
    app = fresh_app(
        "soak",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 30, "pool_timeout": 60},
        DATABASE_LOCK_TIMEOUT=60.0,
    )
    tally = Tally()
    Recording.tally = tally
    app.test_client_class = Recording
    citizens = []
    for personal_id, other_id in _citizens(register):
        client = app.test_client()
        login_citizen(client, personal_id)
        citizens.append((client, personal_id, other_id))
    officers = []
    for username, queue in OFFICERS:
        client = app.test_client()
        login_officer(client, username)
        officers.append((client, queue))
    with app.app_context():
        specialist_id = db.session.execute(select(User.id).where(User.username == "specialist2")).scalar_one()
    tally.statuses.clear()

    seconds = float(os.environ.get("SOAK_SECONDS", "15"))
    started = time.monotonic()
    until = started + seconds
    threads = [threading.Thread(target=_citizen_loop, args=(app, c, pid, other, until, tally)) for c, pid, other in citizens]
    threads += [threading.Thread(target=_officer_loop, args=(c, queue, specialist_id, until, tally)) for c, queue in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started

    assert not any(thread.is_alive() for thread in threads)
    assert tally.errors == []
    with app.app_context():
        dossiers = list(db.session.execute(select(Dossier).where(Dossier.code.is_not(None))).scalars())
        codes = [d.code for d in dossiers]
        assert len(codes) == len(set(codes))
        by_day: dict[str, list[int]] = {}
        for code in codes:
            prefix, number = code.rsplit("-", 1)
            by_day.setdefault(prefix, []).append(int(number))
        for numbers in by_day.values():
            assert sorted(numbers) == list(range(1, len(numbers) + 1))
        for dossier in dossiers:
            events = list(db.session.execute(
                select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)
            ).scalars())
            chain = ["draft", *(e.to_status for e in events)]
            assert [e.from_status for e in events] == chain[:-1], dossier.code
            assert chain[-1] == dossier.status, dossier.code
            channels = sum(1 for contact in contact_of(dossier) if contact)
            expected: Counter = Counter()
            for event in events:
                if TRANSITIONS[event.action].notification:
                    expected[TRANSITIONS[event.action].notification] += channels
            outbox = Counter(n.template for n in db.session.execute(
                select(Notification).where(Notification.dossier_id == dossier.id)
            ).scalars())
            assert outbox == expected, dossier.code
        statuses = Counter(d.status for d in dossiers)
    requests = sum(tally.statuses.values())
    summary = (f"{elapsed:.1f} s, {len(citizens) + len(officers)} clients, {requests} requests "
               f"({requests / elapsed:.0f}/s), answers {dict(sorted(tally.statuses.items()))}, "
               f"{len(dossiers)} dossiers submitted, by status {dict(statuses)}")
    record_property("soak", summary)
    print(f"\nsoak: {summary}")
    assert len(dossiers) >= CITIZENS and sum(tally.statuses[s] for s in tally.statuses if s >= 500) == 0
    assert statuses["submitted"] < len(dossiers)  # the officers got through some of them
