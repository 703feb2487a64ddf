"""Demo data: the catalog, the officer accounts, the demo PKI, a 10,000-person register and,
with ``--history N``, N months of past dossiers so the statistics mean something.

``flask --app portal seed-demo`` is safe to run again: it updates the catalog, adds missing
officers, generates the register only when it is empty and the history only when no dossier
was submitted before today.
"""
from __future__ import annotations

from datetime import date, datetime, time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select

from portal.auth.models import User
from portal.auth.operations import create_officer
from portal.catalog.models import Agency, Procedure
from portal.catalog.service import upsert_catalog, working_calendar
from portal.deadlines import VN_TZ
from portal.demo.history import (
    PLACEHOLDER_PDF,
    PLACEHOLDER_SHA256,
    Answers,
    Applicant,
    HistoryGenerator,
    ProcedureSpec,
    Staff,
    first_ids,
    insert_batch,
    plain_answers,
    reset_sequences,
    write_counters,
)
from portal.dossiers.models import Dossier, DossierCodeCounter
from portal.dossiers.storage import file_store
from portal.eforms.definitions import get_form_definition
from portal.eforms.prefill import registry_prefill
from portal.extensions import db
from portal.paperwork import ensure_demo_pki, ensure_nss_db
from portal.registry import RegistryUnavailable, get_registry
from portal.registry.generator import generate_register
from portal.registry.models import Person
from portal.registry.store import get_engine
from portal.submission.operations import procedure_snapshot
from portal.timeutil import to_db
from portal.workflow.results import pki_dir

DEMO_PASSWORD = "demo-password"
DEMO_REGISTER_SIZE = 10_000
DEMO_REGISTER_SEED = 2025
DEMO_HISTORY_SEED = 766
DEMO_HISTORY_PER_MONTH = 400
DEMO_HISTORY_APPLICANTS = 2_000
# How often each demo procedure is asked for, relative to the others.
DEMO_PROCEDURE_WEIGHTS = {"1.004194": 4, "1.004222": 3, "1.001193": 3, "2.000505": 2, "1.004873": 1.5, "2.000720": 1}

# username, full name, role, agency code
DEMO_OFFICERS = (
    ("intake1", "Nguyễn Thị Hồng", "intake", "000.09.27.H26"),
    ("specialist1", "Trần Văn Minh", "specialist", "000.09.27.H26"),
    ("leader1", "Lê Quang Dũng", "leader", "000.09.27.H26"),
    ("admin", "Phạm Thu Trang", "admin", "000.09.27.H26"),
    ("intake2", "Đỗ Thị Lan", "intake", "000.09.19.H26"),
    ("specialist2", "Vũ Đức Anh", "specialist", "000.09.19.H26"),
    ("leader2", "Hoàng Văn Thắng", "leader", "000.09.19.H26"),
    ("intake3", "Bùi Thị Mai", "intake", "000.00.19.H26"),
    ("specialist3", "Đặng Quốc Huy", "specialist", "000.00.19.H26"),
    ("leader3", "Ngô Thanh Hà", "leader", "000.00.19.H26"),
    ("intake4", "Lý Thị Thu", "intake", "000.00.45.H26"),
    ("specialist4", "Trịnh Văn Nam", "specialist", "000.00.45.H26"),
    ("leader4", "Phan Thị Yến", "leader", "000.00.45.H26"),
)


def seed_officers() -> int:
    """Create the demo officers that do not exist yet; returns how many were created."""
    agencies = {a.code: a.id for a in db.session.execute(select(Agency)).scalars()}
    existing = set(db.session.execute(select(User.username).where(User.username.is_not(None))).scalars())
    created = 0
    for username, full_name, role, agency_code in DEMO_OFFICERS:
        if username not in existing:
            create_officer(username, DEMO_PASSWORD, full_name, role, agencies[agency_code])
            created += 1
    return created


def seed_pki() -> None:
    """The demo certificate authority and one signing certificate per agency (results are signed)."""
    agencies = db.session.execute(select(Agency).order_by(Agency.code)).scalars()
    ensure_demo_pki(pki_dir(), [(a.code, a.name_vi) for a in agencies])
    # An NSS database trusting the demo CA: `pdfsig -nssdir <PKI_DIR>/nssdb result.pdf` (README).
    ensure_nss_db(pki_dir())


def seed_reference_data() -> None:
    upsert_catalog(update_existing=False)
    seed_officers()
    seed_pki()


def count_register_people(url: str) -> int:
    engine = get_engine(url)
    if not inspect(engine).has_table(Person.__tablename__):
        return 0
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Person)).scalar_one()


def seed_history(months: int, *, per_month: int = DEMO_HISTORY_PER_MONTH, seed: int = DEMO_HISTORY_SEED) -> int:
    """Past dossiers of the demo agencies for the current month so far and the ``months − 1``
    before it (the statistics' default period), from register citizens; returns how many.

    Nothing is added when a dossier was submitted before today: history is made once, on a
    portal that has none. See :mod:`portal.demo.history` for how each dossier lives.
    """
    today = datetime.now(VN_TZ).date()
    end = datetime.combine(today, time(), VN_TZ)
    if db.session.execute(select(Dossier.id).where(Dossier.submitted_at < to_db(end)).limit(1)).first():
        return 0
    month_index = today.year * 12 + today.month - months
    start = datetime(month_index // 12, month_index % 12 + 1, 1, tzinfo=VN_TZ)
    procedures = [
        ProcedureSpec(p.id, p.agency_id, p.agency.code, p.version, procedure_snapshot(p),
                      DEMO_PROCEDURE_WEIGHTS.get(p.code, 1))
        for p in db.session.execute(select(Procedure).where(Procedure.is_published.is_(True)).order_by(Procedure.code)).scalars()
        if not p.is_linked  # a linked dossier is its components' dossiers, each counted at its agency
    ]
    staff = {}
    for agency_id in {p.agency_id for p in procedures}:
        officers = {
            role: user_id for role, user_id in db.session.execute(
                select(User.role, func.min(User.id)).where(User.agency_id == agency_id, User.is_enabled.is_(True))
                .group_by(User.role)
            )
        }
        staff[agency_id] = Staff(officers["intake"], officers["specialist"], officers["leader"])
    file_store().save(f"{PLACEHOLDER_SHA256}.pdf", PLACEHOLDER_PDF)
    conn = db.session.connection()
    generator = HistoryGenerator(
        procedures, staff, _register_applicants(DEMO_HISTORY_APPLICANTS), working_calendar(),
        start=start, end=end, seed=seed, first_ids=first_ids(conn), counters=_code_counters(),
        answers_for=_register_answers, storage_name=f"{PLACEHOLDER_SHA256}.pdf",
    )
    count = per_month * months
    for batch in generator.batches(count):
        insert_batch(conn, batch)
    write_counters(conn, generator)
    reset_sequences(conn)
    return count


def _register_applicants(limit: int) -> list[Applicant]:
    """Adults of the mock register (every 3rd by ID, so households are mixed), as applicants."""
    born_before = date(datetime.now().year - 18, 1, 1)
    with get_engine(current_app.config["REGISTRY_DATABASE_URL"]).connect() as conn:
        rows = conn.execute(
            select(Person.personal_id, Person.full_name).where(Person.date_of_birth < born_before)
            .order_by(Person.personal_id).limit(limit * 3)
        ).all()
    return [Applicant(pid, name) for pid, name in rows[::3]]


def _register_answers(applicant: Applicant, procedure: ProcedureSpec) -> Answers:
    """The answers the e-form would have prefilled from the register for this applicant."""
    registry = get_registry()
    try:
        person = registry.get_person(applicant.personal_id)
        locked = registry_prefill(get_form_definition(procedure.snapshot["code"]), person, registry.get_person)
    except (RegistryUnavailable, LookupError):
        return plain_answers(applicant, procedure)
    return Answers(dict(locked), {key: "registry" for key in locked}, locked)


def _code_counters() -> dict[tuple[int, date], int]:
    return {
        (agency_id, day): last for agency_id, day, last in db.session.execute(
            select(DossierCodeCounter.agency_id, DossierCodeCounter.day, DossierCodeCounter.last_value)
        )
    }


@click.command("seed-demo")
@click.option("--register-size", default=DEMO_REGISTER_SIZE, show_default=True, help="People in the mock register.")
@click.option("--history", "history_months", default=0, show_default=True, type=click.IntRange(0, 36),
              help="Months of past dossiers to generate (the current one included), for the statistics.")
@click.option("--history-per-month", default=DEMO_HISTORY_PER_MONTH, show_default=True, type=click.IntRange(1),
              help="Dossiers per month of history, over all demo agencies.")
@click.option("--history-seed", default=DEMO_HISTORY_SEED, show_default=True, help="Seed of the history.")
@with_appcontext
def seed_demo_command(register_size: int, history_months: int, history_per_month: int, history_seed: int) -> None:
    """Load the demo catalog, officers, (when empty) the mock population register and, with
    ``--history N``, N months of past dossiers."""
    count = upsert_catalog(update_existing=False)
    created = seed_officers()
    seed_pki()
    db.session.commit()
    click.echo(f"Catalog: {count} procedures. Officers created: {created}.")
    url = current_app.config["REGISTRY_DATABASE_URL"]
    people = count_register_people(url)
    if people:
        click.echo(f"Register already holds {people} people; left as it is.")
    else:
        generate_register(url, count=register_size, seed=DEMO_REGISTER_SEED)
        click.echo(f"Register: {register_size} people generated (seed {DEMO_REGISTER_SEED}).")
    if history_months:
        added = seed_history(history_months, per_month=history_per_month, seed=history_seed)
        db.session.commit()
        if added:
            click.echo(f"History: {added} dossiers over {history_months} months (seed {history_seed}).")
        else:
            click.echo("History: dossiers submitted before today already exist; none added.")
