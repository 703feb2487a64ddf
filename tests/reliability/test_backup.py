"""``flask --app portal backup`` / ``restore`` round-trip a portal with dossiers, documents, a
signed result and an audit trail: every row and every file comes back, the audit chain still
verifies, and the restored portal takes new dossiers."""
from __future__ import annotations

import hashlib
import io
import re
import tarfile
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.backup import _tables
from portal.dossiers.models import StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.registry import get_registry
from tests.conftest import Officer, login_citizen, login_officer
from tests.dossiers.helpers import submit_online


def _rows(app: Flask) -> dict[str, list[dict]]:
    with app.app_context():
        return {
            table.name: [dict(row) for row in db.session.execute(
                select(table).order_by(*(table.primary_key.columns or table.columns))
            ).mappings()]
            for table in _tables()
        }


def _files(app: Flask) -> dict[str, str]:
    with app.app_context():
        names = db.session.execute(select(StoredDocument.storage_name)).scalars()
        return {name: hashlib.sha256(file_store().read(name)).hexdigest() for name in names}


def _portal_in_use(app: Flask, citizen_id: str) -> None:
    """Two dossiers with documents, one of them accepted, processed and returned with a signed
    result; an administrator's change in the audit trail."""
    with app.app_context():
        other = get_registry().get_person(citizen_id).spouse_id
        specialist = db.session.execute(select(db.metadata.tables["users"].c.id).where(
            db.metadata.tables["users"].c.username == "specialist1")).scalar_one()
    citizen = app.test_client()
    login_citizen(citizen, citizen_id)
    submit_online(app, citizen, "1.004194", citizen_id, other)
    code = submit_online(app, citizen, "1.004222", citizen_id, other, delivery="post")
    intake, leader = Officer(app, "intake1"), Officer(app, "leader1")
    assert intake.act(code, "accept").status_code == 302
    assert intake.act(code, "assign", assignee=str(specialist)).status_code == 302
    assert Officer(app, "specialist1").act(code, "propose_result", note="Đủ điều kiện.").status_code == 302
    assert leader.act(code, "approve").status_code == 302
    admin = app.test_client()
    login_officer(admin, "admin")
    response = admin.post("/admin/calendar", data={"day": "2030-09-03", "kind": "day_off", "legal_reference": "Thông báo 01/TB"})
    assert response.status_code == 302


def test_backup_and_restore_round_trip(fresh_app, citizen_id, tmp_path: Path):
    source = fresh_app("backup_source")
    _portal_in_use(source, citizen_id)
    out = source.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    assert out.exit_code == 0, out.output
    archive = Path(re.search(r"Backup written: (\S+)", out.output).group(1))
    assert archive.parent == tmp_path and archive.name.endswith(".tar.gz")

    target = fresh_app("backup_target", seed=False)
    runner = target.test_cli_runner()
    restored = runner.invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert _rows(target) == _rows(source)
    files = _files(source)
    # The scan every upload used (the same bytes, stored once by hash), the declaration each of
    # the two dossiers generated from its e-form, and the signed result.
    assert len(files) == 4 and _files(target) == files
    with target.app_context():
        assert {d.storage_name: d.sha256 for d in db.session.execute(select(StoredDocument)).scalars()} == {
            name: digest for name, digest in files.items()
        }
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "Audit trail intact: 1 entries" in verify.output

    # The restored portal works: the citizen signs in and submits again, with fresh ids and the
    # next code of the day.
    with target.app_context():
        other = get_registry().get_person(citizen_id).spouse_id
    citizen = target.test_client()
    login_citizen(citizen, citizen_id)
    code = submit_online(target, citizen, "1.004194", citizen_id, other)
    assert code.endswith("-0003")

    again = runner.invoke(args=["restore", str(archive)])
    assert again.exit_code == 1 and "already holds data" in again.output


def test_a_damaged_backup_is_refused_before_anything_is_written(fresh_app, citizen_id, tmp_path: Path):
    source = fresh_app("backup_damaged")
    with source.app_context():
        other = get_registry().get_person(citizen_id).spouse_id
    citizen = source.test_client()
    login_citizen(citizen, citizen_id)
    submit_online(source, citizen, "1.004194", citizen_id, other)
    archive = tmp_path / "portal.tar.gz"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w:gz") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name.startswith("files/"):
                data = data.replace(b"%%EOF", b"%%EOX")
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    target = fresh_app("backup_refused", seed=False)
    result = target.test_cli_runner().invoke(args=["restore", str(damaged)])
    assert result.exit_code == 1 and "does not match its hash" in result.output
    assert all(rows == [] for rows in _rows(target).values())


def test_a_postgresql_backup_restores_into_sqlite(postgresql_only, fresh_app, make_app, citizen_id, tmp_path: Path):
    """The archive is plain JSON lines: it moves a portal from one database to the other."""
    source = fresh_app("backup_portable")
    _portal_in_use(source, citizen_id)
    archive = tmp_path / "portal.tar.gz"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    target = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'restored.sqlite3'}", UPLOAD_DIR=str(tmp_path / "up"))
    with target.app_context():
        db.create_all()
    assert target.test_cli_runner().invoke(args=["restore", str(archive)]).exit_code == 0
    assert _rows(target) == _rows(source)
    assert target.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
