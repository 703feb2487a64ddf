"""The portal's normal form of text (issue 16): what a citizen typed in any Unicode form, with
any spaces, reads the same, compares the same and is counted as it looks."""
from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from portal.textutil import comparable, fold, normalise, normalise_line, visible_length

NAME = "Nguyễn Thị Đường"


def test_decomposed_vietnamese_becomes_the_precomposed_letters():
    typed = unicodedata.normalize("NFD", NAME)  # Unikey's "Unicode tổ hợp"
    assert typed != NAME and len(typed) > len(NAME)
    assert normalise(typed) == NAME


def test_look_alike_letters_become_the_vietnamese_d():
    assert normalise("\u00d0ặng \u00f0ức") == "Đặng đức"  # Icelandic eth, as old font converters write it
    assert normalise("\u0189inh") == "Đinh"
    assert normalise("D\u0335inh") == "Đinh"  # D and a combining stroke


def test_spaces_of_every_kind_become_one_and_the_ends_are_trimmed():
    assert normalise("\u00a0 Hộ\u00a0kinh \t doanh\u202fHoa\u2007Mai \u3000") == "Hộ kinh doanh Hoa Mai"
    assert normalise("Hoa\u200bMai\ufeff") == "HoaMai"  # zero-width characters are dropped


def test_paragraphs_of_a_text_area_keep_their_line_breaks():
    assert normalise("\r\n  Dòng một  \r\n\r\n\r\n  dòng\u00a0hai \n\n") == "Dòng một\n\ndòng hai"
    assert normalise_line("Dòng một\ndòng hai") == "Dòng một dòng hai"


def test_comparison_ignores_form_case_and_spacing_but_not_diacritics():
    assert comparable(unicodedata.normalize("NFD", NAME).upper()) == comparable("  nguyễn  thị\u00a0đường")
    assert comparable("Nguyễn") != comparable("Nguyên")
    assert comparable("Đường") != comparable("Dường")


def test_length_counts_the_letters_seen():
    assert visible_length(unicodedata.normalize("NFD", NAME)) == len(NAME) == 16
    assert visible_length("e\u0323\u0302") == 1  # ệ typed as e + two marks that compose


def test_search_folding_takes_any_form_of_the_name():
    assert fold("\u00d0ĂNG KÝ THƯỜNG TRÚ") == fold(unicodedata.normalize("NFD", "Đăng ký thường trú")) == "dang ky thuong tru"


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip()
    assert "\u00a0" not in once and "  " not in once
    assert unicodedata.is_normalized("NFC", once)
    assert comparable(once) == comparable(text)
