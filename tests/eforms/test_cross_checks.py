"""Checks across fields (issue 17): a child cannot be born before a parent, nor to a parent
under thirteen; the message stands next to the child's date of birth."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from portal.eforms.definitions import get_form_definition
from portal.eforms.validation import clean_step

TODAY = date(2026, 7, 1)
MOTHER = {"personal_id": "001190000001", "full_name": "Nguyễn Thị Hoa", "date_of_birth": "1995-06-10"}
FATHER = {"personal_id": "001090000002", "full_name": "Trần Văn Nam", "date_of_birth": "2012-03-01"}


def _child(born: str, father=None):
    step = get_form_definition("1.001193").step("child")
    answers = {"mother": MOTHER, **({"father": father} if father else {})}
    data = MultiDict({"child_full_name": "Trần Minh An", "child_date_of_birth": born, "child_sex": "M",
                      "birth_place": "Bệnh viện Phụ sản Hà Nội", "mother_ethnicity": "Kinh",
                      "child_ethnicity": "Kinh", "child_nationality": "Việt Nam"})
    return clean_step(step, data, answers, {}, None, today=TODAY)


@pytest.mark.usefixtures("ctx")
def test_a_child_born_before_the_mother_is_refused_next_to_the_date():
    result = _child("1990-01-01")
    assert set(result.errors) == {"child_date_of_birth"}
    assert "Nguyễn Thị Hoa" in result.errors["child_date_of_birth"] and "10/06/1995" in result.errors["child_date_of_birth"]


@pytest.mark.usefixtures("ctx")
def test_a_parent_under_thirteen_is_refused():
    result = _child("2024-05-01", father=FATHER)  # the father would be twelve
    assert set(result.errors) == {"child_date_of_birth"}
    assert "Trần Văn Nam" in result.errors["child_date_of_birth"] and "12" in result.errors["child_date_of_birth"]


@pytest.mark.usefixtures("ctx")
def test_a_plausible_birth_passes():
    result = _child("2026-05-01", father={**FATHER, "date_of_birth": "1990-01-01"})
    assert result.errors == {} and result.values["child_date_of_birth"] == "2026-05-01"


@pytest.mark.usefixtures("ctx")
def test_the_childs_ethnicity_is_the_fathers_or_the_mothers():
    step = get_form_definition("1.001193").step("child")
    base = {"child_full_name": "Trần Minh An", "child_date_of_birth": "2026-05-01", "child_sex": "M",
            "birth_place": "Bệnh viện Phụ sản Hà Nội", "mother_ethnicity": "Tày", "father_ethnicity": "Kinh",
            "child_nationality": "Việt Nam"}
    answers = {"mother": MOTHER, "father": {**FATHER, "date_of_birth": "1990-01-01"}}
    refused = clean_step(step, MultiDict({**base, "child_ethnicity": "Nùng"}), answers, {}, None, today=TODAY)
    assert set(refused.errors) == {"child_ethnicity"}
    assert "Tày" in refused.errors["child_ethnicity"] and "Kinh" in refused.errors["child_ethnicity"]
    chosen = clean_step(step, MultiDict({**base, "child_ethnicity": "tày"}), answers, {}, None, today=TODAY)
    assert chosen.errors == {}
