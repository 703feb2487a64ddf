"""Agencies: names, address and administrative units, changes audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.catalog.models import Agency
from portal.extensions import db
from tests.admin.helpers import audit_entries, field_error, input_value, last_audit, sign_in

CODE = "000.09.27.H26"  # Ba Đình ward police, Hà Nội (1), ward 4


@pytest.fixture()
def admin_client(client):
    sign_in(client, "admin")
    return client


def _agency(app) -> Agency:
    with app.app_context():
        agency = db.session.execute(select(Agency).where(Agency.code == CODE)).scalar_one()
        db.session.expunge(agency)
        return agency


def _form(**changes: str) -> dict[str, str]:
    return {
        "name_vi": "Công an phường Ba Đình",
        "name_en": "Ba Dinh Ward Police",
        "address": "1 Phố Phan Đình Phùng, phường Ba Đình, Thành phố Hà Nội",
        "province_code": "1",
        "ward_code": "4",
        **changes,
    }


def test_the_list_links_every_agency(admin_client):
    body = admin_client.get("/admin/agencies").get_data(as_text=True)
    for code in ("000.09.19.H26", "000.09.27.H26", "000.00.19.H26"):
        assert f'href="/admin/agencies/{code}"' in body


def test_changing_an_agency_is_audited(app, admin_client):
    response = admin_client.post(
        f"/admin/agencies/{CODE}", data=_form(address="Số 2 phố Hàng Bài, phường Hoàn Kiếm", ward_code="70", name_en="Ba Dinh Police")
    )
    assert response.status_code == 302
    agency = _agency(app)
    assert (agency.address, agency.ward_code, agency.name_en) == ("Số 2 phố Hàng Bài, phường Hoàn Kiếm", 70, "Ba Dinh Police")
    with app.app_context():
        entry = last_audit("agency.update")
    assert entry["object_id"] == CODE
    assert entry["details"] == {
        "before": {"name_en": "Ba Dinh Ward Police", "address": "1 Phố Phan Đình Phùng, phường Ba Đình, Thành phố Hà Nội", "ward_code": 4},
        "after": {"name_en": "Ba Dinh Police", "address": "Số 2 phố Hàng Bài, phường Hoàn Kiếm", "ward_code": 70},
    }
    # The public catalog names the agency as changed.
    assert "Ba Dinh Police" in admin_client.get("/api/v1/procedures/1.004194").get_data(as_text=True)


def test_the_ward_is_optional(app, admin_client):
    assert admin_client.post(f"/admin/agencies/{CODE}", data=_form(ward_code="")).status_code == 302
    assert _agency(app).ward_code is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name_vi": " "}, "name_vi", "Enter the name in Vietnamese."),
        ({"address": ""}, "address", "Enter the address."),
        ({"province_code": "99"}, "province_code", "Choose the province or city."),
        # Ward 26887 is in Hồ Chí Minh City, not in Hà Nội.
        ({"ward_code": "26887"}, "ward_code", "Choose a ward or commune of this province, or none."),
    ],
)
def test_invalid_agency_data_is_refused_with_what_was_typed(app, admin_client, changes, field, message):
    data = _form(name_en="Ba Dinh Police (typed)", **changes)
    response = admin_client.post(f"/admin/agencies/{CODE}", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert field_error(body, field) == message
    assert input_value(body, "name_en") == "Ba Dinh Police (typed)"
    assert _agency(app).name_en == "Ba Dinh Ward Police"
    with app.app_context():
        assert audit_entries() == []


def test_changing_the_province_lists_its_wards(admin_client):
    body = admin_client.post(f"/admin/agencies/{CODE}", data=_form(province_code="79")).get_data(as_text=True)
    assert "Rạch Dừa" in body
    assert "Phường Ba Đình" not in body
