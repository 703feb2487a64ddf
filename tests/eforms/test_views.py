"""The JSON endpoints behind the e-form script, and the fields as rendered HTML."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from portal.eforms.definitions import get_form_definition, parse_form_definition
from portal.eforms.prefill import registry_prefill
from portal.registry.places import wards
from tests.conftest import login_citizen
from tests.eforms.conftest import described_by, read_html

ROOT = Path(__file__).resolve().parents[2]


# --- GET /eforms/places/<province>/wards ---------------------------------------------------


def test_wards_of_a_province(eforms_app):
    response = eforms_app().test_client().get("/eforms/places/1/wards")
    assert response.status_code == 200
    listed = response.get_json()
    assert {w["code"] for w in listed} == {code for code, w in wards().items() if w.province_code == 1}
    assert {"code": 4, "name": "Phường Ba Đình"} in listed
    assert response.headers["Cache-Control"].startswith("public")


def test_wards_of_an_unknown_province(eforms_app):
    response = eforms_app().test_client().get("/eforms/places/999/wards")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["status"] == 404


# --- GET /eforms/person ----------------------------------------------------------------------


def test_person_lookup_needs_a_signed_in_user(eforms_app):
    response = eforms_app().test_client().get("/eforms/person?personal_id=001090012345")
    assert response.status_code == 302
    assert "/login/citizen" in response.headers["Location"]


def test_person_lookup_gives_name_and_birth_date(eforms_app, citizen):
    client = eforms_app(LOGIN_DISABLED=True).test_client()
    response = client.get(f"/eforms/person?personal_id={citizen.personal_id}")
    assert response.status_code == 200
    assert response.get_json() == {
        "personal_id": citizen.personal_id,
        "full_name": citizen.full_name,
        "date_of_birth": citizen.date_of_birth.isoformat(),
    }
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "config, personal_id, status",
    [
        ({}, "12345", 400),
        ({}, "999090012345", 400),
        ({}, "001099999999", 404),
        ({"REGISTRY_CLIENT": "failing"}, "001090012345", 503),
    ],
    ids=["too short", "no such province", "unknown", "register down"],
)
def test_person_lookup_failures(eforms_app, config, personal_id, status):
    client = eforms_app(LOGIN_DISABLED=True, **config).test_client()
    response = client.get(f"/eforms/person?personal_id={personal_id}")
    assert response.status_code == status
    assert response.get_json()["status"] == status


@pytest.fixture()
def rate_limited(eforms_app):
    """An app with rate limits on (make_app puts the shared limiter back afterwards)."""
    return eforms_app(LOGIN_DISABLED=True, RATELIMIT_ENABLED=True)


def test_person_lookup_is_rate_limited(rate_limited, citizen):
    client = rate_limited.test_client()
    statuses = [client.get(f"/eforms/person?personal_id={citizen.personal_id}").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_person_lookup_for_a_signed_in_citizen_on_the_portal(app, client, citizen):
    login_citizen(client, citizen.personal_id)
    response = client.get(f"/eforms/person?personal_id={citizen.spouse_id}")
    assert response.status_code == 200
    assert response.get_json()["personal_id"] == citizen.spouse_id


# --- rendering -----------------------------------------------------------------------------


@pytest.fixture()
def render(eforms_app):
    """render(field, value=None, error=None, source=None, raw=None, lang="vi", **kw) → Page."""
    app: Flask = eforms_app()

    def render_one(field, value=None, error=None, source=None, raw=None, lang="vi", **options):
        with app.test_request_context(), force_locale(lang):
            html = render_template_string(
                '{% from "eforms/_fields.html" import render_field %}'
                "{{ render_field(field, value, error, origin, lang, raw, **options) }}",
                field=field, value=value, error=error, origin=source, raw=raw, lang=lang, options=options,
            )
        assert "None" not in html
        return read_html(html)

    return render_one


FORM = get_form_definition("1.004222")


def test_a_register_value_is_read_only_with_a_badge_read_by_screen_readers(render, citizen):
    page = render(FORM.field("full_name"), citizen.full_name, source="registry")
    control = page.by_id("full_name")
    assert control.has("readonly") and control.attrs["data-prefilled"] == "registry"
    assert control.attrs["value"] == citizen.full_name
    assert page.find("label", **{"for": "full_name"})[0].text == "Họ, chữ đệm và tên"
    badge = page.by_id("full_name-source")
    assert badge.text == "Từ CSDL quốc gia về dân cư"
    assert "full_name-source" in described_by(control)


def test_a_register_choice_shows_its_label_and_sends_its_value(render):
    page = render(FORM.field("sex"), "F", source="registry")
    shown = page.by_id("sex")
    assert shown.attrs["value"] == "Nữ" and shown.has("readonly") and "name" not in shown.attrs
    (sent,) = page.named("sex")
    assert sent.attrs == {"type": "hidden", "name": "sex", "value": "F"}


def test_a_register_address_is_shown_whole_and_read_only(render, citizen):
    value = registry_prefill(FORM, citizen, lambda _: None)["permanent_address"]
    page = render(FORM.field("permanent_address"), value, source="registry")
    shown = page.by_id("permanent_address-province")
    # A text area, so a long address wraps on a phone instead of ending in "…Tỉnh Quảng N".
    assert shown.tag == "textarea" and shown.text == citizen.permanent_address.full
    assert int(shown.attrs["rows"]) >= 2 and "name" not in shown.attrs
    assert shown.has("readonly") and shown.attrs["data-prefilled"] == "registry"
    sent = {e.attrs["name"]: e.attrs["value"] for e in page.find("input", type="hidden")}
    assert sent == {
        "permanent_address-province": str(citizen.permanent_address.province_code),
        "permanent_address-ward": str(citizen.permanent_address.ward_code),
        "permanent_address-street": citizen.permanent_address.street,
    }


def test_a_profile_value_is_editable_with_its_own_badge(render):
    page = render(FORM.field("phone"), "0912345678", source="profile", lang="en")
    control = page.by_id("phone")
    assert not control.has("readonly") and control.attrs["data-prefilled"] == "profile"
    assert control.attrs["type"] == "tel" and control.attrs["value"] == "0912345678"
    assert page.by_id("phone-source").text == "From your earlier dossiers"
    assert described_by(control) == ["phone-hint", "phone-source"]


def test_an_error_is_next_to_the_field_and_what_was_typed_stays(render):
    page = render(FORM.field("phone"), "0912345678", error="Nhập số điện thoại", raw="09123", source="profile")
    control = page.by_id("phone")
    assert control.attrs["value"] == "09123"
    assert control.attrs["aria-invalid"] == "true"
    assert "phone-error" in described_by(control)
    assert page.by_id("phone-error").text.strip() == "Lỗi: Nhập số điện thoại"
    assert "has-error" in page.find("div", data_field="phone")[0].attrs["class"]


def test_optional_fields_say_so_in_words(render):
    page = render(FORM.field("email"))
    assert "(không bắt buộc)" in page.find("label", **{"for": "email"})[0].text


def test_an_address_without_a_province_asks_for_the_province_first(render):
    page = render(FORM.field("new_address"), lang="en")
    assert page.find("legend")[0].text.strip() == "Address of the lawful home where you want to register"
    assert len(page.find("option", value="1")) == 1  # Hà Nội among the provinces
    wards_offered = [o for o in page.elements if o.tag == "option" and o in page.by_id("new_address-ward").children]
    assert [(o.attrs["value"], o.text) for o in wards_offered] == [("", "Choose the province or city first")]
    (refresh,) = page.find("button", name="refresh")
    assert refresh.attrs["value"] == "1" and refresh.has("data-eforms-refresh")


def test_an_address_lists_the_wards_of_the_chosen_province_without_javascript(render):
    page = render(FORM.field("new_address"), raw={"province": "1", "ward": "70", "street": "1 Tràng Tiền"})
    ward_select = page.by_id("new_address-ward")
    offered = {o.attrs["value"] for o in ward_select.children if o.tag == "option"} - {""}
    assert offered == {str(code) for code, w in wards().items() if w.province_code == 1}
    selected = [o for o in ward_select.children if o.has("selected")]
    assert [o.text for o in selected] == ["Phường Hoàn Kiếm"]
    assert page.by_id("new_address-street").attrs["value"] == "1 Tràng Tiền"


def test_a_person_from_the_register_is_shown_with_name_and_birth_date(render, citizen):
    person = {"personal_id": citizen.personal_id, "full_name": citizen.full_name,
              "date_of_birth": citizen.date_of_birth.isoformat()}
    field = get_form_definition("1.001193").field("mother")
    page = render(field, person, source="registry", lang="en")
    control = page.by_id("mother-personal_id")
    assert control.has("readonly") and control.attrs["value"] == citizen.personal_id
    assert page.by_id("mother-person").text == f"{citizen.full_name}, born {citizen.date_of_birth:%d/%m/%Y}"
    assert {"mother-person", "mother-source"} <= set(described_by(control))


def _typed_part(page):
    (part,) = [e for e in page.elements if e.has("data-person-typed")]
    return part


def test_a_person_field_asks_for_name_and_birth_date_only_when_the_register_is_down(render):
    field = get_form_definition("1.001193").field("father")
    typed = {"personal_id": "001090012345", "full_name": "Trần Văn Ba", "date_of_birth": "1990-06-05"}
    up = render(field, raw=typed)
    assert _typed_part(up).has("hidden")
    assert up.by_id("father-person").attrs["aria-live"] == "polite"
    down = render(field, raw=typed, register_down=True)
    assert not _typed_part(down).has("hidden")
    assert down.by_id("father-full_name").attrs["value"] == "Trần Văn Ba"
    assert down.by_id("father-date_of_birth").attrs["value"] == "1990-06-05"


def test_yes_no_and_conditional_fields(render):
    form = get_form_definition("1.004873")
    page = render(form.field("previously_married"), True)
    assert page.by_id("previously_married-yes").has("checked")
    assert not page.by_id("previously_married-no").has("checked")
    dependent = render(form.field("previous_marriage_end"))
    group = dependent.find("div", data_field="previous_marriage_end")[0]
    assert group.attrs["data-visible-if-field"] == "previously_married"
    assert group.attrs["data-visible-if-equals"] == "yes"


def test_a_number_is_typed_as_text_with_a_numeric_keyboard(render):
    form = parse_form_definition({"procedure_code": "1.000001", "steps": [{"key": "s", "title_vi": "S", "title_en": "S", "fields": [
        {"key": "capital", "type": "number", "label_vi": "Vốn", "label_en": "Capital"}]}]})
    control = render(form.field("capital"), 50_000_000).by_id("capital")
    assert control.attrs["inputmode"] == "numeric" and control.attrs["value"] == "50000000"


def test_no_inline_script_or_style_for_a_strict_csp():
    template = (ROOT / "templates" / "eforms" / "_fields.html").read_text(encoding="utf-8")
    assert "<script" not in template and "style=" not in template
    assert not re.search(r"\son[a-z]+\s*=", template)
