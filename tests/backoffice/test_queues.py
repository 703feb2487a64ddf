"""Queue lists at scale: what the deadline filters include, and a capped count."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from portal.backoffice import queues
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.timeutil import utcnow
from tests.statements import statements_sent


def _set(app, code: str, **values) -> None:
    with app.app_context():
        db.session.execute(update(Dossier).where(Dossier.code == code).values(**values))
        db.session.commit()


def test_overdue_lists_running_dossiers_only_not_finished_ones(app, make_dossier, officers):
    running, finished = make_dossier(), make_dossier()
    for code in (running, finished):
        officers["intake1"].act(code, "accept")
    past = utcnow() - timedelta(days=3)
    _set(app, running, due_at=past, at_risk_from=past - timedelta(days=1))
    # Returned long ago: its due time is in the past too, but no clock runs any more.
    _set(app, finished, due_at=past, at_risk_from=past - timedelta(days=1), status="returned", completed_at=past)

    page = officers["intake1"].client.get("/officer/queues/all?deadline=overdue").get_data(as_text=True)
    assert running in page
    assert finished not in page
    assert finished in officers["intake1"].client.get("/officer/queues/all?deadline=").get_data(as_text=True)


def test_a_paused_clock_is_not_overdue(app, make_dossier, officers):
    code = make_dossier()
    officers["intake1"].act(code, "accept")
    past = utcnow() - timedelta(days=3)
    # Waiting for the citizen's supplement: the stored due time moves on when the clock resumes.
    _set(app, code, due_at=past, at_risk_from=past, status="supplement_requested", is_clock_paused=True)
    for state in ("overdue", "at_risk", "within"):
        assert code not in officers["intake1"].client.get(f"/officer/queues/all?deadline={state}").get_data(as_text=True)
    assert code in officers["intake1"].client.get("/officer/queues/all?deadline=").get_data(as_text=True)


def test_a_long_queue_says_how_far_it_counted_and_suggests_the_filters(app, make_dossier, officers, monkeypatch):
    first, second = make_dossier(), make_dossier()
    monkeypatch.setattr(queues, "COUNT_CAP", 1)
    monkeypatch.setattr("portal.backoffice.views.COUNT_CAP", 1)
    page = officers["intake1"].client.get("/officer/queues/intake").get_data(as_text=True)
    assert "(nhiều hơn 1)" in page
    assert "lọc" in page
    # Nothing is hidden: the page still lists dossiers, earliest submitted first.
    assert page.index(first) < page.index(second)


def _page_and_statements(app, client, path: str) -> tuple[str, list[str]]:
    """The page at ``path`` and the SQL statements drawing it sent."""
    with statements_sent(app) as sent:
        page = client.get(path).get_data(as_text=True)
    return page, [s.sql for s in sent]


def test_a_queue_page_reads_the_calendar_once_whatever_its_rows(app, make_dossier, officers):
    codes = [make_dossier() for _ in range(3)]
    for code in codes:
        officers["intake1"].act(code, "accept")
    page, statements = _page_and_statements(app, officers["intake1"].client, "/officer/queues/to_assign")
    assert all(code in page for code in codes)
    assert sum("calendar_exceptions" in s for s in statements) == 1


def test_an_unfiltered_queue_counts_its_dossiers_once_for_the_navigation_and_the_heading(app, make_dossier, officers):
    codes = [make_dossier() for _ in range(2)]
    page, statements = _page_and_statements(app, officers["intake1"].client, "/officer/queues/intake")
    assert all(code in page for code in codes)
    # the bar and the phone menu both show the counts; one statement counts every queue, and the
    # unfiltered queue's own size in the heading is that count, not a second one
    assert sum("count(" in s.lower() for s in statements) == 1
    heading = re.search(r"<h1>[^<]*<span[^>]*>\((\d+)\)", page)
    navigation = re.search(r'href="/officer/queues/intake"[^>]*>[^<]*<span class="nav-count">(\d+)</span>', page)
    assert heading and navigation and heading.group(1) == navigation.group(1)
