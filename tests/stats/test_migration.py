"""Revision 0002 fills its new columns for dossiers that existed before it, as the live code would."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from portal import create_app
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.demo.seed import seed_reference_data
from tests.stats.conftest import build_known_set
from tests.test_migrations import _scratch_url

COLUMNS = (Dossier.code, Dossier.working_minutes_used, Dossier.working_minutes_saved, Dossier.has_registry_data,
           Dossier.attachment_count, Dossier.reused_attachment_count, Dossier.rating_score)


def test_upgrade_backfills_working_minutes_and_register_data(tmp_path, register):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": _scratch_url(tmp_path), "REGISTRY_DATABASE_URL": register,
        "PKI_DIR": str(tmp_path / "pki"), "UPLOAD_DIR": str(tmp_path / "uploads"),
    })
    with app.app_context():
        upgrade()
        seed_reference_data()
        build_known_set()
        db.session.commit()
        live = db.session.execute(select(*COLUMNS).order_by(Dossier.code)).all()
        db.session.remove()
        downgrade(revision="0001")
        upgrade()
        migrated = db.session.execute(select(*COLUMNS).order_by(Dossier.code)).all()
        db.session.remove()
        db.engine.dispose()
    assert migrated == live
    assert sum(1 for row in live if row.working_minutes_used is not None) == 5
    assert {row.working_minutes_saved for row in live} == {None, 0, 120, 180}
    assert sum(1 for row in live if not row.has_registry_data) == 2
    assert sorted(row.rating_score for row in live if row.rating_score) == [2, 4, 5]
    assert sorted((row.attachment_count, row.reused_attachment_count) for row in live if row.attachment_count) == [
        (1, 0), (1, 1), (2, 1)]
