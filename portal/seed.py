"""Demo data: the catalog, the officer accounts, the demo PKI and a 10,000-person register.

``flask --app portal seed-demo`` is safe to run again: it updates the catalog, adds missing
officers and generates the register only when it is empty.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.operations import create_officer
from portal.catalog.models import Agency
from portal.catalog.service import upsert_catalog
from portal.extensions import db

DEMO_PASSWORD = "demo-password"
DEMO_REGISTER_SIZE = 10_000
DEMO_REGISTER_SEED = 2025

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
    from portal.backoffice.operations import pki_dir
    from portal.paperwork import ensure_demo_pki

    agencies = db.session.execute(select(Agency).order_by(Agency.code)).scalars()
    ensure_demo_pki(pki_dir(), [(a.code, a.name_vi) for a in agencies])


def seed_reference_data() -> None:
    upsert_catalog(update_existing=False)
    seed_officers()
    seed_pki()


def count_register_people(url: str) -> int:
    from sqlalchemy import inspect

    from portal.registry.models import Person
    from portal.registry.store import get_engine

    engine = get_engine(url)
    if not inspect(engine).has_table(Person.__tablename__):
        return 0
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Person)).scalar_one()


@click.command("seed-demo")
@click.option("--register-size", default=DEMO_REGISTER_SIZE, show_default=True, help="People in the mock register.")
@with_appcontext
def seed_demo_command(register_size: int) -> None:
    """Load the demo catalog, officers and (when empty) the mock population register."""
    from portal.registry.generator import generate_register

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
