"""A queue row tells the same deadline as the dossier's page (issue 19).

The row reads the due time, "at risk from", paused and outcome the clock stored on the dossier;
the dossier page replays the ledger against the calendar. For every dossier of a generated
history (closed, stopped, paused, running, extended, linked) and at several moments the two must
say the same: due time, outcome, paused, within / at risk / overdue and the working time left.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.backoffice.rows import rows_of
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.timeutil import from_db
from portal.workflow import clock


def shown(deadline) -> tuple | None:
    """What ``backoffice/_deadline_cell.html`` draws of a deadline."""
    if deadline is None:
        return None
    if deadline.outcome:
        return ("outcome", deadline.outcome)
    if deadline.state == "paused":
        return (deadline.due_at, "paused")
    return (deadline.due_at, deadline.status, deadline.remaining_minutes if deadline.status else None)


def _compare(now: datetime) -> tuple[int, dict[str, tuple]]:
    dossiers = db.session.execute(
        select(Dossier).where(Dossier.status != "draft").options(selectinload(Dossier.clock)).order_by(Dossier.id)
    ).scalars().all()
    rows = {r.code: r for r in rows_of(select(Dossier).where(Dossier.status != "draft").order_by(Dossier.id),
                                       offset=0, limit=10_000, now=now, lang="vi")}
    differences = {}
    for d in dossiers:
        last = max((from_db(c.at) for c in d.clock), default=None)
        if last is not None and last > now:
            continue  # the page cannot be drawn before the ledger's last event
        page, row = shown(clock.deadline(d, now=now)), shown(rows[d.code].deadline)
        if page != row:
            differences[d.code] = (d.status, page, row)
    return len(dossiers), differences


@pytest.mark.parametrize("days_later", [0, 1, 4, 12, 40])
def test_every_row_of_a_generated_history_says_what_its_dossier_page_says(app, runner, days_later):
    result = runner.invoke(args=["seed-demo", "--history", "2", "--history-per-month", "80"])
    assert "History: 160 dossiers" in result.output, result.output
    with app.app_context():
        count, differences = _compare(datetime.now(VN_TZ) + timedelta(days=days_later))
        assert count >= 160
        assert differences == {}


def test_running_paused_and_extended_dossiers_read_the_same_in_a_row(app, make_dossier, officers):
    running, paused, extended = make_dossier(), make_dossier(), make_dossier()
    for code in (running, extended):
        officers["intake1"].act(code, "accept")
    officers["intake1"].act(paused, "accept")
    officers["intake1"].act(paused, "assign", assignee=_specialist(app))
    officers["specialist1"].act(paused, "request_payment", amount="50.000", note="Phí thẩm định.")
    officers["intake1"].act(extended, "assign", assignee=_specialist(app))
    with app.app_context():
        due = from_db(db.session.execute(select(Dossier.due_at).where(Dossier.code == extended)).scalar_one())
    new_due = (due + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    officers["specialist1"].act(extended, "propose_extension", new_due_at=new_due, note="Cần xác minh.")
    assert officers["leader1"].act(extended, "approve_extension").status_code == 302
    with app.app_context():
        for days_later in (0, 3, 9, 20):
            _, differences = _compare(datetime.now(VN_TZ) + timedelta(days=days_later))
            assert differences == {}, days_later
        rows = {r.code: r for r in rows_of(select(Dossier).where(Dossier.code.in_([running, paused, extended])),
                                           offset=0, limit=10, now=datetime.now(VN_TZ) + timedelta(days=9), lang="vi")}
    assert rows[paused].deadline.state == "paused"
    # Nine days on, the extended dossier is past its first appointment: still counted late.
    assert rows[extended].deadline.status == "overdue"
    assert rows[extended].deadline.due_at > rows[running].deadline.due_at


def _specialist(app) -> str:
    from portal.auth.models import User

    with app.app_context():
        return str(db.session.execute(select(User.id).where(User.username == "specialist1")).scalar_one())
