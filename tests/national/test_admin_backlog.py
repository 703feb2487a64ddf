"""The administration's home page shows how far the national portal is behind."""
from __future__ import annotations

import html
import re

from portal.extensions import db
from portal.notifications.national import deliver_batch
from tests.admin.helpers import sign_in
from tests.national.conftest import WALK, new_dossier, walk

CODE = "000.09.27.H26-260701-0301"


def _backlog(client) -> dict[str, str]:
    page = client.get("/admin/").get_data(as_text=True)
    section = re.search(r"<section[^>]*data-national-sync.*?</section>", page, re.S).group(0)
    facts = re.findall(r"<dd (data-national-[\w-]+)[^>]*>(.*?)</dd>", section, re.S)
    return {name: html.unescape(re.sub(r"\s+", " ", text)).strip() for name, text in facts}


def test_the_admin_home_shows_the_backlog_the_oldest_change_and_the_last_error(app, client, receiver, clock):
    sign_in(client, "admin")
    assert _backlog(client) == {
        "data-national-unsent": "None: every status change has been sent.",
        "data-national-last-error": "No error so far.",
    }
    receiver.control(fail_status=503)
    with app.app_context():
        walk(new_dossier(CODE), WALK[:3])
        db.session.commit()
        deliver_batch(now=clock.now)
    shown = _backlog(client)
    assert shown["data-national-unsent"] == "3"
    assert shown["data-national-oldest"].startswith(f"Dossier {CODE}, waiting since ")
    assert "the national portal answered 503" in shown["data-national-last-error"]
    receiver.control(fail_status=None)
    with app.app_context():
        deliver_batch(now=clock.advance(60))
    shown = _backlog(client)
    assert shown["data-national-unsent"] == "None: every status change has been sent."
    assert "503" in shown["data-national-last-error"]  # the last error stays on view, with its time
