"""``seed-demo --history N``: past dossiers whose rows agree with each other and with the workflow."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from portal.catalog.service import working_calendar
from portal.deadlines import VN_TZ
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.demo.history import Applicant, HistoryGenerator, ProcedureSpec, Staff, plain_answers
from portal.stats.scope import parse_scope
from portal.stats.service import compute_indicators
from portal.dossiers.states import OPEN_STATES


def test_history_is_consistent_with_the_workflow(app, runner):
    result = runner.invoke(args=["seed-demo", "--history", "2", "--history-per-month", "80"])
    assert "History: 160 dossiers over 2 months" in result.output, result.output
    with app.app_context():
        dossiers = db.session.execute(select(Dossier)).scalars().all()
        assert len(dossiers) == 160
        assert {d.status for d in dossiers} >= {"returned", "not_accepted", "in_process"}
        for d in dossiers:
            events = sorted(d.events, key=lambda e: e.id)
            assert [e.at for e in events] == sorted(e.at for e in events), d.code
            assert (events[0].action, events[0].from_status) == ("submit", "draft")
            assert events[-1].to_status == d.status, d.code
            kinds = [c.kind for c in d.clock]
            if d.completed_at is not None:
                assert d.outcome and d.legal_outcome and d.working_minutes_used is not None, d.code
                assert kinds[-1] == "close" and d.clock[-1].at == d.completed_at
                assert d.result_document_id is not None
            if d.status == "returned":
                assert d.returned_at is not None
            if d.status in OPEN_STATES:
                assert d.completed_at is None and d.due_at is not None and d.accepted_at is not None
                assert d.is_clock_paused == (kinds[-1] == "pause")
            if d.rating is not None:
                assert d.status == "returned" and d.rating.created_at > d.returned_at
                assert d.rating_score == d.rating.score
        # The dossier codes continue the daily sequences: a new submission today does not collide.
        assert len({d.code for d in dossiers}) == 160
        today = datetime.now(VN_TZ).date()
        month = today.year * 12 + today.month - 2  # the first of the two months
        scope = parse_scope({"from": date(month // 12, month % 12 + 1, 1).isoformat()})
        assert compute_indicators(scope).received["received"] == 160
    again = runner.invoke(args=["seed-demo", "--history", "2"])
    assert "none added" in again.output


def test_the_same_seed_gives_the_same_history(app):
    with app.app_context():
        from portal.catalog.models import Procedure
        from portal.submission.operations import procedure_snapshot

        procedure = db.session.execute(select(Procedure).where(Procedure.code == "1.004222")).scalar_one()
        spec = ProcedureSpec(procedure.id, procedure.agency_id, procedure.agency.code, 1, procedure_snapshot(procedure))
        calendar = working_calendar()

    def rows(seed: int):
        generator = HistoryGenerator(
            [spec], {spec.agency_id: Staff(1, 2, 3)}, [Applicant("001090000001", "Lê Văn Bình")], calendar,
            start=datetime(2026, 1, 1, tzinfo=VN_TZ), end=datetime(2026, 3, 1, tzinfo=VN_TZ), seed=seed,
            answers_for=plain_answers,
        )
        return [batch.rows for batch in generator.batches(50, batch_size=20)]

    first = rows(7)
    assert first == rows(7) and first != rows(8)
    assert sum(len(batch["dossiers"]) for batch in first) == 50
