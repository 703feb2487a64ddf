"""The audit trail is append-only and hash-chained: tampering with raw SQL is detected,
and the ORM refuses to change or delete an entry."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from portal.audit.models import GENESIS_HASH, AuditEntry, AuditHead, AuditTrailIsAppendOnly
from portal.audit.operations import AuditTrailBroken, Problem, compute_hash, record, verify_chain
from portal.auth.models import User
from portal.extensions import db


def _admin() -> User:
    return db.session.execute(select(User).where(User.username == "admin")).scalar_one()


@pytest.fixture()
def three_entries(ctx) -> list[AuditEntry]:
    admin = _admin()
    return [
        record(admin, "procedure.update", "procedure", "1.004194", {"before": {"fee_online": 7000}, "after": {"fee_online": 5000}}),
        record(admin, "calendar_exception.create", "calendar_exception", "2026-07-02", {"after": {"day": "2026-07-02", "legal_reference": "Thông báo"}}),
        record(None, "agency.update", "agency", "000.09.27.H26", {"before": {"ward_code": 4}, "after": {"ward_code": 70}}),
    ]


def test_entries_link_to_the_one_before(three_entries):
    first, second, third = three_entries
    assert [e.id for e in three_entries] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert all(len(e.hash) == 64 and e.hash == compute_hash(e) for e in three_entries)
    assert (first.actor_label, third.actor_label) == ("admin (admin)", "system")
    head = db.session.get(AuditHead, 1)
    assert (head.last_entry_id, head.last_hash) == (3, third.hash)
    assert verify_chain() == []


def test_an_empty_trail_is_intact(ctx):
    assert verify_chain() == []


def _copy(entry: AuditEntry, **changes: object) -> AuditEntry:
    """A detached copy of ``entry`` with some fields changed (never added to the session)."""
    fields = ("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "details", "prev_hash")
    return AuditEntry(**{name: getattr(entry, name) for name in fields} | changes)


@pytest.mark.parametrize(
    "changes",
    [{"action": "x"}, {"object_id": "x"}, {"actor_label": "x"}, {"actor_id": None}, {"details": {}}, {"prev_hash": "0" * 64}, {"id": 9}],
)
def test_the_hash_covers_every_field(three_entries, changes):
    entry = three_entries[1]
    assert compute_hash(_copy(entry)) == entry.hash
    assert compute_hash(_copy(entry, **changes)) != entry.hash


def _tamper(sql: str, **params: object) -> None:
    db.session.execute(text(sql), params)


def test_a_row_changed_with_raw_sql_is_detected(three_entries):
    _tamper("UPDATE audit_entries SET details = :d WHERE id = 2", d='{"after": {"day": "2026-07-03"}}')
    assert verify_chain() == [Problem("changed", 2, 2)]


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(three_entries):
    forged_hash = compute_hash(_copy(three_entries[1], action="agency.update"))
    _tamper("UPDATE audit_entries SET action = 'agency.update', hash = :h WHERE id = 2", h=forged_hash)
    assert verify_chain() == [Problem("unlinked", 3, 3)]


def test_a_row_deleted_in_the_middle_is_detected(three_entries):
    _tamper("DELETE FROM audit_entries WHERE id = 2")
    assert verify_chain() == [Problem("missing", 2, 2)]


def test_the_newest_rows_deleted_are_detected_through_the_head(three_entries):
    _tamper("DELETE FROM audit_entries WHERE id >= 2")
    assert verify_chain() == [Problem("missing", 2, 3)]


def test_a_deleted_head_is_detected(three_entries):
    _tamper("DELETE FROM audit_head")
    assert verify_chain() == [Problem("head", 3, 3)]


def test_no_entry_is_written_on_a_chain_whose_head_was_deleted(three_entries):
    _tamper("DELETE FROM audit_head")
    with pytest.raises(AuditTrailBroken):
        record(None, "agency.update", "agency", "000.09.27.H26", {})


def test_the_problems_read_as_sentences():
    assert Problem("changed", 2, 2).describe() == "Entry 2: changed after it was written (its hash does not match)"
    assert Problem("missing", 2, 3).describe() == "Entries 2–3: missing (deleted)"


def test_the_orm_refuses_to_update_an_entry(three_entries):
    entry = three_entries[0]
    entry.action = "procedure.delete"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_the_orm_refuses_to_delete_an_entry(three_entries):
    db.session.delete(three_entries[0])
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [update(AuditEntry).where(AuditEntry.id == 1).values(action="x"), delete(AuditEntry).where(AuditEntry.id == 1)],
)
def test_the_orm_refuses_bulk_changes(three_entries, statement):
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(statement)
    db.session.rollback()


def test_details_must_be_plain_values(ctx):
    with pytest.raises(TypeError):
        record(None, "x.y", "x", 1, {"after": {"amount": object()}})


def test_concurrent_writers_keep_one_unbroken_chain(app):
    """Eight workers, each in its own connection and transaction, append five entries each."""
    with app.app_context():
        engine = db.engine
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                with Session(engine) as session, session.begin():
                    record(None, "test.concurrent", "worker", f"{n}-{i}", {"after": {"i": i}}, session=session)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with Session(engine) as session:
            ids = list(session.execute(select(AuditEntry.id).order_by(AuditEntry.id)).scalars())
            assert ids == list(range(1, 41))
            assert verify_chain(session) == []
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entries"))
            conn.execute(text("DELETE FROM audit_head"))
