"""Filling in a linked procedure's one e-form as a citizen would, and the agencies' officers
taking its component dossiers through their queues."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import delete, select

from portal.dossiers.models import Dossier, DossierGroup
from portal.eforms.definitions import get_form_definition
from portal.extensions import db
from portal.registry.models import Person
from portal.registry.store import get_engine
from tests.conftest import Officer
from tests.dossiers.helpers import PDF, current_draft
from tests.results.helpers import user_id

BIRTH, RESIDENCE, CARD = "1.001193", "1.004222", "9.000001"
DEATH, REMOVAL, FUNERAL = "1.000656", "1.003197", "9.000002"
# The team (intake, specialist, leader) of each component's agency in the demo seed.
TEAMS = {BIRTH: "2", DEATH: "2", RESIDENCE: "1", REMOVAL: "1", CARD: "4", FUNERAL: "4"}
AGENCIES = {"2": "000.09.19.H26", "1": "000.09.27.H26", "4": "000.00.45.H26"}


def newborn_answers(name: str) -> dict[str, str]:
    return {
        "child_full_name": name,
        "child_date_of_birth": (date.today() - timedelta(days=20)).isoformat(),
        "child_sex": "F",
        "birth_place": "Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Thành phố Hà Nội",
        "hospital": "tram_y_te_ba_dinh",
    }


def death_answers(deceased_id: str) -> dict[str, Any]:
    return {
        "relation_to_deceased": "child",
        "deceased": {"deceased-personal_id": deceased_id},
        "date_of_death": (date.today() - timedelta(days=2)).isoformat(),
        "time_of_death": "14:30",
        "place_of_death": "Bệnh viện Bạch Mai, Thành phố Hà Nội",
        "cause_of_death": "Bệnh già",
        "deceased_status": "pensioner",
        "bank_account": "0123456789",
        "bank_name": "Ngân hàng Nông nghiệp và Phát triển Nông thôn",
    }


def _as_form(field: Any, value: Any) -> dict[str, Any]:
    """What the page sends back for a value it shows already."""
    if field.type == "address":
        return {f"{field.key}-province": str(value["province_code"]), f"{field.key}-ward": str(value["ward_code"]),
                f"{field.key}-street": value["street"]}
    if field.type == "person":
        return {f"{field.key}-personal_id": value["personal_id"]}
    return {field.key: str(value)}


def fill_linked(app, client: FlaskClient, code: str, citizen_id: str, typed: dict[str, Any],
                channel: str = "online") -> tuple[Dossier, list[str]]:
    """Open the linked procedure's e-form (online, or at the counter by the signed-in intake
    officer) and answer it step by step: what is filled in stays, ``typed`` gives the rest.
    Returns the draft and the keys that had to be typed."""
    if channel == "counter":
        assert client.post("/officer/counter/new", data={"procedure": code, "personal_id": citizen_id}).status_code == 302
    else:
        assert client.get(f"/procedures/{code}/apply").status_code == 302
    typed_keys: list[str] = []
    for step in get_form_definition(code).steps:
        draft = current_draft(app, citizen_id, channel)
        data: dict[str, Any] = {}
        for field in step.fields:
            if not field.is_visible(draft.answers) or field.key in draft.locked:
                continue
            if field.type == "file":
                if field.required:
                    data[field.key] = (io.BytesIO(PDF.replace(b"%%EOF", f"%{field.key}\n%%EOF".encode())), "scan.pdf")
                continue
            known = draft.answers.get(field.key)
            if field.key in typed:
                typed_keys.append(field.key)
                value = typed[field.key]
                data.update(value if isinstance(value, dict) else {field.key: value})
            elif known not in (None, ""):
                data.update(_as_form(field, known))
            elif field.key == "child_ethnicity":  # the parents differ: the citizen picks the mother's
                typed_keys.append(field.key)
                data[field.key] = draft.answers["mother_ethnicity"]
            elif field.type == "address" and field.required:
                typed_keys.append(field.key)
                data.update({f"{field.key}-province": "1", f"{field.key}-ward": "4", f"{field.key}-street": "Số 12 phố Đội Cấn"})
            elif field.required:
                typed_keys.append(field.key)
                data[field.key] = "Con"
        response = client.post(f"/apply/{draft.public_id}/steps/{step.key}", data=data, content_type="multipart/form-data")
        assert response.status_code == 302, (step.key, re.findall(r'field-error[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S))
    draft = current_draft(app, citizen_id, channel)
    delivery = "online" if channel == "online" else "counter"
    assert client.post(f"/apply/{draft.public_id}/delivery", data={"delivery": delivery}).status_code == 302
    return draft, typed_keys


def submit_linked(app, client: FlaskClient, code: str, citizen_id: str, typed: dict[str, Any]) -> str:
    """Fill in and submit; returns the group code the confirmation page shows."""
    draft, _typed = fill_linked(app, client, code, citizen_id, typed)
    response = client.post(f"/apply/{draft.public_id}/submit", data={"payment": "none"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'data-dossier-code>([^<]+)<', page).group(1)


def group_of(app, group_code: str) -> dict[str, Dossier]:
    """The component dossiers of a group by procedure code, detached with what tests read."""
    with app.app_context():
        group = db.session.execute(select(DossierGroup).where(DossierGroup.code == group_code)).scalar_one()
        dossiers = {}
        for component in group.components:
            dossier = component.dossier
            _ = (dossier.clock, dossier.events, dossier.attachments, dossier.agency, dossier.linked)
            for a in dossier.attachments:
                _ = a.document
            dossiers[dossier.procedure_snapshot["code"]] = dossier
        db.session.expunge_all()
        return dossiers


def team(app, procedure: str) -> dict[str, Officer]:
    n = TEAMS[procedure]
    return {role: Officer(app, f"{role}{n}") for role in ("intake", "specialist", "leader")}


def approve(app, code: str, procedure: str, *, refusal: bool = False, note: str = "Hồ sơ đủ điều kiện.") -> dict[str, Officer]:
    """Accept (unless its agency received it through the linked procedure), assign, propose and
    approve (sign) a component as its agency's officers would."""
    officers = team(app, procedure)
    if "actions/accept" in officers["intake"].page(code):
        assert officers["intake"].act(code, "accept").status_code == 302
    specialist = user_id(app, f"specialist{TEAMS[procedure]}")
    assert officers["intake"].act(code, "assign", assignee=str(specialist)).status_code == 302
    form = {"note": note, **({"is_refusal": "1"} if refusal else {})}
    assert officers["specialist"].act(code, "propose_result", **form).status_code == 302
    response = officers["leader"].act(code, "approve")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return officers


def forget_people(register: str, names: list[str]) -> None:
    """Take the newborns a test added out of the shared test register again."""
    with get_engine(register).begin() as conn:
        conn.execute(delete(Person).where(Person.full_name.in_(names)))


def register_person(register: str, name: str) -> Person | None:
    from sqlalchemy.orm import Session

    with Session(get_engine(register)) as session:
        person = session.execute(select(Person).where(Person.full_name == name)).scalar_one_or_none()
        if person is not None:
            session.expunge(person)
        return person
