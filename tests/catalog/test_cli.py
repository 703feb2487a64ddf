"""``flask deadline``: the deadline report of a receipt as JSON, run against a stand-in for the
catalog's rules and calendar, without the portal's app."""
from __future__ import annotations

import json
import types

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from portal.catalog.cli import deadline_command
from portal.deadlines import ProcessingTime, WorkingCalendar

CAL = WorkingCalendar()
SEVEN_DAYS = ProcessingTime(7, "working_days")


@pytest.fixture
def run_command(monkeypatch: pytest.MonkeyPatch):
    """Runs ``deadline`` with a stand-in for the catalog's rules and calendar (no database)."""
    rules = types.SimpleNamespace(processing_time=SEVEN_DAYS, discount_pct=20, supplement_policy="pause")
    monkeypatch.setattr("portal.catalog.cli.procedure_rules", lambda code: rules if code == "1.001" else None)
    monkeypatch.setattr("portal.catalog.cli.working_calendar", lambda: CAL)

    def run(*args: str):
        return CliRunner().invoke(deadline_command, list(args), obj=ScriptInfo(create_app=lambda: Flask(__name__)))

    return run


def test_command_prints_the_report(run_command) -> None:
    result = run_command(
        "--procedure", "1.001", "--received", "2026-03-06T19:45", "--channel", "online", "--delivery", "online",
        "--pause", "2026-03-09T16:00/2026-03-10T07:00", "--lang", "en",
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["procedure"] == "1.001"
    assert (printed["working_hours"], printed["committed_working_hours"]) == (56, 44)
    assert printed["legal_due_at"] == "2026-03-18T08:30:00+07:00"
    assert printed["due_at"] == "2026-03-16T14:00:00+07:00"  # 11:30 + 1 h after the lunch break
    assert printed["explanation"][5] == (
        "paused from 16:00 Monday 09/03/2026 to 07:00 Tuesday 10/03/2026: 1 working hour"
        " → due moves to 14:00 Monday 16/03/2026"
    )


def test_command_refuses_an_unknown_procedure_and_a_bad_time(run_command) -> None:
    unknown = run_command("--procedure", "9.999", "--received", "2026-03-06T19:45")
    assert unknown.exit_code == 2
    assert "no procedure has the code '9.999'" in unknown.output
    bad = run_command("--procedure", "1.001", "--received", "06/03/2026")
    assert bad.exit_code == 2
    assert "is not an ISO 8601 date and time" in bad.output
    backwards = run_command(
        "--procedure", "1.001", "--received", "2026-03-06T19:45", "--pause", "2026-03-10T09:00/2026-03-09T09:00"
    )
    assert backwards.exit_code == 2
    assert "ends before it starts" in backwards.output
