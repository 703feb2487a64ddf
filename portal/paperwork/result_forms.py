"""The result document of each procedure, as data (issue 18), like the e-forms.

``results/<procedure code>.yaml`` names the document the law prescribes as the procedure's
result (the CT08 notice of Thông tư 66/2023/TT-BCA, the birth extract, the marital-status
certificate, Phiếu lý lịch tư pháp số 1, the household-business certificate): its form number,
title, legal bases, the fields in the template's order and where each is filled from, and which
of them the law leaves to the agency (``editable``). The workflow fills them
(:mod:`portal.workflow.result_draft`); :func:`portal.paperwork.result.render_result` lays them
out. Sources:

``answer.<key>`` / ``answer.<key>.<part>``
    an answer of the e-form as printed (``<part>`` of a person: full_name, personal_id,
    birth_year);
``register.<person answer or "applicant">.<attribute>``
    the population register (hometown, household_number);
``dossier.<attribute>``, ``agency.name``, ``issue.date|number|hkd_code``, ``computed.<name>``
    the dossier, the issuing agency, the issue itself, a value composed from several answers;
``<source>|<source>``
    the first of these that has a value (a child's hometown: the father's, else the mother's);
``text:<words>``
    the wording the template prints unless the agency chooses otherwise;
no ``source`` (editable lines only)
    no default: the agency must choose the line before the result can be approved (what only a
    check of another database can tell, such as the convictions of a judicial record).

``details_for`` lists the choices after which the specialist writes details, printed after the
choice (the convictions found). ``omit_blank`` lines are left out of the document when they
have no value (a child's personal ID, printed once the register has given it).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RESULTS_DIR = Path(__file__).parent / "results"


@dataclass(frozen=True)
class ResultField:
    key: str
    label: str
    source: str
    editable: bool = False
    section: str | None = None
    hint: str = ""
    choices: tuple[str, ...] = ()
    details_for: tuple[str, ...] = ()
    omit_blank: bool = False


@dataclass(frozen=True)
class ResultForm:
    procedure_code: str
    kind: str
    form_number: str
    title: str
    subtitle: str
    number_suffix: str
    signer_title: str
    legal_basis: tuple[str, ...]
    intro: str
    fields: tuple[ResultField, ...]
    closing: tuple[str, ...]
    refusal_basis: str
    valid_months: int | None = None
    # The document keys of other procedures this result can stand for when reused.
    serves_as: tuple[str, ...] = ()

    def field(self, key: str) -> ResultField | None:
        return next((f for f in self.fields if f.key == key), None)


class UnknownResultForm(LookupError):
    """No result document is defined for the procedure."""


def _field(data: dict) -> ResultField:
    return ResultField(
        key=str(data["key"]),
        label=str(data["label"]),
        source=str(data.get("source") or ""),
        editable=bool(data.get("editable", False)),
        section=data.get("section"),
        hint=str(data.get("hint", "")),
        choices=tuple(str(c) for c in data.get("choices", ())),
        details_for=tuple(str(c) for c in data.get("details_for", ())),
        omit_blank=bool(data.get("omit_blank", False)),
    )


@cache
def get_result_form(procedure_code: str) -> ResultForm:
    path = RESULTS_DIR / f"{procedure_code}.yaml"
    if "/" in procedure_code or not path.is_file():
        raise UnknownResultForm(procedure_code)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = tuple(_field(item) for item in data["fields"])
    if any(not f.source and not f.editable for f in fields):
        raise ValueError(f"{path.name}: a line without a source must be editable")
    if len({f.key for f in fields}) != len(fields):
        raise ValueError(f"{path.name}: field keys repeat")
    return ResultForm(
        procedure_code=str(data["procedure_code"]),
        kind=str(data["kind"]),
        form_number=str(data.get("form_number", "")),
        title=str(data["title"]),
        subtitle=str(data.get("subtitle") or ""),
        number_suffix=str(data["number_suffix"]),
        signer_title=str(data["signer_title"]),
        legal_basis=tuple(data.get("legal_basis") or ()),
        intro=str(data.get("intro") or ""),
        fields=fields,
        closing=tuple(data.get("closing") or ()),
        refusal_basis=str(data.get("refusal_basis", "")),
        valid_months=data.get("valid_months"),
        serves_as=tuple(str(k) for k in data.get("serves_as") or ()),
    )


def result_form_codes() -> list[str]:
    return sorted(path.stem for path in RESULTS_DIR.glob("*.yaml"))


def result_kinds_serving(document_key: str) -> set[str]:
    """The kinds of result (``StoredDocument.document_key`` of a result) that can be reused
    where a procedure asks for ``document_key``: the kind itself, and the results that serve
    as it (a residence notice for a proof of residence)."""
    kinds = {document_key}
    for code in result_form_codes():
        form = get_result_form(code)
        if document_key in form.serves_as:
            kinds.add(form.kind)
    return kinds
