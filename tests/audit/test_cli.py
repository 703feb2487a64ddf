"""``flask --app portal audit verify``: exit 0 on an intact trail, 1 with the problems listed."""
from __future__ import annotations

from sqlalchemy import text

from portal.audit.operations import record
from portal.extensions import db


def _write_entries(app, count: int) -> None:
    with app.app_context():
        for n in range(count):
            record(None, "agency.update", "agency", "000.09.27.H26", {"after": {"address": f"Số {n}"}})
        db.session.commit()


def test_an_intact_trail_exits_0(app, runner):
    _write_entries(app, 3)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Audit trail intact: 3 entries"
    assert result.output.splitlines()[1].startswith("Head: entry 3, hash ")


def test_tampering_exits_1_with_the_problems(app, runner):
    _write_entries(app, 4)
    with app.app_context():
        db.session.execute(text("UPDATE audit_entries SET object_id = '000.00.19.H26' WHERE id = 1"))
        db.session.execute(text("DELETE FROM audit_entries WHERE id = 3"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Audit trail broken: 2 problem(s)",
        "- Entry 1: changed after it was written (its hash does not match)",
        "- Entry 3: missing (deleted)",
    ]
