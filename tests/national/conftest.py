"""The mock national portal on a real local HTTP port, and dossiers walked through the workflow."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.national_portal.service import create_service
from portal.notifications.models import NationalSyncMessage
from portal.submission.operations import procedure_snapshot
from portal.timeutil import utcnow
from portal.workflow.limits import latest_extension
from portal.workflow.transitions import apply_transition
from tests.reliability.conftest import postgresql_only  # noqa: F401 - a fixture shared with these tests

SECRET = "national-test-secret"
# Seconds the worker waits for an answer in these tests: generous, since a missed answer puts the
# message off with its dossier's later ones behind it, and under CI load 0.25 s and then 1 s were
# missed (a test about timeouts sets its own).
TIMEOUT = 30.0


class Receiver:
    """The mock national portal, serving on a free local port from its own database."""

    def __init__(self, database_url: str) -> None:
        self.server = make_server("127.0.0.1", 0, create_service(database_url, SECRET), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.http = requests.Session()

    def control(self, **values: Any) -> dict[str, Any]:
        response = self.http.put(f"{self.url}/control", json=values, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()

    def lookup(self, code: str) -> requests.Response:
        return self.http.get(f"{self.url}/dossiers/{code}", timeout=5)

    def statuses(self, code: str) -> list[dict[str, Any]]:
        """What the national portal holds for ``code``, in sequence order (none: an empty list)."""
        response = self.lookup(code)
        return response.json()["statuses"] if response.status_code == 200 else []

    def close(self) -> None:
        self.http.close()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture()
def receiver(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A running mock national portal; the portal under test sends to it with the shared secret."""
    running = Receiver(f"sqlite:///{tmp_path}/national_portal.sqlite3")
    for key, value in {"NATIONAL_PORTAL_URL": running.url, "NATIONAL_PORTAL_SECRET": SECRET,
                       "NATIONAL_PORTAL_TIMEOUT": TIMEOUT, "NATIONAL_SYNC_RETRY_SECONDS": 30.0,
                       "NATIONAL_SYNC_MAX_RETRY_SECONDS": 3600.0}.items():
        monkeypatch.setitem(app.config, key, value)
    yield running
    running.close()


class Clock:
    """The worker's clock (naive UTC), moved by hand: backoff without waiting for it. It starts a
    minute ahead, so the changes a test makes first are due however long making them takes."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=1)

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


def officer(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def new_dossier(code: str) -> Dossier:
    """A complete draft of temporary residence (1.004194) with the code submission gives it."""
    procedure = db.session.execute(select(Procedure).where(Procedure.code == "1.004194")).scalar_one()
    dossier = Dossier(
        code=code, procedure=procedure, procedure_version=procedure.version,
        procedure_snapshot=procedure_snapshot(procedure), agency_id=procedure.agency_id,
        applicant_personal_id="001090000001", applicant_name="Nguyễn Văn A", channel="online",
        delivery="online", status="draft", answers={}, provenance={}, locked={}, completed_steps=[],
        submitted_at=utcnow(),
    )
    db.session.add(dossier)
    db.session.flush()
    return dossier


# Each step: (action, officer, extra arguments). National codes along the way: 1, 2, 4, 4 with a
# new appointment (approved extension), 6, 4, 8; the steps that change neither add no message.
WALK: list[tuple[str, str, dict[str, Any]]] = [
    ("submit", "intake1", {}),
    ("accept", "intake1", {}),
    ("assign", "intake1", {"assignee": "specialist1"}),
    ("propose_extension", "specialist1", {"public_note": "Cần xác minh thêm nơi cư trú."}),
    ("approve_extension", "leader1", {}),
    ("request_payment", "specialist1", {"public_note": "Nộp lệ phí đăng ký.", "amount": 20000}),
    ("record_payment", "intake1", {}),
    ("stop", "leader1", {"public_note": "Công dân đề nghị dừng giải quyết."}),
]
WALK_CODES = [1, 2, 4, 4, 6, 4, 8]


def walk(dossier: Dossier, steps: list[tuple[str, str, dict[str, Any]]] = WALK) -> None:
    """Take ``steps`` on ``dossier``, one second apart."""
    at = datetime.now(VN_TZ)
    for n, (action, username, arguments) in enumerate(steps):
        arguments = dict(arguments)
        if "assignee" in arguments:
            arguments["assignee"] = officer(arguments["assignee"])
        if action == "propose_extension":
            arguments["new_due_at"] = latest_extension(dossier)
        apply_transition(dossier, action, officer(username), now=at + timedelta(seconds=n), **arguments)


def messages(dossier_id: int | None = None) -> list[NationalSyncMessage]:
    query = select(NationalSyncMessage).order_by(NationalSyncMessage.dossier_id, NationalSyncMessage.sequence)
    if dossier_id is not None:
        query = query.where(NationalSyncMessage.dossier_id == dossier_id)
    return list(db.session.execute(query).scalars())
