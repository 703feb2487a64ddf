"""Every figure of the dashboard on the known set of ``conftest.py``, counted by hand."""
from __future__ import annotations

import pytest

from portal.stats.scope import parse_scope
from portal.stats.service import Ratio, compute_indicators, dossiers_behind
from portal.extensions import db
from portal.timeutil import to_db
from tests.stats.conftest import NOW, POLICE

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _indicators(**args):
    return compute_indicators(parse_scope({**MARCH, **args}), now=to_db(NOW))


def test_received_dossiers(known_set, ctx):
    r = _indicators().received
    # D1–D10, D12, D14: D11 came in February, D13 on 1 April (00:10 in Vietnam, still 31 March in UTC).
    assert (r["received"], r["accepted"], r["not_accepted"], r["withdrawn"], r["stopped"], r["waiting_intake"]) == (
        12, 10, 1, 1, 1, 1)
    assert (r["online"], r["full_process"], r["with_fee"], r["paid_online"], r["registry_data"]) == (7, 5, 11, 4, 10)


def test_open_dossiers_by_deadline_state(known_set, ctx):
    r = _indicators().received
    assert (r["open"], r["within"], r["at_risk"], r["overdue"], r["paused"]) == (4, 1, 1, 1, 1)


def test_completed_dossiers_against_both_due_times(known_set, ctx):
    c = _indicators().completed
    # D1 and D11 early; D2 ready exactly at its due time and D6 on its due day: on time; D3 late
    # against the due time before its extension, yet on time against the legal one.
    assert (c["completed"], c["early"], c["on_time"], c["late"]) == (5, 2, 2, 1)
    assert (c["legal_early"], c["legal_on_time"], c["legal_late"]) == (2, 3, 0)


def test_processing_time_and_time_given_back(known_set, ctx):
    ind = _indicators()
    # 540 + 1,440 + 1,320 + 120 + 480 working minutes; median 540 (the third of five).
    assert (ind.completed["minutes_used"], ind.completed["timed"], ind.median_minutes) == (3900, 5, 540)
    assert (ind.average_days, ind.median_days) == (780 / 480, 540 / 480)
    # D1 got the whole 10 % (3 h); D3, ready 2 h before its legal due time, got 2 h of it.
    assert (ind.completed["minutes_saved"], ind.completed["time_saved"]) == (300, 2)
    assert ind.days_saved == 300 / 480


def test_rates(known_set, ctx):
    rates = _indicators().rates
    assert rates["online"] == Ratio(7, 12)
    assert rates["full_process"] == Ratio(5, 12)
    assert rates["online_payment"] == Ratio(4, 11)  # the free birth registration is left out
    assert rates["e_result"] == Ratio(3, 5)  # D1, D3, D6 online; D2 and D11 at the counter
    assert rates["registry_data"] == Ratio(10, 12)
    assert rates["document_reuse"] == Ratio(1, 3)  # D11's reused attachment is February's
    assert rates["on_time"] == Ratio(4, 5)
    assert rates["legal_on_time"] == Ratio(5, 5)


def test_satisfaction(known_set, ctx):
    ind = _indicators()
    c = ind.completed
    assert [c[f"rating_{n}"] for n in range(1, 6)] == [0, 1, 0, 1, 1]
    assert (c["rated"], ind.rating_average, ind.satisfied) == (3, 11 / 3, Ratio(2, 3))


def test_decision_766_scores(known_set, ctx):
    scores = {g.key: (g.score, g.weight, g.points) for g in _indicators().scores}
    assert scores == {
        "progress": (80.0, 20, 16.0),
        "online_service": (50.0, 12, 6.0),  # (7/12 + 5/12) ÷ 2
        "online_payment": (36.4, 10, 3.64),
        "digitization": (58.9, 22, 12.96),  # (3/5 + 10/12 + 1/3) ÷ 3 = 0.5889
        "satisfaction": (66.7, 18, 12.01),
    }


def test_an_agency_and_a_procedure(known_set, ctx):
    police = _indicators(agency=POLICE)
    assert (police.received["received"], police.received["online"], police.completed["completed"]) == (11, 6, 4)
    assert police.rates["online_payment"] == Ratio(4, 11)
    assert police.rates["e_result"] == Ratio(2, 4)
    assert police.median_minutes == (540 + 1320) / 2  # 480, 540, 1,320, 1,440: the middle two
    birth = _indicators(procedure="1.001193")
    assert (birth.received["received"], birth.completed["completed"], birth.completed["on_time"]) == (1, 1, 1)
    assert [row.procedure.code for row in _indicators().procedures] == ["1.004194", "1.001193"]


def test_months_and_procedures_add_up_to_the_totals(known_set, ctx):
    ind = compute_indicators(parse_scope({"from": "2026-02-01", "to": "2026-03-31"}), now=to_db(NOW))
    assert [(m.month.key, m.received["received"], m.received["online"], m.completed["completed"],
             m.completed["early"] + m.completed["on_time"]) for m in ind.months] == [
        ("2026-02", 1, 0, 0, 0),
        ("2026-03", 12, 7, 5, 4),
    ]
    assert sum(p.received["received"] for p in ind.procedures) == ind.received["received"] == 13


@pytest.mark.parametrize(
    ("measure", "names"),
    [
        ("on_time", {"D2", "D6"}),
        ("late", {"D3"}),
        ("legal_on_time", {"D2", "D3", "D6"}),
        ("overdue", {"D8"}),
        ("at_risk", {"D9"}),
        ("paused", {"D10"}),
        ("withdrawn", {"D4"}),
        ("paid_online", {"D1", "D3", "D7", "D10"}),
        ("rating_5", {"D1"}),
        ("time_saved", {"D1", "D3"}),
    ],
)
def test_drill_down_lists_the_dossiers_counted(known_set, ctx, measure, names):
    codes = {d.code for d in db.session.execute(dossiers_behind(parse_scope(MARCH), measure, now=to_db(NOW))).scalars()}
    assert codes == {known_set.codes[name] for name in names}
