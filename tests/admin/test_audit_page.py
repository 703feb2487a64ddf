"""The audit trail page: the latest changes, a filter by action, and the chain check."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from tests.admin.helpers import sign_in


@pytest.fixture()
def admin_client(client):
    sign_in(client, "admin")
    return client


def _make_changes(client) -> None:
    client.post("/admin/calendar", data={"day": "2026-07-02", "kind": "day_off", "legal_reference": "Thông báo nghỉ bù"})
    client.post(
        "/admin/agencies/000.09.27.H26",
        data={"name_vi": "Công an phường Ba Đình", "name_en": "Ba Dinh Police", "address": "1 Phan Đình Phùng", "province_code": "1", "ward_code": "4"},
    )


def test_the_page_lists_changes_newest_first_with_before_and_after(admin_client):
    _make_changes(admin_client)
    body = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "2 entries in all; the latest 2 are shown." in body  # not "the latest 100" of 2
    assert body.index("agency.update") < body.index("calendar_exception.create")
    assert "<code>name_en</code>: Ba Dinh Ward Police → Ba Dinh Police" in body
    assert "<code>legal_reference</code>: – → Thông báo nghỉ bù" in body
    assert "admin (admin)" in body


def test_an_empty_trail_says_nothing_of_the_latest_entries(admin_client):
    body = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "in all; the latest" not in body


def test_the_filter_shows_one_action(admin_client):
    _make_changes(admin_client)
    body = admin_client.get("/admin/audit", query_string={"action": "agency.update"}).get_data(as_text=True)
    assert "<code>agency.update</code>" in body
    assert "<code>calendar_exception.create</code>" not in body


def test_the_verify_button_reports_an_intact_trail(admin_client):
    _make_changes(admin_client)
    body = admin_client.get("/admin/audit/verify").get_data(as_text=True)
    assert 'data-audit-verification="intact"' in body
    assert "The audit trail is intact: 2 entries checked." in body


def test_the_verify_button_reports_tampering(app, admin_client):
    _make_changes(admin_client)
    with app.app_context():
        db.session.execute(text("UPDATE audit_entries SET actor_label = 'someone else' WHERE id = 1"))
        db.session.commit()
    body = admin_client.get("/admin/audit/verify").get_data(as_text=True)
    assert 'data-audit-verification="broken"' in body
    assert "Entry 1: changed after it was written (its hash does not match)" in body
