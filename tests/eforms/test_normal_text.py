"""Correct Vietnamese is accepted however it was typed (issue 16): decomposed diacritics (Unikey's
"Unicode tổ hợp"), another letter case, non-breaking spaces, look-alike letters. A locked register
value sent back in such a form is the same value, kept as the register has it; a real change is
still refused."""
from __future__ import annotations

import unicodedata

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from werkzeug.datastructures import MultiDict

from portal.eforms.definitions import FormDefinitionError, get_form_definition, parse_form_definition
from portal.eforms.prefill import registry_prefill
from portal.eforms.validation import clean_step
from portal.textutil import comparable
from tests.conftest import login_citizen
from tests.dossiers.helpers import current_draft
from tests.eforms.test_validation import LOCKED_MESSAGE, TODAY, _as_submitted

# --- the variants a citizen's keyboard, browser or word processor may send --------------------

FORMS = ("NFC", "NFD")
CASES = (str, str.upper, str.lower, str.title)
SPACES = (
    lambda t: t,
    lambda t: f"  {t} ",
    lambda t: t.replace(" ", "\u00a0"),
    lambda t: t.replace(" ", " \t "),
    lambda t: f"\u200b{t}\ufeff",
)
LOOKALIKES = (lambda t: t, lambda t: t.replace("Đ", "\u00d0").replace("đ", "\u00f0"))


@st.composite
def variants(draw, text: str) -> str:
    """``text`` as another keyboard or program may send it: the same text for a reader."""
    changed = draw(st.sampled_from(CASES))(text)
    changed = draw(st.sampled_from(LOOKALIKES))(changed)
    changed = draw(st.sampled_from(SPACES))(changed)
    return unicodedata.normalize(draw(st.sampled_from(FORMS)), changed)


@st.composite
def real_changes(draw, text: str) -> str:
    """``text`` with a letter, a mark or a word really changed, then sent in any variant."""
    kind = draw(st.sampled_from(("replace", "delete", "insert", "mark")))
    position = draw(st.integers(min_value=0, max_value=len(text) - 1))
    letter = draw(st.sampled_from("aăâbdđeêghiklmnoôơpqrstuưvxyAĐÂƠ"))
    if kind == "replace":
        changed = text[:position] + letter + text[position + 1:]
    elif kind == "delete":
        changed = text[:position] + text[position + 1:]
    elif kind == "insert":
        changed = text[:position] + letter + text[position:]
    else:  # a tone mark added to (or doubled on) one letter
        mark = draw(st.sampled_from(("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")))
        changed = unicodedata.normalize("NFC", text[: position + 1] + mark + text[position + 1:])
    assume(comparable(changed) != comparable(text))
    return draw(variants(changed))


@pytest.fixture(scope="module")
def applicant(citizen, registry_client):
    """The applicant step of "Đăng ký thường trú" and the register values locked on it."""
    definition = get_form_definition("1.004222")
    locked = registry_prefill(definition, citizen, registry_client.get_person)
    texts = {k: v for k, v in locked.items() if isinstance(v, str) and k not in ("date_of_birth", "personal_id", "sex")}
    assert {"full_name", "ethnicity", "nationality"} <= texts.keys()
    return definition.step("applicant"), locked, texts


def _check(app, step, data, locked):
    with app.test_request_context(), force_locale("en"):
        return clean_step(step, data, {}, locked, None, today=TODAY)


LOCKED_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@LOCKED_SETTINGS
@given(data=st.data())
def test_a_locked_register_value_sent_back_in_another_form_case_or_spacing_is_unchanged(app, applicant, data):
    step, locked, texts = applicant
    key = data.draw(st.sampled_from(sorted(texts)), label="field")
    sent = _as_submitted(locked)
    sent[key] = data.draw(variants(texts[key]), label="sent")
    street = locked["permanent_address"]["street"]
    sent["permanent_address-street"] = data.draw(variants(street), label="street")
    result = _check(app, step, sent, locked)
    assert result.errors == {}
    assert result.values[key] == locked[key]  # stored as the register has it
    assert result.values["permanent_address"] == locked["permanent_address"]


@LOCKED_SETTINGS
@given(data=st.data())
def test_a_locked_register_value_really_changed_is_refused(app, applicant, data):
    step, locked, texts = applicant
    key = data.draw(st.sampled_from(sorted(texts)), label="field")
    sent = _as_submitted(locked)
    sent[key] = data.draw(real_changes(texts[key]), label="sent")
    result = _check(app, step, sent, locked)
    assert result.errors == {key: LOCKED_MESSAGE}
    assert result.values[key] == locked[key]


# --- patterns and lengths --------------------------------------------------------------------

BUSINESS = get_form_definition("2.000720").step("business")


@pytest.mark.parametrize("typed", [
    "Hộ kinh doanh Hoa Mai",
    "Hộ Kinh Doanh Hoa Mai",
    "HỘ KINH DOANH HOA MAI",
    unicodedata.normalize("NFD", "hộ kinh doanh Hoa Mai"),
    "Hộ\u00a0kinh\u00a0doanh  Hoa\u00a0Mai",
])
def test_a_business_name_in_any_case_form_or_spacing_matches_the_pattern(app, typed):
    result = _check(app, BUSINESS, MultiDict({"business_name": typed}), {})
    assert "business_name" not in result.errors
    assert result.values["business_name"] == unicodedata.normalize("NFC", " ".join(typed.replace("\u00a0", " ").split()))


def test_a_business_name_without_the_required_words_is_still_refused(app):
    result = _check(app, BUSINESS, MultiDict({"business_name": "Cửa hàng Hoa Mai"}), {})
    assert result.errors["business_name"].startswith("The name starts with “Hộ kinh doanh”")


SHORT_NAME = parse_form_definition({
    "procedure_code": "1.000002",
    "steps": [{"key": "one", "title_vi": "Một", "title_en": "One", "fields": [
        {"key": "name", "type": "text", "label_vi": "Họ và tên", "label_en": "Full name",
         "validators": {"max_length": 16}},
        {"key": "code", "type": "text", "label_vi": "Mã", "label_en": "Code", "required": False,
         "validators": {"pattern": "[A-Z]{3}", "pattern_case_sensitive": True,
                        "pattern_message_vi": "Ba chữ in hoa", "pattern_message_en": "Three capital letters"}},
    ]}],
}).steps[0]


def test_length_counts_the_letters_the_citizen_sees(app):
    name = "Nguyễn Thị Đường"  # 16 letters and spaces
    decomposed = unicodedata.normalize("NFD", name)
    assert len(decomposed) > 16
    assert _check(app, SHORT_NAME, MultiDict({"name": decomposed}), {}).values["name"] == name
    result = _check(app, SHORT_NAME, MultiDict({"name": decomposed + "x"}), {})
    assert result.errors["name"] == "Full name must be 16 characters or fewer"


def test_a_pattern_where_case_means_something_keeps_comparing_case(app):
    assert _check(app, SHORT_NAME, MultiDict({"name": "An", "code": "ABC"}), {}).errors == {}
    assert _check(app, SHORT_NAME, MultiDict({"name": "An", "code": "abc"}), {}).errors == {"code": "Three capital letters"}


# --- through the browser: the request brings the normal form ------------------------------------


@pytest.fixture()
def citizen_client(client, citizen_id):
    login_citizen(client, citizen_id)
    return client


def test_a_step_typed_with_decomposed_letters_and_odd_spaces_is_stored_in_the_normal_form(app, citizen_client, citizen_id):
    assert citizen_client.get("/procedures/1.004222/apply").status_code == 302
    draft = current_draft(app, citizen_id)
    locked = draft.locked
    sent = {key: str(value) for key, value in _as_submitted(locked).items()}
    sent["full_name"] = unicodedata.normalize("NFD", locked["full_name"].upper()).replace(" ", "\u00a0 ")
    sent["email"] = "\u00a0cong.dan@example.vn "
    response = citizen_client.post(f"/apply/{draft.public_id}/steps/applicant", data=sent)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    saved = current_draft(app, citizen_id)
    assert saved.answers["full_name"] == locked["full_name"]
    assert saved.answers["email"] == "cong.dan@example.vn"
    assert saved.provenance["full_name"] == "registry"


def test_the_catalog_search_finds_a_procedure_typed_with_look_alike_letters(client):
    query = unicodedata.normalize("NFD", "\u00d0ĂNG\u00a0KÝ  THƯỜNG TRÚ")
    page = client.get("/procedures", query_string={"q": query}).get_data(as_text=True)
    assert "1.004222" in page


# --- dates a citizen types -----------------------------------------------------------------------

BORN = parse_form_definition({
    "procedure_code": "1.000003",
    "steps": [{"key": "one", "title_vi": "Một", "title_en": "One", "fields": [
        {"key": "born", "type": "date", "label_vi": "Ngày sinh", "label_en": "Date of birth"}]}],
}).steps[0]


@pytest.mark.parametrize("typed, stored", [("01/01/1900", "1900-01-01"), ("2100-12-31", "2100-12-31"), ("27/03/1950", "1950-03-27")])
def test_a_date_from_1900_to_2100_is_taken(app, typed, stored):
    assert _check(app, BORN, MultiDict({"born": typed}), {}).values["born"] == stored


@pytest.mark.parametrize("typed", ["31/12/1899", "9999-12-31", "0001-01-01", "01/01/2101"])
def test_a_date_outside_1900_to_2100_gets_the_fields_message(app, typed):
    result = _check(app, BORN, MultiDict({"born": typed}), {})
    assert result.errors == {"born": "Date of birth must be a date from 1900 to 2100"}


def test_a_definition_says_case_matters_with_true_or_false_only():
    with pytest.raises(FormDefinitionError, match="pattern_case_sensitive must be true or false"):
        parse_form_definition({"procedure_code": "1.000004", "steps": [{
            "key": "one", "title_vi": "Một", "title_en": "One", "fields": [
                {"key": "code", "type": "text", "label_vi": "Mã", "label_en": "Code", "validators": {
                    "pattern": "[A-Z]{3}", "pattern_case_sensitive": "yes",
                    "pattern_message_vi": "Ba chữ in hoa", "pattern_message_en": "Three capital letters"}}]}]})
