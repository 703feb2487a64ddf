"""Taking a dossier to its signed result, as the officers of its agency would."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.auth.models import User
from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.conftest import Officer

# Which officers work at the agency that handles each demo procedure (portal.demo.seed).
TEAMS = {
    "1.004222": "1", "1.004194": "1",
    "1.001193": "2", "1.004873": "2", "2.000720": "2",
    "2.000505": "3",
}
INTERNAL_NOTE = "GHI CHÚ NỘI BỘ: hồ sơ đủ điều kiện. Đề nghị phê duyệt"
# The lines the specialist must choose before a result can be approved (no default).
CHECKED = {"2.000505": {"convictions": "Không có án tích"}}


def team(app, procedure: str) -> dict[str, Officer]:
    n = TEAMS[procedure]
    return {role: Officer(app, f"{role}{n}") for role in ("intake", "specialist", "leader")}


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def choose(officer: Officer, code: str, **choices: str):
    """The specialist records choices on the result draft; returns the response."""
    page = officer.client.get(f"/officer/dossiers/{code}/result").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return officer.client.post(f"/officer/dossiers/{code}/result", data={"version": version, **choices})


def take_to_proposal(app, code: str, procedure: str, *, refusal: bool = False, note: str = INTERNAL_NOTE,
                     choices: dict[str, str] | None = None) -> dict[str, Officer]:
    officers = team(app, procedure)
    assert officers["intake"].act(code, "accept").status_code == 302
    specialist = f"specialist{TEAMS[procedure]}"
    assert officers["intake"].act(code, "assign", assignee=str(user_id(app, specialist))).status_code == 302
    choices = CHECKED.get(procedure, {}) if choices is None else choices
    if choices:
        assert choose(officers["specialist"], code, **choices).status_code == 302
    form = {"note": note}
    if refusal:
        form["is_refusal"] = "1"
    assert officers["specialist"].act(code, "propose_result", **form).status_code == 302
    return officers


def approve(app, code: str, procedure: str, **kwargs) -> tuple[dict[str, Officer], bytes]:
    officers = take_to_proposal(app, code, procedure, **kwargs)
    assert officers["leader"].act(code, "approve").status_code == 302
    response = officers["leader"].client.get(f"/officer/dossiers/{code}/result.pdf")
    assert response.status_code == 200
    return officers, response.data


def dossier_of(app, code: str) -> Dossier:
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
        _ = (dossier.result_document, dossier.agency)
        db.session.expunge_all()
        return dossier


def save_for_inspection(pdf: bytes, name: str) -> None:
    """Keep a copy of a result under $RESULT_PDF_DIR when set (to look at it as a person would)."""
    import os
    from pathlib import Path

    directory = os.environ.get("RESULT_PDF_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / name).write_bytes(pdf)
