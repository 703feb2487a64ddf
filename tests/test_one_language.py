"""One language per page: every validation message of every form, with the labels around it,
in Vietnamese and in English, and nothing of the other language among them.

1. The e-form of each procedure, step by step, sent as a citizen would get it wrong: empty,
   then each field with each kind of wrong value its type and its rules can refuse (a word for
   a number, 31/02, a street without a ward, an unknown personal ID, a changed register value,
   a file that is no document…), with the fields that reveal others set to reveal them.
2. Every WTForms form (sign-in, administration), empty and then with wrong values.
3. On each page the error summary, the message next to each field, the labels, legends and
   hints are read. A text fails when it holds a piece of the other language: a field's label,
   hint or option as the form definition gives it in that language, or a sentence of the
   interface as the catalog has it in that language ("must be a whole number" on a Vietnamese
   page, "Thời hạn tạm trú (tháng)" on an English one).
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.admin import forms as admin_forms
from portal.auth import forms as auth_forms
from portal.dossiers.models import Dossier
from portal.eforms.definitions import FORMS_DIR, Field, get_form_definition
from portal.extensions import db
from tests.eforms.conftest import read_html
from tests.test_translations import is_vietnamese

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("vi", "en")
PROCEDURES = sorted(path.stem for path in FORMS_DIR.glob("*.yaml"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|“|”")
NOT_A_DOCUMENT = b"These are notes, not a scanned document."


def _pieces(text: str) -> Iterator[str]:
    """The literal stretches of a message, without its placeholders, long enough to tell a language."""
    for piece in PLACEHOLDER.split(text):
        piece = piece.strip(" .,:;()\n")
        if len(piece) >= 10 and " " in piece:
            yield piece.casefold()


@cache
def foreign_pieces() -> dict[str, frozenset[str]]:
    """For each language, the pieces of text that belong to the other one only."""
    own: dict[str, set[str]] = {"vi": set(), "en": set()}

    def add(en: str, vi: str) -> None:
        if en.strip() != vi.strip():
            own["en"].update(_pieces(en))
            own["vi"].update(_pieces(vi))
            if len(en) >= 4:
                own["en"].add(en.strip().casefold())
            if len(vi) >= 4:
                own["vi"].add(vi.strip().casefold())

    with (ROOT / "portal" / "translations" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        for message in read_po(po, locale="vi"):
            if message.id and message.string:
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for en in ids:
                    for vi in strings:
                        own["en"].update(set(_pieces(en)) - set(_pieces(vi)))
                        own["vi"].update(set(_pieces(vi)) - set(_pieces(en)))
    for code in PROCEDURES:
        definition = get_form_definition(code)
        for step in definition.steps:
            add(step.title("en"), step.title("vi"))
            for field in step.fields:
                add(field.label_en, field.label_vi)
                add(field.hint_en, field.hint_vi)
                add(field.validators.get("pattern_message_en", ""), field.validators.get("pattern_message_vi", ""))
                for option in field.options:
                    add(option.label_en, option.label_vi)
    # WTForms' own messages are English only (it has no Vietnamese catalog).
    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as pot:
        for message in read_po(pot):
            for text in message.id if isinstance(message.id, tuple) else (message.id,):
                own["en"].update(_pieces(text))
    both = own["vi"] & own["en"]
    return {"vi": frozenset(own["en"] - both), "en": frozenset(own["vi"] - both)}


# Words of English grammar no Vietnamese sentence holds ("an" and "a" are Vietnamese words too).
ENGLISH_WORDS = frozenset("is are must not of or and your you this that with enter choose field".split())


def other_language_in(text: str, lang: str) -> list[str]:
    """The pieces of ``text`` in the other language than ``lang``."""
    folded = " ".join(text.split()).casefold()
    found = sorted(
        piece for piece in foreign_pieces()[lang]
        if piece in folded and re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", folded)  # whole words only
    )
    if lang == "en" and is_vietnamese(text):
        found.append("Vietnamese words")
    if lang == "vi" and len(ENGLISH_WORDS.intersection(re.findall(r"[a-z]+", folded))) >= 2:
        found.append("English words")
    return found


def test_the_check_sees_a_mixed_message():
    assert other_language_in("Thời hạn tạm trú (tháng) must be a whole number, in digits only", "vi")
    assert other_language_in("Thời hạn tạm trú (tháng) must be a whole number, in digits only", "en")
    assert not other_language_in("Thời hạn tạm trú (tháng) phải là số nguyên, chỉ gồm chữ số", "vi")


def page_texts(html: str) -> list[str]:
    """What a person reads of a form page: the error summary, the messages by the fields, the
    labels, legends and hints."""
    page = read_html(html)
    texts = []
    for element in page.elements:
        classes = (element.attrs.get("class") or "").split()
        if element.tag in ("label", "legend") or {"field-error", "hint", "error-summary"} & set(classes):
            texts.append(" ".join(element.text.split()))
    return [t for t in texts if t]


def errors_of(html: str) -> list[str]:
    page = read_html(html)
    return [" ".join(e.text.split()) for e in page.elements if "field-error" in (e.attrs.get("class") or "").split()]


# --- 1. e-forms ---------------------------------------------------------------------------


def _wrong_values(field: Field, today: date) -> list[Any]:
    """Each kind of wrong answer the field's type and rules refuse."""
    rules = field.validators
    wrong: list[Any] = []
    if field.type in ("text", "textarea"):
        if "max_length" in rules:
            wrong.append("Chữ " * rules["max_length"])
        if "min_length" in rules:
            wrong.append("x")
        if "pattern" in rules:
            wrong.append("12345")
    elif field.type == "number":
        wrong += ["mười hai", "12,5"]
        wrong += [str(rules["min"] - 1)] if "min" in rules else []
        wrong += [str(rules["max"] + 1)] if "max" in rules else []
    elif field.type == "date":
        wrong.append("31/02/2020")
        if rules.get("not_future"):
            wrong.append((today + timedelta(days=30)).isoformat())
        if rules.get("not_past"):
            wrong.append((today - timedelta(days=30)).isoformat())
    elif field.type == "select":
        wrong.append("not-an-option")
    elif field.type == "yesno":
        wrong.append("maybe")
    elif field.type == "email":
        wrong.append("cong.dan@")
    elif field.type == "phone":
        wrong.append("12345")
    elif field.type == "address":
        wrong += [("", "", "Số 1 phố Huế"), ("1", "", ""), ("1", "99999", "Số 1"), ("1", "4", "")]
        if "max_length" in rules:
            wrong.append(("1", "4", "Số " * rules["max_length"]))
    elif field.type == "person":
        wrong += ["12345", "001090012345"]
    elif field.type == "file":
        wrong.append((io.BytesIO(NOT_A_DOCUMENT), "ghi-chu.txt"))
    return wrong


def _form_value(field: Field, value: Any) -> dict[str, Any]:
    if field.type == "address":
        return dict(zip((f"{field.key}-province", f"{field.key}-ward", f"{field.key}-street"), value, strict=True))
    if field.type == "person":
        return {f"{field.key}-personal_id": value}
    return {field.key: value}


def _changed_register_value(field: Field) -> dict[str, Any]:
    if field.type == "address":
        return _form_value(field, ("1", "4", "Số 99 phố Khác"))
    if field.type == "person":
        return _form_value(field, "001090012345")
    return {field.key: "2001-01-01" if field.type == "date" else "Khác"}


def _revealing(step: Any) -> dict[str, Any]:
    """The answers that show every field of the step that depends on another."""
    values: dict[str, Any] = {}
    for field in step.fields:
        if field.visible_if is not None:
            equals = field.visible_if.equals
            values[field.visible_if.field] = ("yes" if equals else "no") if isinstance(equals, bool) else str(equals)
    return values


def eform_posts(step: Any, locked: set[str], today: date) -> list[tuple[str, dict[str, Any]]]:
    """(what is wrong, form data) for each submission that shows the step's messages."""
    revealing = _revealing(step)
    fields = [f for f in step.fields if f.key not in locked]
    wrong = {f.key: _wrong_values(f, today) for f in fields}

    def wrong_answers(chosen: list[Field], index: int) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for field in chosen:
            if wrong[field.key]:
                value = wrong[field.key][index % len(wrong[field.key])]
                if field.type == "file":
                    value = (io.BytesIO(NOT_A_DOCUMENT), "ghi-chu.txt")  # a stream is read once
                data.update(_form_value(field, value))
        return data

    posts = [("empty", {})]
    others = [f for f in fields if f.key not in revealing]
    for index in range(max((len(wrong[f.key]) for f in others), default=0)):
        posts.append((f"wrong values #{index + 1}", {**revealing, **wrong_answers(others, index)}))
    if revealing:
        posts.append(("wrong values of the fields that reveal others", wrong_answers([f for f in fields if f.key in revealing], 0)))
    changed = {k: v for f in step.fields if f.key in locked and f.type != "file" for k, v in _changed_register_value(f).items()}
    if changed:
        posts.append(("register values changed", changed))
    return posts


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", PROCEDURES)
def test_every_eform_message_is_in_the_page_language(app, citizen, code, lang):
    citizen.post("/language", data={"lang": lang, "next": "/"})
    start = citizen.get(f"/procedures/{code}/apply")
    assert start.status_code == 302
    public_id = re.search(r"/apply/([^/]+)/steps/", start.headers["Location"]).group(1)
    with app.app_context():
        locked = set(db.session.execute(select(Dossier.locked).where(Dossier.public_id == public_id)).scalar_one())
    definition = get_form_definition(code)
    today = date.today()
    seen_messages, mixed = 0, []
    for step in definition.steps:
        url = f"/apply/{public_id}/steps/{step.key}"
        for what, data in eform_posts(step, locked, today):
            response = citizen.post(url, data=data, content_type="multipart/form-data")
            if response.status_code == 302:  # nothing wrong with it after all: the next step
                continue
            page = response.get_data(as_text=True)
            assert f'<html lang="{lang}">' in page
            seen_messages += len(errors_of(page))
            for text in page_texts(page):
                if found := other_language_in(text, lang):
                    mixed.append(f"{step.key}, {what}: {text!r} holds {found}")
    assert seen_messages, "no validation message was shown"
    assert not mixed, f"{len(mixed)} texts of the {lang} pages hold the other language:\n" + "\n".join(mixed)


# --- 2. WTForms forms ---------------------------------------------------------------------

WTFORMS = [
    auth_forms.CitizenLoginForm, auth_forms.OfficerLoginForm, admin_forms.ProcedureForm,
    admin_forms.CalendarExceptionForm, admin_forms.OfficerCreateForm, admin_forms.OfficerEditForm,
    admin_forms.PasswordResetForm, admin_forms.AgencyForm,
]


def _wrong_form_data(form_class: type, kind: str) -> MultiDict:
    """Each field empty, or holding what it refuses: words for numbers, no date, too long, too short
    (in a request)."""
    data = MultiDict()
    form = form_class(formdata=MultiDict(), meta={"csrf": False})
    for field in form:
        if kind == "empty":
            data.add(field.name, "")
        elif kind == "wrong":
            data.add(field.name, {"IntegerField": "mười", "MoneyField": "mười nghìn", "DateField": "31/02/2026",
                                  "SelectField": "zzz", "RadioField": "zzz", "SelectMultipleField": "zzz"}.get(
                type(field).__name__, "X!" * 300))
        else:  # short
            data.add(field.name, {"IntegerField": "-5", "MoneyField": "-1"}.get(type(field).__name__, "ab"))
    return data


FIELD_MACROS = '{% from "macros/forms.html" import error_summary, field %}{{ error_summary(form) }}{% for f in form %}{{ field(f) }}{% endfor %}'


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("form_class", WTFORMS, ids=lambda c: c.__name__)
def test_every_wtforms_message_is_in_the_page_language(app, form_class, lang):
    mixed, messages = [], 0
    for kind in ("empty", "wrong", "short"):
        with app.test_request_context(), force_locale(lang):
            form = form_class(formdata=_wrong_form_data(form_class, kind), meta={"csrf": False})
            form.validate()
            messages += sum(len(errors) for errors in form.errors.values())
            html = render_template_string(FIELD_MACROS, form=form)
        for text in page_texts(html):
            if found := other_language_in(text, lang):
                mixed.append(f"{kind}: {text!r} holds {found}")
    assert messages
    assert not mixed, "\n".join(mixed)
