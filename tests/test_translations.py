"""Both languages are complete.

1. Every message the code and templates pass through Flask-Babel (extracted afresh with
   ``babel.cfg``, as ``make extract-messages`` does) has a Vietnamese translation that is not
   empty, not fuzzy and keeps the placeholders. The message ids are English, so English is
   complete when no message id is written in Vietnamese and no template shows text of its own
   outside ``_()``.
2. Data files that hold text (the catalog, the e-form definitions) give each text in both
   languages: every ``…_vi`` has its ``…_en`` and the other way round.
3. Every notification exists in both languages.
4. Money and dates are written the way each language writes them.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale

from hypothesis import given, settings, strategies as st

from portal.i18n import day, moment, money, number

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "portal" / "translations"
# Letters only Vietnamese uses, and its accented vowels.
VIETNAMESE_LETTERS = re.compile(r"[À-ÃÈ-ÊÌÍÒ-ÕÙÚÝà-ãè-êìíò-õùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]")
# Text a template may show as it is, in every language: names and units.
AS_IS = {"VNeID", "API", "KB", "KB)", "English", "Tiếng Việt"}
DATA_FILES = sorted([*(ROOT / "portal" / "catalog" / "data").glob("*.yaml"),
                     *(ROOT / "portal" / "eforms" / "forms").glob("*.yaml")])


def extracted_messages() -> dict[str, str]:
    """Message id → where it is used, extracted as ``make extract-messages`` does."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    messages: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message if isinstance(message, str) else message[0]
        messages.setdefault(msgid, f"{filename}:{lineno}")
    return messages


@pytest.fixture(scope="module")
def messages() -> dict[str, str]:
    return extracted_messages()


@pytest.fixture(scope="module")
def vietnamese():
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="vi")


def test_every_message_has_a_vietnamese_translation(messages, vietnamese):
    missing = []
    for msgid, where in sorted(messages.items(), key=lambda item: item[1]):
        entry = vietnamese.get(msgid)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or "fuzzy" in entry.flags or not all(strings):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} messages lack a Vietnamese translation (`make extract-messages`, then translate them):\n"
        + "\n".join(missing)
    )


def test_vietnamese_translations_keep_the_placeholders(messages, vietnamese):
    wrong = []
    for msgid in messages:
        entry = vietnamese.get(msgid)
        if entry is None or not entry.string:
            continue
        try:
            python_format(vietnamese, entry)
        except Exception as exc:  # babel raises TranslationError with what differs
            wrong.append(f"{msgid!r}: {exc}")
    assert not wrong, "\n".join(wrong)


def is_vietnamese(text: str) -> bool:
    """Mostly Vietnamese words; an English text naming "đồng" or "Decision 766/QĐ-TTg" is not."""
    words = text.split()
    marked = [w for w in words if VIETNAMESE_LETTERS.search(w)]
    return len(marked) >= 2 and len(marked) * 5 >= len(words) * 2


def test_message_ids_are_english(messages):
    vietnamese_ids = [f"{where}: {msgid!r}" for msgid, where in messages.items() if is_vietnamese(msgid)]
    assert not vietnamese_ids, "message ids must be English (the Vietnamese goes in the catalog):\n" + "\n".join(vietnamese_ids)
    assert is_vietnamese("Đăng ký thường trú") and not is_vietnamese("Amount (đồng)")


def untranslated_text(template: str) -> list[str]:
    """Text a template shows outside ``_()``: what is left once comments, tags, Jinja blocks and
    expressions, scripts and styles (also a slip's ``style`` and ``page`` blocks) are taken out,
    and the literal values of attributes people read (alt, title, aria-label, placeholder).
    Attributes that a macro writes outside a tag, and paths such as ``/api/v1/stats``, are not
    text."""
    readable = re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"{]*)"', template)
    text = re.sub(r"\{#.*?#\}", "", template, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    text = re.sub(r"\{%-? block (style|page) -?%\}.*?\{%-? endblock", "", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", "\0", text, flags=re.S)
    pieces = [piece.strip() for piece in [*text.split("\0"), *readable]]
    return [
        piece for piece in pieces
        if re.search(r"[^\W\d_]", piece) and piece not in AS_IS and '="' not in piece and not piece.startswith("/")
    ]


# The law's own forms (the declarations the e-form fills, the result documents) are printed in
# the law's wording, in Vietnamese whatever the reader's language: their text is the template.
LEGAL_FORMS = ("paperwork/declarations/", "paperwork/official_result.html")


@pytest.mark.parametrize(
    "template",
    sorted(p for p in (ROOT / "templates").rglob("*.html")
           if not str(p.relative_to(ROOT / "templates")).startswith(LEGAL_FORMS)),
    ids=lambda p: str(p.relative_to(ROOT / "templates")),
)
def test_templates_show_no_text_of_their_own(template):
    assert not untranslated_text(template.read_text(encoding="utf-8"))


def test_the_template_scan_sees_bare_text():
    template = '{# note #}<p title="Mã">{{ _("Code") }}</p><p>Hồ sơ {{ code }}</p><style>p { color: red }</style>'
    assert untranslated_text(template) == ["Hồ sơ", "Mã"]


def bilingual_gaps(node: Any, path: str) -> list[str]:
    """Where a ``…_vi`` text has no ``…_en`` twin (or the other way round), or one is empty."""
    gaps: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            for mine, other in (("_vi", "_en"), ("_en", "_vi")):
                if isinstance(key, str) and key.endswith(mine):
                    twin = key[: -len(mine)] + other
                    if not (isinstance(value, str) and value.strip()):
                        gaps.append(f"{path}.{key} is empty")
                    elif not (isinstance(node.get(twin), str) and node[twin].strip()):
                        gaps.append(f"{path}.{key} has no {twin}")
            gaps += bilingual_gaps(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            gaps += bilingual_gaps(item, f"{path}[{index}]")
    return gaps


@pytest.mark.parametrize("data_file", DATA_FILES, ids=lambda p: p.name)
def test_data_files_give_every_text_in_both_languages(data_file):
    data = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    assert not bilingual_gaps(data, data_file.name)


def test_the_gap_finder_sees_a_missing_twin():
    data = {"steps": [{"title_vi": "Giấy tờ", "title_en": "Documents", "fields": [{"label_vi": "Email", "hint_en": "x"}]}]}
    assert bilingual_gaps(data, "f") == [
        "f.steps[0].fields[0].label_vi has no label_en", "f.steps[0].fields[0].hint_en has no hint_vi"
    ]


def test_every_notification_exists_in_both_languages():
    folder = ROOT / "templates" / "notifications"
    names = {lang: sorted(p.name for p in (folder / lang).iterdir()) for lang in ("vi", "en")}
    assert names["vi"] == names["en"] and names["vi"]


@pytest.mark.parametrize(
    ("lang", "amount", "when", "written"),
    [
        ("vi", "10.000\u00a0₫", "14:05 02/03/2026", "02/03/2026"),
        ("en", "10,000\u00a0₫", "14:05 02/03/2026", "02/03/2026"),
    ],
)
def test_money_and_dates_per_language(app, lang, amount, when, written):
    with app.test_request_context(), force_locale(lang):
        assert money(10_000) == amount
        assert money(1_500_000).count("." if lang == "vi" else ",") == 2
        # Dates day first in both languages, as Vietnamese official papers write them.
        assert moment(datetime.fromisoformat("2026-03-02T07:05:00+00:00")) == when
        assert day(date(2026, 3, 2)) == written


@settings(max_examples=200, deadline=None)
@given(count=st.integers(min_value=0, max_value=10**12), lang=st.sampled_from(["vi", "en"]))
def test_counts_are_grouped_as_babel_groups_them(app, count, lang):
    from babel.numbers import format_decimal

    with app.test_request_context(), force_locale(lang):
        assert number(count) == format_decimal(count, locale=lang)


def test_a_count_reads_as_the_language_writes_it(app):
    with app.test_request_context(), force_locale("vi"):
        assert number(1014) == "1.014" and number(200_997) == "200.997" and number(999) == "999"
    with app.test_request_context(), force_locale("en"):
        assert number(1014) == "1,014"
