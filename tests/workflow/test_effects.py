"""What a transition guarantees whoever triggers it (no Flask request here): an approved dossier
always has its signed result stored; a shipped one always has a valid tracking number."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.dossiers.models import Dossier, StoredDocument
from portal.dossiers.postal import is_valid_tracking_number
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.paperwork import SigningError, verify_pdf
from portal.workflow.results import pki_dir
from portal.workflow.transitions import TransitionRefused, apply_transition
from tests.backoffice.test_journey import _specialist_id


def _pending_approval(app, make_dossier, officers, delivery: str = "online") -> str:
    code = make_dossier(delivery=delivery)
    officers["intake1"].act(code, "accept")
    officers["intake1"].act(code, "assign", assignee=_specialist_id(app))
    officers["specialist1"].act(code, "propose_result", note="Đủ điều kiện đăng ký thường trú.")
    return code


def _load(code: str) -> tuple[Dossier, User]:
    dossier = db.session.execute(select(Dossier).where(Dossier.code == code)).scalar_one()
    leader = db.session.execute(select(User).where(User.username == "leader1")).scalar_one()
    return dossier, leader


def _results() -> int:
    return db.session.execute(select(func.count()).select_from(StoredDocument).where(StoredDocument.kind == "result")).scalar_one()


def test_approval_issues_and_stores_the_signed_result(app, make_dossier, officers):
    code = _pending_approval(app, make_dossier, officers)
    with app.app_context():
        dossier, leader = _load(code)
        # Even a document handed in by the caller cannot stand in for the signed result.
        impostor = StoredDocument(owner_personal_id=dossier.applicant_personal_id, kind="upload", document_key="x",
                                  title="x", content_type="application/pdf", size=1, sha256="0" * 64, storage_name="x.pdf")
        db.session.add(impostor)
        apply_transition(dossier, "approve", leader, result_document=impostor)
        assert dossier.status == "result_ready"
        result = dossier.result_document
        assert result is not None and result.kind == "result" and result is not impostor
        check = verify_pdf(file_store().read(result.storage_name), pki_dir())
        assert check.is_valid and check.signer_name


def test_approval_without_a_signature_is_refused_and_changes_nothing(app, make_dossier, officers, monkeypatch):
    code = _pending_approval(app, make_dossier, officers)

    def broken_signer(*_args, **_kwargs):
        raise SigningError("the agency's key cannot be read")

    monkeypatch.setattr("portal.workflow.results.sign_pdf", broken_signer)
    with app.app_context():
        dossier, leader = _load(code)
        before = (_results(), len(dossier.events), len(dossier.clock))
        with pytest.raises(TransitionRefused, match="Không ký số được kết quả"):
            apply_transition(dossier, "approve", leader)
        assert (dossier.status, dossier.result_document_id, dossier.completed_at) == ("pending_approval", None, None)
        assert (_results(), len(dossier.events), len(dossier.clock)) == before


def test_shipping_always_leaves_a_valid_tracking_number(app, make_dossier, officers):
    code = _pending_approval(app, make_dossier, officers, delivery="post")
    officers["leader1"].act(code, "approve")
    with app.app_context():
        dossier, _leader = _load(code)
        intake = db.session.execute(select(User).where(User.username == "intake1")).scalar_one()
        with pytest.raises(TransitionRefused):
            apply_transition(dossier, "ship", intake, tracking_number="EB123456789VN")
        assert (dossier.status, dossier.postal_tracking_number) == ("result_ready", None)
        event = apply_transition(dossier, "ship", intake)
        assert dossier.status == "shipped" and is_valid_tracking_number(dossier.postal_tracking_number)
        assert dossier.postal_tracking_number in event.public_note
