"""Queueing: one outbox row per channel the citizen gave, in the caller's transaction."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import func, select

from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.operations import queue_dossier_notification
from tests.notifications.conftest import CODE


def dossier(**answers: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=None, code=CODE, applicant=None, applicant_user_id=None, answers=answers,
        procedure_snapshot={"name_vi": "Đăng ký thường trú", "name_en": "Permanent residence registration"},
        due_at=datetime(2026, 7, 10, 9, 0), estimated_due_at=datetime(2026, 7, 8, 9, 0),
    )


def count() -> int:
    return db.session.execute(select(func.count()).select_from(Notification)).scalar_one()


def test_one_row_per_channel_with_what_the_message_needs(ctx):
    rows = queue_dossier_notification(dossier(email="a@example.vn", phone="0912345678"), "dossier_accepted", note="")
    db.session.flush()
    assert [(r.channel, r.recipient, r.status) for r in rows] == [("email", "a@example.vn", "pending"), ("sms", "0912345678", "pending")]
    assert rows[0].context == {
        "code": CODE, "procedure": "Đăng ký thường trú", "procedure_en": "Permanent residence registration",
        "appointment": "2026-07-10T09:00:00", "note": "",
    }
    assert queue_dossier_notification(dossier(), "dossier_accepted") == []


def test_a_rolled_back_change_leaves_no_notification(ctx):
    before = count()
    change = db.session.begin_nested()
    queue_dossier_notification(dossier(email="a@example.vn", phone="0912345678"), "dossier_refused", note="Sai thẩm quyền")
    db.session.flush()
    assert count() == before + 2
    change.rollback()
    assert count() == before
