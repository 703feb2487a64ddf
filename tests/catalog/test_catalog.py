from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from portal.catalog.service import CatalogError, load_catalog_file


def test_catalog_lists_every_demo_procedure(client):
    page = client.get("/procedures").get_data(as_text=True)
    for name in (
        "Đăng ký thường trú",
        "Đăng ký tạm trú",
        "Đăng ký khai sinh",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Cấp Phiếu lý lịch tư pháp",
        "Đăng ký thành lập hộ kinh doanh",
        "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Đăng ký khai tử",
        "Xóa đăng ký thường trú",
        "Giải quyết hưởng trợ cấp mai táng",
        "Liên thông: đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Liên thông: đăng ký khai tử, xóa đăng ký thường trú, giải quyết trợ cấp mai táng",
    ):
        assert name in page
    assert "12 thủ tục" in page


@pytest.mark.parametrize("query", ["thường trú", "thuong tru", "THUONG TRU", "1.004222"])
def test_search_by_name_ignores_accents_and_case(client, query):
    page = client.get("/procedures", query_string={"q": query}).get_data(as_text=True)
    assert "Đăng ký thường trú" in page
    assert "Đăng ký tạm trú" not in page


def test_search_without_match_says_so(client):
    page = client.get("/procedures", query_string={"q": "xyzzy"}).get_data(as_text=True)
    assert "0 thủ tục" in page
    assert "Không có thủ tục nào phù hợp" in page


def test_filter_by_field_and_agency(client):
    by_field = client.get("/procedures", query_string={"field": "ho-tich"}).get_data(as_text=True)
    assert "Đăng ký khai sinh" in by_field and "Cấp Giấy xác nhận tình trạng hôn nhân" in by_field
    assert "Đăng ký thường trú" not in by_field
    by_agency = client.get("/procedures", query_string={"agency": "000.00.19.H26"}).get_data(as_text=True)
    assert "Cấp Phiếu lý lịch tư pháp" in by_agency
    assert "Đăng ký khai sinh" not in by_agency


def test_procedure_page_shows_the_published_facts(client):
    page = client.get("/procedures/1.004222").get_data(as_text=True)
    assert "Đăng ký thường trú" in page
    assert "7 ngày làm việc" in page
    assert "20.000\u00a0₫" in page and "10.000\u00a0₫" in page
    assert "sớm hơn 20 %" in page
    assert "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp" in page
    assert "Luật Cư trú số 68/2020/QH14" in page
    assert "qua dịch vụ bưu chính công ích" in page


def test_same_day_procedure_explains_the_15h_rule(client):
    page = client.get("/procedures/1.001193").get_data(as_text=True)
    assert "Trong ngày làm việc" in page and "15:00" in page
    assert "Miễn phí" in page


def test_procedure_page_in_english(client):
    client.post("/language", data={"lang": "en", "next": "/procedures/1.004194"})
    page = client.get("/procedures/1.004194").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Temporary residence registration" in page
    assert "3 working days" in page
    assert "15,000\u00a0₫" in page and "7,000\u00a0₫" in page  # English groups thousands with commas


def test_unknown_procedure_is_a_404_page(client):
    response = client.get("/procedures/9.999999")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def _catalog_with(tmp_path: Path, change) -> Path:
    from portal.catalog.service import CATALOG_FILE

    data = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    change(data)
    target = tmp_path / "catalog.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["procedures"][0].update(discount_pct=25), "discount_pct must be between 0 and 20"),
        (lambda d: d["procedures"][0].update(agency="nowhere"), "unknown agency 'nowhere'"),
        (lambda d: d["procedures"][0].update(result_deliveries=["drone"]), "result_deliveries"),
        (lambda d: d["procedures"][0]["processing"].update(unit="weeks"), "processing"),
        (lambda d: d["procedures"].append(dict(d["procedures"][0])), "listed twice"),
        (lambda d: d["procedures"][0]["legal_basis"].append({"Luật (chế độ": "trợ cấp)"}), r"legal_basis item \d+ must be text"),
        (lambda d: d["procedures"][0].update(result_en=True), "result_en must be text"),
    ],
)
def test_invalid_catalog_data_is_refused_with_a_message(tmp_path, change, message):
    with pytest.raises(CatalogError, match=message):
        load_catalog_file(_catalog_with(tmp_path, change))


def test_changed_rules_make_a_new_procedure_version(ctx):
    from portal.catalog.service import get_procedure, load_catalog_file, upsert_catalog

    data = load_catalog_file()
    before = get_procedure("1.004222").version
    upsert_catalog(data)
    assert get_procedure("1.004222").version == before
    data["procedures"][0]["fee_online"] = 5000
    upsert_catalog(data)
    procedure = get_procedure("1.004222")
    assert (procedure.version, procedure.fee_online) == (before + 1, 5000)


def test_procedure_page_estimates_the_appointment_for_a_submission_now(client, monkeypatch):
    from datetime import datetime

    import portal.catalog.views as views
    from portal.deadlines import VN_TZ

    class FrozenNow(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 2, 13, 17, 30, tzinfo=VN_TZ)

    monkeypatch.setattr(views, "datetime", FrozenNow)
    page = client.get("/procedures/1.004222").get_data(as_text=True)
    # 7 working days after Tết: 11:30 Mon 02/03 online (44 h), 17:00 Tue 03/03 otherwise (56 h).
    assert "dự kiến có kết quả trước 11:30 02/03/2026" in page
    assert "dự kiến trước 17:00 03/03/2026" in page
    assert "Tết" in page
