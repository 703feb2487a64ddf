"""The demo history lives by the workflow's own rules, not by a second state machine beside them.

Its rows are written in bulk, never through ``apply_transition``, so nothing but this check
would notice a generated life that the portal could not have lived: a step the transition table
refuses, a clock entry no step made, or a column an effect guarantees left out.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.deadlines import ClockEventKind
from portal.dossiers.models import Dossier
from portal.dossiers.postal import is_valid_tracking_number
from portal.extensions import db
from portal.workflow.transitions import TRANSITIONS, check_step


def _illegal_steps(dossier: Dossier) -> list[str]:
    """What the table does not allow in the dossier's events: each step for its role, chained
    from the draft to the dossier's status."""
    events = dossier.events
    problems = [f"{e.action} {e.from_status}→{e.to_status} by {e.actor_role}: {why}" for e in events
                if (why := check_step(e.action, e.from_status, e.to_status, e.actor_role))]
    problems += [f"{after.action} starts from {after.from_status}, the step before left {before.to_status}"
                 for before, after in zip(events, events[1:]) if after.from_status != before.to_status]
    if (events[0].action, events[0].from_status) != ("submit", "draft"):
        problems.append(f"the first step is {events[0].action} from {events[0].from_status}")
    if events[-1].to_status != dossier.status:
        problems.append(f"the last step leaves {events[-1].to_status}, the dossier is {dossier.status}")
    return problems


def _clock_mismatches(dossier: Dossier) -> list[str]:
    """The ledger holds exactly the entries the events' transitions append, in their order, at
    their times and by their actors: one per step that may touch the clock, from the step that
    starts it on (``request_supplement``, ``stop`` and ``withdraw`` leave none before that)."""
    expected = []
    for e in dossier.events:
        kinds = TRANSITIONS[e.action].clock
        if kinds and (expected or ClockEventKind.START in kinds):
            expected.append((e.action, kinds, e.at, e.actor_id))
    entries = dossier.clock
    problems = [f"{action} at {at} by {actor_id} should append one of {sorted(kinds)}, "
                f"not {entry.kind} at {entry.at} by {entry.actor_id}"
                for (action, kinds, at, actor_id), entry in zip(expected, entries)
                if entry.kind not in kinds or (entry.at, entry.actor_id) != (at, actor_id)]
    if len(entries) != len(expected):
        problems.append(f"{len(entries)} clock entries for {len(expected)} steps that append one")
    return problems


def _missing_effects(dossier: Dossier) -> list[str]:
    """What the effects of the dossier's steps would have left on it and the history did not:
    a valid tracking number once shipped, the supplement's flag and return status, and the
    proposed new appointment while it awaits the leader."""
    actions = [e.action for e in dossier.events]
    requested_from = next((e.from_status for e in dossier.events if e.action == "request_supplement"), None)
    extensions = [a for a in actions if a in ("propose_extension", "approve_extension")]
    number = dossier.postal_tracking_number
    problems = []
    if ("ship" in actions) != (number is not None) or (number is not None and not is_valid_tracking_number(number)):
        problems.append(f"tracking number {number!r} after {actions}")
    if (dossier.has_new_supplement, dossier.supplement_return_status) != ("supplement" in actions, requested_from):
        problems.append(f"supplement flag and return status {dossier.has_new_supplement}, "
                        f"{dossier.supplement_return_status!r} after {actions}")
    if (dossier.extension_due_at is not None) != (extensions[-1:] == ["propose_extension"]):
        problems.append(f"extension due {dossier.extension_due_at} after {extensions}")
    return problems


def test_every_generated_life_follows_the_transition_table_and_its_clock(app, runner):
    result = runner.invoke(args=["seed-demo", "--history", "2", "--history-per-month", "80"])
    assert "History: 160 dossiers" in result.output, result.output
    with app.app_context():
        dossiers = db.session.execute(select(Dossier).order_by(Dossier.id)).scalars().all()
        assert len(dossiers) == 160
        problems = {
            d.code: found for d in dossiers
            if (found := _illegal_steps(d) + _clock_mismatches(d) + _missing_effects(d))
        }
        assert problems == {}
        # The lives checked go through the clock's main paths, not only submission.
        assert {c.kind for d in dossiers for c in d.clock} >= {"start", "pause", "close"}
        assert {e.action for d in dossiers for e in d.events} >= {"accept", "supplement", "approve", "ship"}
