"""The declaration or request form of a procedure, rendered from the e-form's answers (issue 17).

Nghị định 45/2020/NĐ-CP, Điều 12 and Nghị định 42/2022/NĐ-CP: the e-form a citizen fills in is
the declaration; nobody prints, signs and uploads the paper form again. At submission the
portal lays the answers out as the official form — same title, items and wording as the legal
template (CT01 of Thông tư 66/2023/TT-BCA; the civil-status forms of Thông tư 04/2024/TT-BTP;
form 03/2013/TT-LLTP; the household-business request of Thông tư 02/2023/TT-BKHĐT) — and
attaches it to the dossier as "generated from the e-form".

1. The submission builds a :class:`Declaration` of plain values (the answers as printed, the
   raw choices for the check boxes), no ORM object;
2. :func:`render_declaration` renders ``templates/paperwork/declarations/<document_key>.html``
   in Vietnamese (the legal form's language). Raises only :class:`PaperworkError`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.paperwork.common import render_document, require_aware, require_text
from portal.paperwork.pdf import PaperworkError

DECLARATION_TEMPLATES = (
    "ct01", "birth_form", "marital_form", "judicial_form", "hkd_form", "tk1_ts", "death_form", "funeral_form",
)


@dataclass(frozen=True, kw_only=True)
class Declaration:
    """``values``: each answer as printed, by field key (``""`` when not answered);
    ``choices``: the raw answers of the choice fields, for the form's check boxes."""

    document_key: str
    title: str
    addressee: str
    dossier_code: str
    procedure_name: str
    declarant_name: str
    place: str
    declared_at: datetime
    values: Mapping[str, str]
    choices: Mapping[str, Any]
    channel: str = "online"  # "counter": received at the one-stop counter, signed on paper there
    received_by: str = ""  # the officer who received a counter dossier

    @property
    def is_counter(self) -> bool:
        return self.channel == "counter"

    def __post_init__(self) -> None:
        require_text(self, "document_key", "title", "addressee", "dossier_code", "declarant_name")
        require_aware(self, "declared_at")
        if self.document_key not in DECLARATION_TEMPLATES:
            raise ValueError(f"no declaration template for {self.document_key!r}")

    def value(self, key: str) -> str:
        return self.values.get(key, "")


def render_declaration(declaration: Declaration) -> bytes:
    """The declaration as PDF bytes. Raises only :class:`PaperworkError`."""
    try:
        return render_document(
            f"declarations/{declaration.document_key}.html", declaration, "vi", has_qr=False, d=declaration
        )
    except PaperworkError:
        raise
    except Exception as error:  # a template slip is a failed document, never a crash
        raise PaperworkError(f"declaration {declaration.document_key} could not be rendered: {error}") from error
