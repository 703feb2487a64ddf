"""Personal ID numbers stay with their owners: masked in every log record, absent from public
pages (ASVS V7.1, V8.3; Luật Bảo vệ dữ liệu cá nhân). The audit trail's append-only hash chain
is tested in tests/audit."""
from __future__ import annotations

import logging

from flask import Flask

PERSONAL_ID = "001090012345"
MASKED = "********2345"


def test_the_apps_own_log_records_are_masked(app: Flask, caplog):
    with caplog.at_level(logging.INFO):
        app.logger.warning("Citizen %s signed in", PERSONAL_ID)
        logging.getLogger("portal.notifications.delivery").info(f"SMS to the holder of {PERSONAL_ID}")
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [f"Citizen {MASKED} signed in", f"SMS to the holder of {MASKED}"]
    assert PERSONAL_ID not in caplog.text


def test_access_logs_and_tracebacks_are_masked(app: Flask, caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET /eforms/person?personal_id=%s HTTP/1.1" 200 -', PERSONAL_ID)
        try:
            raise ValueError(f"no register record for {PERSONAL_ID}")
        except ValueError:
            logging.getLogger("gunicorn.error").exception("Lookup failed")
    assert PERSONAL_ID not in caplog.text
    assert f"personal_id={MASKED}" in caplog.text and f"no register record for {MASKED}" in caplog.text


def test_a_crash_while_handling_an_id_logs_it_masked(make_app, caplog):
    app = make_app()

    @app.route("/_test/crash/<personal_id>")
    def crash(personal_id: str):
        raise RuntimeError(f"cannot process {personal_id}")

    with caplog.at_level(logging.ERROR):
        assert app.test_client().get(f"/_test/crash/{PERSONAL_ID}").status_code == 500
    assert "cannot process ********2345" in caplog.text and PERSONAL_ID not in caplog.text


def test_public_tracking_never_shows_the_personal_id_or_the_full_name(app: Flask, browser_as, world):
    from sqlalchemy import select

    from portal.dossiers.models import Dossier
    from portal.extensions import db

    with app.app_context():
        name = db.session.execute(select(Dossier.applicant_name).where(Dossier.code == world.submitted)).scalar_one()
    client = browser_as("anonymous")
    page = client.get(f"/track?code={world.submitted}").get_data(as_text=True)
    api = client.get(f"/api/v1/tracking/{world.submitted}").get_data(as_text=True)
    for public in (page, api):
        assert world.citizen_a not in public and world.citizen_a[-4:] not in public
        assert name not in public
    assert name.split()[0] in page  # the family name, then initials: "Nguyễn V*** A"
