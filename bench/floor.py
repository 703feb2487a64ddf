"""Pages that only the benchmarks ask for (issue 19: "make the figures tell which").

- :data:`FLOOR_PATH`, the signed-in floor: what each signed-in page does around its own content,
  as every page does it (the session cookie read and checked, the signed-in person loaded and the
  session's time-outs applied, the layout drawn, for an officer with the sizes of the officer's
  queues, the request's transaction committed, the security headers added), with one paragraph
  of content. The officer queue and the form step are this page plus their own content, so their
  figures minus this page's say what the page's own code costs, and this page's what any
  signed-in page of the stack costs on the machine. ``bench.wrk_load`` runs it under load
  (:mod:`bench.floor_app` serves it), ``bench.profile_hot_paths --ladder`` in process.
- :data:`SHAPED_PATH`, the bare endpoint as issue 19 defines it: "a bare Flask endpoint returning the
  same JSON shape" as the tracking API (a dossier's answer with seven timeline entries, built once,
  no database), a stricter floor for the tracking API's ratio than ``/healthz``'s two words
  (``bench.wrk_load --bare-path``).
- :data:`LADDER`, the rungs between the bare endpoint and a signed-in page, each adding one thing
  (the layout, a statement in the request's transaction, a statement outside one, a second
  statement, being signed in), measured in process by ``bench.profile_hot_paths --ladder``.

Never registered by the portal itself: :mod:`bench.floor_app` adds them to ``wsgi``'s app for the
benchmark's gunicorn, ``bench.profile_hot_paths`` to its own.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_login import login_required
from sqlalchemy import literal, select

from portal.extensions import db, reading_connection

FLOOR_PATH = "/bench/signed-in-floor"
SHAPED_PATH = "/bench/tracking-shaped"
#: A tracking API answer (portal.tracking.service.as_json), written out: its keys are checked
#: against a real answer's by tests/test_bench_pages.py.
TRACKING_SHAPED = {
    "code": "000.00.45.H26-241201-0001", "procedure_code": "9.000001",
    "procedure": "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "agency": "Bảo hiểm xã hội Thành phố Hà Nội",
    "status": "returned", "status_label": "Đã trả kết quả", "status_code": 10,
    "submitted_at": "2024-12-01T06:01:00+07:00", "received_at": "2024-12-03T08:32:00+07:00",
    "due_at": "2024-12-06T17:00:00+07:00", "legal_due_at": "2024-12-10T08:32:00+07:00", "is_due_estimated": False,
    "completed_at": "2024-12-11T13:30:00+07:00", "returned_at": "2024-12-12T04:42:00+07:00",
    "timeline": [{"at": f"2024-12-0{day}T08:00:00+07:00", "status": "Đang xử lý", "status_code": 4,
                  "note": "Hồ sơ được chuyển cho chuyên viên xử lý."} for day in range(1, 8)],
    "applicant": "Đ** H** Mai",
}
_STATEMENT = select(literal(1))

#: (path, who asks, what it adds to the rung before it), in order.
LADDER = (
    ("/healthz", "anonymous", "the bare endpoint: Flask, the portal's middleware, a small JSON body"),
    (SHAPED_PATH, "anonymous", "the tracking API's answer from memory: issue 19's bare endpoint (its JSON shape, "
     "no database)"),
    ("/bench/ladder/layout", "anonymous", "the layout with nothing of its own, nobody signed in"),
    ("/bench/ladder/statement", "anonymous", "one statement (SELECT 1) in the request's transaction, no layout: "
     "a session, a pooled connection, BEGIN, the statement, COMMIT"),
    ("/bench/ladder/statement-outside", "anonymous", "the same statement outside a transaction (AUTOCOMMIT, as "
     "tracking reads), no layout"),
    ("/bench/ladder/two-statements", "anonymous", "two statements in the request's transaction, no layout"),
    ("/bench/ladder/signed-in", "citizen", "signed in, no layout: the session checked, the person loaded (the "
     "request's first statement, in its transaction), the time-outs"),
    (FLOOR_PATH, "citizen", "the signed-in floor: the same with the layout"),
    (FLOOR_PATH, "officer", "the signed-in floor of an officer: the layout counts the officer's queues"),
)


def add_floor(app: Flask) -> None:
    """Register on ``app`` (before it serves its first request) :data:`FLOOR_PATH`,
    :data:`SHAPED_PATH` and the ladder's layout for nobody signed in, the page the floor draws."""
    page = app.jinja_env.from_string(  # compiled once, as a template file is
        '{% extends "base.html" %}{% block title %}Floor{% endblock %}'
        "{% block content %}<h1>Floor</h1><p>Nothing of its own.</p>{% endblock %}"
    )

    def layout():
        return render_template(page)

    def tracking_shaped():
        return jsonify(TRACKING_SHAPED)

    app.add_url_rule(FLOOR_PATH, "bench_signed_in_floor", login_required(layout))
    app.add_url_rule(SHAPED_PATH, "bench_tracking_shaped", tracking_shaped)
    app.add_url_rule("/bench/ladder/layout", "bench_layout", layout)


def _statement():
    db.session.execute(_STATEMENT).scalar_one()
    return "one statement"


def _statement_outside():
    with reading_connection() as connection:
        connection.execute(_STATEMENT).scalar_one()
    return "one statement outside a transaction"


def _two_statements():
    db.session.execute(_STATEMENT).scalar_one()
    db.session.execute(_STATEMENT).scalar_one()
    return "two statements"


@login_required
def _signed_in():
    return "signed in"


#: The rungs only the ladder has (add_floor registers the others' pages).
_RUNGS = {
    "/bench/ladder/statement": _statement,
    "/bench/ladder/statement-outside": _statement_outside,
    "/bench/ladder/two-statements": _two_statements,
    "/bench/ladder/signed-in": _signed_in,
}


def add_ladder(app: Flask) -> None:
    """Register :data:`LADDER`'s rungs (the floor's too) on ``app``."""
    add_floor(app)
    for path, view in _RUNGS.items():
        app.add_url_rule(path, f"bench{view.__name__}", view)
