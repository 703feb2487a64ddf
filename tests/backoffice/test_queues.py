"""Queue lists at scale: what the deadline filters include, and a capped count."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.auth.models import User
from portal.backoffice import queues
from portal.catalog.models import Procedure
from portal.deadlines import VN_TZ
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


def test_a_thousand_dossiers_read_as_a_thousand_in_the_navigation_and_the_heading(app, officers, monkeypatch):
    monkeypatch.setattr("portal.backoffice.views.counts", lambda queues, user: {q.key: 1_000 for q in queues})
    page = officers["intake1"].client.get("/officer/queues/intake").get_data(as_text=True)
    assert '<span class="nav-count">1.000</span>' in page and '<span class="nav-count">1000</span>' not in page
    assert re.search(r"<h1>[^<]*<span[^>]*>\(1\.000\)</span>", page)


def test_each_filter_keeps_the_dossiers_it_names_and_only_those(app, make_dossier, officers):
    recent, older, other = make_dossier(), make_dossier(), make_dossier()
    officers["intake1"].act(recent, "accept")
    with app.app_context():
        agency_id = db.session.execute(select(Dossier.agency_id).where(Dossier.code == other)).scalar_one()
        procedure = db.session.execute(
            select(Procedure).where(Procedure.agency_id == agency_id, Procedure.code != "1.004194",
                                    Procedure.is_published.is_(True)).limit(1)
        ).scalar_one()
        procedure_id, procedure_code = procedure.id, procedure.code
    _set(app, older, submitted_at=utcnow() - timedelta(days=10), channel="counter")
    _set(app, other, procedure_id=procedure_id)
    today = datetime.now(VN_TZ).date()  # the filters' days are Vietnam's
    ten_days_ago = today - timedelta(days=10)

    def listed(**filters: str) -> set[str]:
        args = {"procedure": "", "status": "", "channel": "", "deadline": "", "from": "", "to": "", **filters}
        page = officers["intake1"].client.get("/officer/queues/all", query_string=args).get_data(as_text=True)
        return {code for code in (recent, older, other) if code in page}

    assert listed() == {recent, older, other}
    assert listed(procedure="1.004194") == {recent, older}
    assert listed(procedure=procedure_code) == {other}
    assert listed(status="accepted") == {recent}
    assert listed(status="submitted") == {older, other}
    assert listed(channel="counter") == {older}
    assert listed(channel="online") == {recent, other}
    assert listed(**{"from": (today - timedelta(days=5)).isoformat()}) == {recent, other}
    assert listed(to=(today - timedelta(days=5)).isoformat()) == {older}
    assert listed(**{"from": ten_days_ago.isoformat(), "to": ten_days_ago.isoformat()}) == {older}
    assert listed(procedure="1.004194", channel="online") == {recent}


def test_a_page_past_the_end_still_says_how_many_there_are(app, make_dossier, officers):
    codes = [make_dossier() for _ in range(2)]
    page = officers["intake1"].client.get("/officer/queues/all?page=9").get_data(as_text=True)
    assert not any(code in page for code in codes)
    assert re.search(r"<h1>[^<]*<span[^>]*>\(2\)", page)


def test_a_page_past_what_the_links_reach_is_the_last_page_they_reach(app, make_dossier, officers, monkeypatch):
    """The list's links reach the page holding its COUNT_CAP-th dossier; an address past it, even
    one larger than any offset the database takes (a 500 on PostgreSQL once), shows that page."""
    codes = [make_dossier() for _ in range(21)]  # oldest submitted first: the 21st is on page 2
    monkeypatch.setattr(queues, "COUNT_CAP", 20)
    monkeypatch.setattr("portal.backoffice.views.COUNT_CAP", 20)
    for number in ("2", "2147483647"):
        response = officers["intake1"].client.get(f"/officer/queues/all?page={number}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert all(code in page for code in codes[:20]) and codes[20] not in page
        assert "(nhiều hơn 20)" in page


def test_a_queue_page_reads_its_rows_and_its_size_in_one_statement(app, make_dossier, officers):
    codes = [make_dossier() for _ in range(3)]
    page, statements = _page_and_statements(app, officers["intake1"].client, "/officer/queues/all")
    assert all(code in page for code in codes)
    assert re.search(r"<h1>[^<]*<span[^>]*>\(3\)", page)
    reading_dossiers = [s for s in statements if "from dossiers" in s.lower()]
    # the navigation's counts, and the page's rows with the list's size
    assert len(reading_dossiers) == 2


def test_a_queue_first_page_writes_its_size_into_its_statement(app, make_dossier, officers):
    """The first page's size and the count's cap are written into its statement, leaving the
    agency (and the filters' values) as the parameters that change: PostgreSQL then plans it once
    per connection instead of on every view. With a parameter for the limit its plan made once would sort the agency's
    dossiers, so PostgreSQL plans each view afresh (0.6 ms at 1,000,000 dossiers)."""
    code = make_dossier()
    client = officers["intake1"].client
    page, statements = _page_and_statements(app, client, "/officer/queues/all")
    assert code in page
    listing = next(s for s in statements if "AS total" in s)
    assert re.search(r"LIMIT 20\b", listing) and re.search(r"LIMIT 1001\b", listing)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return  # SQLite is not told plans apart (and SQLAlchemy writes it OFFSET 0 anyway)
    assert "OFFSET" not in listing
    # A later page's offset stays a parameter (any page may be asked for): one statement for all.
    _later, statements = _page_and_statements(app, client, "/officer/queues/all?page=2")
    listing = next(s for s in statements if "AS total" in s or "ORDER BY dossiers.due_at" in s and "LIMIT 20" in s)
    assert "OFFSET %(offset)s" in listing


def _in_queue_order(app, codes: list[str], statuses: set[str]) -> list[str]:
    """``codes`` whose state is one of ``statuses``, earliest due first, those without a due time
    last by submission (what every page of a queue shows, in order)."""
    with app.app_context():
        rows = db.session.execute(
            select(Dossier.code, Dossier.due_at, Dossier.submitted_at, Dossier.id)
            .where(Dossier.code.in_(codes), Dossier.status.in_(statuses))
        ).all()
    return [r.code for r in sorted(rows, key=lambda r: (r.due_at is None, r.due_at or r.submitted_at, r.submitted_at, r.id))]


def _every_page(app, key: str, size: int, **filters) -> list[str]:
    with app.app_context():
        officer = db.session.execute(select(User).where(User.username == "intake1")).scalar_one()
        shown: list[str] = []
        for page in range(1, 20):
            rows, total = queues.page_of(queues.QUEUES[key], officer, queues.Filters(**filters), page, size,
                                         now=datetime.now(VN_TZ), lang="vi")
            shown += [r.code for r in rows]
            if not rows:
                break
        assert total == len(shown)
        return shown


def test_every_page_of_a_queue_keeps_the_order_across_its_states(app, make_dossier, officers):
    """A page merges the first rows of each of the queue's states: paged one to three rows at a
    time, a queue of dossiers in six states shows each once, in due order across the states."""
    codes = [make_dossier() for _ in range(9)]
    now = utcnow()
    states = ["in_process", "returned", "result_ready", "accepted", "submitted", "in_process", "shipped",
              "returned", "submitted"]
    dues = {}
    for index, (code, status) in enumerate(zip(codes, states, strict=True)):
        # Due times interleave the states (a returned dossier was due between two running ones).
        dues[code] = None if status == "submitted" else now + timedelta(hours=(index * 7) % 11 - 5)
        _set(app, code, status=status, due_at=dues[code], at_risk_from=dues[code])
    assert _every_page(app, "all", 2) == _in_queue_order(app, codes, set(states))
    assert _every_page(app, "returns", 2) == _in_queue_order(app, codes, {"result_ready", "shipped"})
    assert _every_page(app, "all", 3, status="returned") == _in_queue_order(app, codes, {"returned"})
    running = _in_queue_order(app, codes, {"in_process", "accepted"})
    assert _every_page(app, "all", 1, deadline="overdue") == [c for c in running if dues[c] < now] != []
