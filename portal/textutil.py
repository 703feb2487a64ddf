"""Text as people type it, made one thing: the normal form every submitted text is turned into,
and the helpers that compare, count and search it.

Vietnamese can reach the portal in several byte sequences that read the same: Unikey's
"Unicode tổ hợp" sends a letter and its marks separately (NFD) where most keyboards send one
precomposed letter (NFC); old font converters write the Icelandic Ð (U+00D0) for Đ (U+0110);
text pasted from a word processor carries non-breaking and zero-width spaces. :func:`normalise`
makes them one (NFC, the look-alikes mapped, whitespace collapsed, trimmed); the request applies
it to every form and query value (:mod:`portal.security`), so validation, comparison, storage
and search all see the same text.
"""
from __future__ import annotations

import re
import unicodedata

# Letters that look like a Vietnamese letter but are another code point: the Icelandic eth
# (Ð ð) and the African D (Ɖ ɖ), which legacy font converters and some keyboards produce.
LOOKALIKES = {"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110", "\u0256": "\u0111"}
# Invisible characters that only split words or letters apart: zero-width spaces and joiners,
# the word joiner, the byte-order mark and the soft hyphen.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TRANSLATION = str.maketrans({**LOOKALIKES, **{ch: None for ch in INVISIBLE}})
# D or d with a combining stroke laid over it, the way some keyboards build Đ from two keys.
_STROKED_D = re.compile("([Dd])[\u0335\u0336]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def normalise(text: str) -> str:
    """``text`` in the portal's normal form: NFC, look-alike letters replaced by the Vietnamese
    ones, every run of spaces (non-breaking, tabs…) one plain space, each line trimmed, blank
    lines at the ends dropped and several blank lines in a row made one. Line breaks stay (a
    textarea's paragraphs); a one-line input never has any. Idempotent."""
    text = unicodedata.normalize("NFC", text.translate(_TRANSLATION))
    text = _STROKED_D.sub(lambda m: "\u0110" if m.group(1) == "D" else "\u0111", text)
    lines = [" ".join(line.split()) for line in _NEWLINES.sub("\n", text).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def normalise_line(text: str) -> str:
    """One line of text in the normal form: line breaks become spaces too."""
    return " ".join(normalise(text).split())


def comparable(text: str) -> str:
    """The key two texts are compared by where neither form, case nor spacing carries meaning
    (a register value sent back, a name searched): equal keys, same text."""
    return normalise_line(text).casefold()


def visible_length(text: str) -> int:
    """How many characters the citizen sees: a letter with its marks counts once, however it
    was typed, and invisible characters not at all."""
    return sum(1 for ch in normalise(text) if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics (đ → d) for accent-insensitive search."""
    decomposed = unicodedata.normalize("NFD", normalise(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def mask_name(full_name: str) -> str:
    """``Nguyễn Văn An`` → ``Nguyễn V*** A``: enough to recognise one's own dossier, not more.

    The family name stays, every other name keeps its first letter and the middle ones are
    starred. A name of two words (``Lê Phương``) stars its given name too (``Lê P***``): a bare
    ``Lê P`` reads as a name cut short, not as a name kept private.
    """
    words = full_name.split()
    if len(words) <= 2:
        return " ".join([*words[:-1], words[-1][0] + "***"]) if words else ""
    middle = [w[0] + "***" for w in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0]])
