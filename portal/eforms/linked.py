"""How the one e-form of a linked procedure becomes each component's answers (issue 21).

A linked procedure (*thủ tục liên thông*, Nghị định 63/2024/NĐ-CP) asks each fact once, in its
own e-form; ``linked/<linked procedure code>.yaml`` says, for each component procedure, where
each field of the component's e-form takes its value from:

``<answer key>`` (or nothing: the same key)
    an answer of the linked e-form, with its provenance;
``text:<value>``
    what the linked procedure implies (a newborn joins a relative's household);
``issued:<what>``
    what the component this one waits for issues when its result is signed: ``personal_id`` and
    ``person`` (the newborn, whom birth registration adds to the register), ``number`` and
    ``date`` (of the signed result, such as the death extract). Empty until then.

``step_titles`` (optional) renames steps of a component's e-form whose subject is not the
applicant in a linked dossier (the child a parent registers): ``<component code>: {<step key>:
{vi: …, en: …}}``, shown wherever the component's answers are.

Checked when loaded: every key is a field (every step title a step) of the component's e-form and
every answer one of the linked e-form's; a broken file fails at load, never in front of a citizen.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from portal.eforms.definitions import FormDefinitionError, Step, get_form_definition

LINKED_DIR = Path(__file__).parent / "linked"
ISSUED = ("personal_id", "person", "number", "date")
TEXT, ISSUED_PREFIX = "text:", "issued:"


@dataclass(frozen=True)
class ComponentAnswers:
    """Where each answer of one component comes from."""

    code: str
    sources: Mapping[str, str]
    step_titles: Mapping[str, Mapping[str, str]]

    def step_title(self, step: Step, lang: str) -> str:
        """The title of ``step`` of this component's e-form, as the linked procedure names it."""
        titles = self.step_titles.get(step.key)
        return titles["en" if lang == "en" else "vi"] if titles else step.title(lang)

    def answers(self, answers: Mapping[str, Any], provenance: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
        """The component's answers known at submission, and their provenance (a value the
        linked procedure implies is ``linked``: written by the portal, not from the register)."""
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for key, source in self.sources.items():
            if source.startswith(TEXT):
                values[key], origins[key] = source[len(TEXT):], "linked"
            elif not source.startswith(ISSUED_PREFIX) and answers.get(source) not in (None, ""):
                values[key], origins[key] = answers[source], provenance.get(source, "citizen")
        return values, origins

    @property
    def issued(self) -> dict[str, str]:
        """Field key → what of the awaited result fills it."""
        return {k: s[len(ISSUED_PREFIX):] for k, s in self.sources.items() if s.startswith(ISSUED_PREFIX)}


@dataclass(frozen=True)
class LinkedForm:
    procedure_code: str
    components: tuple[ComponentAnswers, ...]

    def component(self, code: str) -> ComponentAnswers:
        return next(c for c in self.components if c.code == code)


def _source(raw: Any, key: str, asked: set[str], where: str) -> str:
    source = key if raw is None else str(raw)
    if source.startswith(ISSUED_PREFIX):
        if source[len(ISSUED_PREFIX):] not in ISSUED:
            raise FormDefinitionError(f"{where}: '{key}' takes '{source}'; issued values are {', '.join(ISSUED)}")
    elif not source.startswith(TEXT) and source not in asked:
        raise FormDefinitionError(f"{where}: '{key}' takes '{source}', which the linked e-form does not ask")
    return source


def _step_titles(raw: Mapping[str, Any], steps: set[str], where: str) -> dict[str, Mapping[str, str]]:
    titles: dict[str, Mapping[str, str]] = {}
    for key, title in raw.items():
        if key not in steps:
            raise FormDefinitionError(f"{where}: step_titles names '{key}', which is no step of its e-form")
        if not isinstance(title, dict) or not title.get("vi") or not title.get("en"):
            raise FormDefinitionError(f"{where}: the title of step '{key}' needs vi and en")
        titles[key] = MappingProxyType({"vi": str(title["vi"]), "en": str(title["en"])})
    return titles


@cache
def get_linked_form(procedure_code: str) -> LinkedForm:
    """The answer map of a linked procedure (read once); ``LookupError`` when there is none."""
    path = LINKED_DIR / f"{procedure_code}.yaml"
    if "/" in procedure_code or not path.is_file():
        raise LookupError(f"no linked e-form for procedure {procedure_code!r}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    asked = {f.key for f in get_form_definition(procedure_code).fields if f.type != "file"}
    components = []
    titles = data.get("step_titles") or {}
    strays = sorted(set(titles) - set(data.get("components") or {}))
    if strays:
        raise FormDefinitionError(f"{path.name}: step_titles names {', '.join(strays)}, which is no component")
    for code, sources in (data.get("components") or {}).items():
        where = f"{path.name}, component {code}"
        definition = get_form_definition(str(code))
        unknown = sorted(set(sources) - {f.key for f in definition.fields})
        if unknown:
            raise FormDefinitionError(f"{where}: {', '.join(unknown)} is no field of its e-form")
        components.append(ComponentAnswers(
            str(code), MappingProxyType({key: _source(raw, key, asked, where) for key, raw in sources.items()}),
            MappingProxyType(_step_titles(titles.get(code) or {}, {s.key for s in definition.steps}, where)),
        ))
    return LinkedForm(procedure_code, tuple(components))
