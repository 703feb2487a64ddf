"""A known set of dossiers for the statistics: each number of the dashboard can be counted by
hand from the table below.

Every dossier goes through the real workflow (``apply_transition``) at chosen times, so the
clock, the due times, the outcome and the working minutes are the ones the portal computes;
only submission is written directly (the e-form is not the point here). March 2026 has no
public holiday; working hours are 07:30–11:30 and 13:00–17:00.

Procedure 1.004194 (temporary residence, Công an phường Ba Đình 000.09.27.H26): 3 working days
= 1,440 working minutes; online with the result online: 10 % off → 21 h = 1,260 minutes.
Fees 7,000 online, 15,000 at the counter. Procedure 1.001193 (birth registration, UBND phường
Ba Đình 000.09.19.H26): same day, free.

=====  ==========  =======  ========  =========  ======================================================
name   submitted   channel  delivery  payment    life
=====  ==========  =======  ========  =========  ======================================================
D1     02/03 09:00 online   online    paid       accepted 09:00, ready 03/03 10:00 (due 04/03 15:30):
                                                 early; 540 min used, 180 saved; returned; rated 5;
                                                 attachments: one reused, one uploaded
D2     03/03 08:00 counter  counter   counter    accepted 08:00, ready exactly at its due time
                                                 06/03 08:00: on time; 1,440 min; rated 4; one upload
D3     05/03 10:00 online   online    paid       accepted 10:00 (due 09/03 16:30, legal 10/03 10:00),
                                                 extension to 12/03 approved, ready 10/03 08:00: late
                                                 against the committed due time, on time against the
                                                 legal one; 1,320 min used, 120 saved; rated 2
D4     09/03 09:00 online   online    later      accepted, withdrawn by the citizen 10/03
D5     10/03 09:00 counter  counter   counter    refused at intake; register unreachable (no register data)
D6     11/03 08:00 online   online    none       birth registration, accepted 08:00, ready 10:00
                                                 (due 17:00 that day): on time; 120 min; free
D7     30/03 09:00 online   online    paid       accepted 09:00: open, within the deadline at 30/03 10:00
D8     16/03 09:00 counter  counter   counter    accepted: open, overdue at 30/03 10:00
D9     25/03 14:00 counter  post      counter    accepted (due 30/03 14:00, at risk from 07:42): at risk
D10    23/03 09:00 online   post      paid       accepted, supplement requested 24/03: clock paused
D11    27/02 09:00 counter  counter   counter    submitted in February, ready 02/03 09:00: early,
                                                 480 min; one reused attachment (not counted: February)
D12    31/03 23:30 online   online    later      submitted late in the evening: waiting for intake;
                                                 no register data
D13    01/04 00:10 online   online    paid       submitted after the period: not counted
D14    12/03 09:00 counter  counter   counter    accepted, stopped by the leader 13/03
=====  ==========  =======  ========  =========  ======================================================
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.catalog.models import Procedure
from portal.deadlines import VN_TZ
from portal.dossiers.models import Attachment, Dossier, StoredDocument
from portal.submission.operations import procedure_snapshot
from portal.extensions import db
from portal.timeutil import from_db, to_db
from portal.workflow.transitions import apply_transition

TEMPORARY_RESIDENCE, BIRTH = "1.004194", "1.001193"
POLICE, WARD = "000.09.27.H26", "000.09.19.H26"
NOW = datetime(2026, 3, 30, 10, 0, tzinfo=VN_TZ)  # when open dossiers are measured


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


@dataclass
class KnownSet:
    codes: dict[str, str]
    citizen_id: int


class _Builder:
    def __init__(self) -> None:
        users = {u.username: u for u in db.session.execute(select(User).where(User.username.is_not(None))).scalars()}
        self.users = users
        self.staff = {
            POLICE: (users["intake1"], users["specialist1"], users["leader1"]),
            WARD: (users["intake2"], users["specialist2"], users["leader2"]),
        }
        self.citizen = User(kind="citizen", personal_id="001090000777", full_name="Nguyễn Văn Thống Kê")
        self.citizen.set_password("unused")
        db.session.add(self.citizen)
        self.count = 0

    def submit(self, procedure_code: str, channel: str, delivery: str, submitted_at: datetime, payment: str, *,
               has_registry_data: bool = True) -> Dossier:
        procedure = db.session.execute(select(Procedure).where(Procedure.code == procedure_code)).scalar_one()
        snapshot = procedure_snapshot(procedure)
        self.count += 1
        dossier = Dossier(
            procedure=procedure, procedure_version=procedure.version, procedure_snapshot=snapshot,
            agency_id=procedure.agency_id, applicant_personal_id=self.citizen.personal_id,
            applicant_name=self.citizen.full_name, channel=channel, delivery=delivery,
            answers={}, provenance={"full_name": "registry"} if has_registry_data else {"full_name": "citizen"},
            locked={}, is_registry_unverified=not has_registry_data, has_registry_data=has_registry_data,
            fee_amount=snapshot["fee_online" if channel == "online" else "fee_counter"], payment_status=payment,
            code=f"{procedure.agency.code}-{submitted_at:%y%m%d}-{self.count:04d}", submitted_at=to_db(submitted_at),
        )
        db.session.add(dossier)
        db.session.flush()
        apply_transition(dossier, "submit", self.staff[procedure.agency.code][0], now=submitted_at)
        return dossier

    def act(self, dossier: Dossier, action: str, when: datetime, **params) -> None:
        intake, specialist, leader = self.staff[dossier.agency.code]
        actor = {"accept": intake, "refuse": intake, "assign": intake, "request_supplement": intake,
                 "propose_result": specialist, "propose_extension": specialist, "approve_extension": leader,
                 "approve": leader, "stop": leader, "return_online": intake, "return_counter": intake,
                 "withdraw": self.citizen}[action]
        if action == "assign":
            params["assignee"] = specialist
        if action == "approve":
            params["result_document"] = self.document(dossier, "result")
        apply_transition(dossier, action, actor, public_note="Ghi chú.", now=when, **params)

    def complete(self, dossier: Dossier, accepted: datetime, ready: datetime, *, before_ready=()) -> None:
        """Accept, assign, (extra steps), propose and approve: the result is ready at ``ready``."""
        self.act(dossier, "accept", accepted)
        self.act(dossier, "assign", accepted)
        for action, when, params in before_ready:
            self.act(dossier, action, when, **params)
        self.act(dossier, "propose_result", ready)
        self.act(dossier, "approve", ready)

    def document(self, dossier: Dossier, key: str) -> StoredDocument:
        document = StoredDocument(owner_personal_id=dossier.applicant_personal_id, kind="upload", document_key=key,
                                  title=key, content_type="application/pdf", size=10, sha256="0" * 64,
                                  storage_name="x.pdf")
        db.session.add(document)
        db.session.flush()
        return document

    def attach(self, dossier: Dossier, key: str, source: str) -> None:
        """A document given with the dossier (counted as submission counts them)."""
        db.session.add(Attachment(dossier=dossier, document_key=key, document=self.document(dossier, key),
                                  source=source))
        dossier.count_attachments()


def build_known_set() -> KnownSet:
    b = _Builder()
    d = {}
    d["D1"] = b.submit(TEMPORARY_RESIDENCE, "online", "online", at(3, 2, 9), "paid")
    b.complete(d["D1"], at(3, 2, 9), at(3, 3, 10))
    b.act(d["D1"], "return_online", at(3, 3, 11))
    b.attach(d["D1"], "ct01", "reuse")
    b.attach(d["D1"], "legal_residence", "upload")

    d["D2"] = b.submit(TEMPORARY_RESIDENCE, "counter", "counter", at(3, 3, 8), "counter")
    b.act(d["D2"], "accept", at(3, 3, 8))
    b.act(d["D2"], "assign", at(3, 3, 8))
    due = from_db(d["D2"].due_at)
    assert due == at(3, 6, 8)
    b.act(d["D2"], "propose_result", due)
    b.act(d["D2"], "approve", due)  # exactly at the due time
    b.attach(d["D2"], "ct01", "upload")

    d["D3"] = b.submit(TEMPORARY_RESIDENCE, "online", "online", at(3, 5, 10), "paid")
    b.complete(d["D3"], at(3, 5, 10), at(3, 10, 8), before_ready=[
        ("propose_extension", at(3, 9, 9), {"new_due_at": at(3, 12, 17)}),
        ("approve_extension", at(3, 9, 10), {}),
    ])

    d["D4"] = b.submit(TEMPORARY_RESIDENCE, "online", "online", at(3, 9, 9), "later")
    b.act(d["D4"], "accept", at(3, 9, 9))
    b.act(d["D4"], "withdraw", at(3, 10, 9))

    d["D5"] = b.submit(TEMPORARY_RESIDENCE, "counter", "counter", at(3, 10, 9), "counter", has_registry_data=False)
    b.act(d["D5"], "refuse", at(3, 10, 10))

    d["D6"] = b.submit(BIRTH, "online", "online", at(3, 11, 8), "none")
    b.complete(d["D6"], at(3, 11, 8), at(3, 11, 10))

    d["D7"] = b.submit(TEMPORARY_RESIDENCE, "online", "online", at(3, 30, 9), "paid")
    b.act(d["D7"], "accept", at(3, 30, 9))

    d["D8"] = b.submit(TEMPORARY_RESIDENCE, "counter", "counter", at(3, 16, 9), "counter")
    b.act(d["D8"], "accept", at(3, 16, 9))

    d["D9"] = b.submit(TEMPORARY_RESIDENCE, "counter", "post", at(3, 25, 14), "counter")
    b.act(d["D9"], "accept", at(3, 25, 14))
    assert (from_db(d["D9"].due_at), from_db(d["D9"].at_risk_from)) == (at(3, 30, 14), at(3, 30, 7, 42))

    d["D10"] = b.submit(TEMPORARY_RESIDENCE, "online", "post", at(3, 23, 9), "paid")
    b.act(d["D10"], "accept", at(3, 23, 9))
    b.act(d["D10"], "request_supplement", at(3, 24, 9), items=["ct01"])

    d["D11"] = b.submit(TEMPORARY_RESIDENCE, "counter", "counter", at(2, 27, 9), "counter")
    b.complete(d["D11"], at(2, 27, 9), at(3, 2, 9))
    b.attach(d["D11"], "ct01", "reuse")

    d["D12"] = b.submit(TEMPORARY_RESIDENCE, "online", "online", at(3, 31, 23, 30), "later", has_registry_data=False)
    d["D13"] = b.submit(TEMPORARY_RESIDENCE, "online", "online", datetime(2026, 4, 1, 0, 10, tzinfo=VN_TZ), "paid")

    d["D14"] = b.submit(TEMPORARY_RESIDENCE, "counter", "counter", at(3, 12, 9), "counter")
    b.act(d["D14"], "accept", at(3, 12, 9))
    b.act(d["D14"], "stop", at(3, 13, 9))

    for name, score in (("D1", 5), ("D2", 4), ("D3", 2)):
        d[name].rate(score)
    db.session.flush()
    return KnownSet({name: dossier.code for name, dossier in d.items()}, b.citizen.id)


@pytest.fixture()
def known_set(app) -> KnownSet:
    with app.app_context():
        known = build_known_set()
        db.session.commit()
    return known
