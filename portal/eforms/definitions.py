"""Form definitions (*biểu mẫu điện tử*): data files, checked when they are loaded.

1. Each procedure has a YAML file ``forms/<procedure code>.yaml``: steps, and in each step the
   fields with their key, type, labels and hints in Vietnamese and English, whether they are
   required, validators, options, a visibility condition, a ``prefill`` path into the register,
   a ``reuse`` key into the citizen's profile, and for file fields the procedure's document.
2. :func:`load_form_definition` reads a file and checks everything a form needs to work;
   anything wrong raises :class:`FormDefinitionError` naming the file, the step, the field and
   the problem — a broken definition fails at load, never in front of a citizen.
3. :func:`check_against_procedure` checks that the file fields and the procedure's required
   documents (catalog) match one to one.
4. :meth:`FormDefinition.to_dict` writes a definition back as data; loading it gives it back.

Nghị định 45/2020/NĐ-CP, Điều 12: the e-form carries the information of the paper declaration
and reuses the data the state already holds (see :mod:`portal.eforms.prefill`).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field as dataclass_field
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from portal.eforms.derive import check_origin
from portal.eforms.prefill import KINDS_BY_FIELD_TYPE, parse_path

FORMS_DIR = Path(__file__).parent / "forms"

FIELD_TYPES = (
    "text", "textarea", "number", "date", "select", "yesno",
    "email", "phone", "address", "person", "file",
)
# Keys end up in HTML names such as "home-province", so they never contain "-" themselves.
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
PROCEDURE_CODE_PATTERN = re.compile(r"\d+(\.\d+)+")

# A pattern compares without regard to case unless ``pattern_case_sensitive`` says case means
# something (a code that must be written in capitals).
_TEXT_VALIDATORS = frozenset(
    {"max_length", "min_length", "pattern", "pattern_case_sensitive", "pattern_message_vi", "pattern_message_en",
     "one_of_answers"}  # one_of_answers: the answer must be one of those fields' answers (when known)
)
VALIDATORS_BY_TYPE: dict[str, frozenset[str]] = {
    "text": _TEXT_VALIDATORS,
    "textarea": _TEXT_VALIDATORS,
    "number": frozenset({"min", "max"}),
    # after_birth_of: person field keys; within_years: at most that many years ago (a child under six)
    "date": frozenset({"not_future", "not_past", "after_birth_of", "within_years"}),
    "email": frozenset({"max_length"}),
    "phone": frozenset(),
    "select": frozenset(),
    "yesno": frozenset(),
    # On an address the length limit applies to the street line.
    "address": frozenset({"max_length"}),
    "person": frozenset(),
    "file": frozenset(),
}
# Fields whose answers can decide whether another field is shown.
CONDITION_TYPES = frozenset({"text", "number", "select", "yesno"})

# ``declaration``: the document key of the procedure's declaration or request form, which the
# portal renders from the answers at submission (``templates/paperwork/declarations/<key>.html``)
# instead of asking for it as an upload (NĐ 45/2020, Điều 12: the e-form is the declaration).
_DEFINITION_KEYS = frozenset({"procedure_code", "version", "steps", "declaration"})
_STEP_KEYS = frozenset({"key", "title_vi", "title_en", "intro_vi", "intro_en", "fields"})
_FIELD_KEYS = frozenset({
    "key", "type", "label_vi", "label_en", "hint_vi", "hint_en", "required", "prefill", "reuse",
    "validators", "options", "visible_if", "document", "source", "derive", "concerns",
})
_OPTION_KEYS = frozenset({"value", "label_vi", "label_en"})
_CONDITION_KEYS = frozenset({"field", "equals"})


class FormDefinitionError(ValueError):
    """A form definition cannot be used; the message names file, step, field and problem."""


def _in_english(lang: str | None) -> bool:
    return bool(lang) and str(lang).lower().startswith("en")


@dataclass(frozen=True)
class Option:
    value: str
    label_vi: str
    label_en: str

    def label(self, lang: str | None) -> str:
        return self.label_en if _in_english(lang) else self.label_vi

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label_vi": self.label_vi, "label_en": self.label_en}


@dataclass(frozen=True)
class Condition:
    """Show the field only when the answer to ``field`` equals ``equals``."""

    field: str
    equals: Any

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return answers.get(self.field) == self.equals

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "equals": self.equals}


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label_vi: str
    label_en: str
    hint_vi: str = ""
    hint_en: str = ""
    required: bool = True
    prefill: str | None = None
    reuse: str | None = None
    validators: Mapping[str, Any] = dataclass_field(default_factory=lambda: MappingProxyType({}))
    options: tuple[Option, ...] = ()
    visible_if: Condition | None = None
    document: str | None = None
    source: str = ""  # as written in the data file; :attr:`origin` fills in what it implies
    derive: str | None = None  # a rule of :mod:`portal.eforms.derive`
    concerns: str | None = None  # a file field: the answer its document is about (offered again only if equal)

    @property
    def origin(self) -> str:
        """Where the value comes from: prefilled, derived, reused, typed, or uploaded."""
        implied = "uploaded" if self.type == "file" else "prefilled" if self.prefill else "reused" if self.reuse else ""
        return self.source or implied or "typed"

    def label(self, lang: str | None) -> str:
        return self.label_en if _in_english(lang) else self.label_vi

    def hint(self, lang: str | None) -> str:
        return self.hint_en if _in_english(lang) else self.hint_vi

    def option_label(self, value: Any, lang: str | None) -> str:
        """What the citizen sees for a chosen value (the value itself if it is no option)."""
        shown = "" if value is None else str(value)
        return next((o.label(lang) for o in self.options if o.value == value), shown)

    @property
    def input_id(self) -> str:
        """The id of the field's first control: where an error summary link points."""
        suffix = {"address": "-province", "person": "-personal_id", "yesno": "-yes"}.get(self.type, "")
        return f"{self.key}{suffix}"

    def is_visible(self, answers: Mapping[str, Any]) -> bool:
        return self.visible_if is None or self.visible_if.holds(answers)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key, "type": self.type, "label_vi": self.label_vi, "label_en": self.label_en,
        }
        optional = {
            "hint_vi": self.hint_vi, "hint_en": self.hint_en, "prefill": self.prefill,
            "reuse": self.reuse, "document": self.document, "source": self.source, "derive": self.derive, "concerns": self.concerns,
            "validators": dict(self.validators),
            "options": [o.to_dict() for o in self.options],
            "visible_if": self.visible_if.to_dict() if self.visible_if else None,
        }
        data.update({name: value for name, value in optional.items() if value})
        if not self.required:
            data["required"] = False
        return data


@dataclass(frozen=True)
class Step:
    key: str
    title_vi: str
    title_en: str
    intro_vi: str = ""
    intro_en: str = ""
    fields: tuple[Field, ...] = ()

    def title(self, lang: str | None) -> str:
        return self.title_en if _in_english(lang) else self.title_vi

    def intro(self, lang: str | None) -> str:
        return self.intro_en if _in_english(lang) else self.intro_vi

    def fields_to_show(self, answers: Mapping[str, Any]) -> tuple[Field, ...]:
        """The fields to render: those shown by earlier answers, and those depending on an
        answer on this very page (the page's script reveals them; without it they all show)."""
        own = {f.key for f in self.fields}
        return tuple(
            f for f in self.fields
            if f.visible_if is None or f.visible_if.field in own or f.visible_if.holds(answers)
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "title_vi": self.title_vi, "title_en": self.title_en}
        if self.intro_vi:
            data["intro_vi"] = self.intro_vi
        if self.intro_en:
            data["intro_en"] = self.intro_en
        data["fields"] = [f.to_dict() for f in self.fields]
        return data


@dataclass(frozen=True)
class FormDefinition:
    procedure_code: str
    version: int
    steps: tuple[Step, ...]
    declaration: str | None = None

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for step in self.steps for f in step.fields)

    @cached_property
    def _by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def field(self, key: str) -> Field:
        """The field with this key; raises ``KeyError`` for an unknown key."""
        return self._by_key[key]

    @property
    def file_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.type == "file")

    def step(self, key: str) -> Step:
        """The step with this key; raises ``KeyError`` for an unknown key."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"procedure_code": self.procedure_code, "version": self.version}
        if self.declaration:
            data["declaration"] = self.declaration
        data["steps"] = [s.to_dict() for s in self.steps]
        return data


# --- loading and checking ------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Where in a definition a problem is, for the error message."""

    source: str
    step: str | None = None
    field: str | None = None

    def fail(self, problem: str) -> FormDefinitionError:
        parts = [self.source]
        if self.step is not None:
            parts.append(f"step '{self.step}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return FormDefinitionError(f"{', '.join(parts)}: {problem}")


def _mapping(value: Any, where: _Where, what: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.fail(f"{what} must be a mapping of keys to values")
    unknown = sorted(str(k) for k in value.keys() - allowed)
    if unknown:
        raise where.fail(f"unknown key(s) {', '.join(unknown)} in {what} (allowed: {', '.join(sorted(allowed))})")
    return value


def _text(data: Mapping[str, Any], name: str, where: _Where, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise where.fail(f"'{name}' must be {'non-empty ' if required else ''}text")
    return value


def _key(data: Mapping[str, Any], name: str, where: _Where) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
        raise where.fail(
            f"'{name}' must be lower-case letters, digits and underscores, starting with a letter "
            f"(got {value!r})"
        )
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validators(raw: Any, field_type: str, where: _Where) -> Mapping[str, Any]:
    if raw is None:
        return MappingProxyType({})
    allowed = VALIDATORS_BY_TYPE[field_type]
    if isinstance(raw, Mapping):
        unknown = sorted(str(k) for k in raw.keys() - allowed)
        if unknown:
            allowed_text = ", ".join(sorted(allowed)) or "none"
            raise where.fail(
                f"unknown validator(s) {', '.join(unknown)} for a {field_type} field (allowed: {allowed_text})"
            )
    validators = dict(_mapping(raw, where, "validators", allowed))
    for name in ("max_length", "min_length"):
        if name in validators and not (_is_int(validators[name]) and validators[name] >= 1):
            raise where.fail(f"validator {name} must be a positive whole number")
    if validators.get("min_length", 0) > validators.get("max_length", float("inf")):
        raise where.fail("validator min_length is greater than max_length")
    for name in ("min", "max", "within_years"):
        if name in validators and not _is_int(validators[name]):
            raise where.fail(f"validator {name} must be a whole number")
    if validators.get("min", float("-inf")) > validators.get("max", float("inf")):
        raise where.fail("validator min is greater than max")
    for name in ("not_future", "not_past"):
        if name in validators and not isinstance(validators[name], bool):
            raise where.fail(f"validator {name} must be true or false")
    if validators.get("not_future") and validators.get("not_past"):
        raise where.fail("validators not_future and not_past together leave only today; use neither")
    if "pattern_case_sensitive" in validators and not isinstance(validators["pattern_case_sensitive"], bool):
        raise where.fail("validator pattern_case_sensitive must be true or false")
    if "pattern" in validators:
        try:
            # Submitted text is NFC (portal.textutil), so the pattern is compared in NFC too.
            validators["pattern"] = unicodedata.normalize("NFC", validators["pattern"])
            re.compile(validators["pattern"])
        except (re.error, TypeError) as exc:
            raise where.fail(f"validator pattern is not a regular expression: {exc}") from exc
        for name in ("pattern_message_vi", "pattern_message_en"):
            if not isinstance(validators.get(name), str) or not validators[name].strip():
                raise where.fail(f"validator pattern needs {name}: the message telling the citizen what to type")
    elif "pattern_message_vi" in validators or "pattern_message_en" in validators:
        raise where.fail("pattern_message_vi/en without a pattern")
    return MappingProxyType(validators)


def _options(raw: Any, field_type: str, where: _Where) -> tuple[Option, ...]:
    if field_type != "select":
        if raw:
            raise where.fail(f"options are only for select fields, not {field_type}")
        return ()
    if not isinstance(raw, list) or not raw:
        raise where.fail("a select field needs a non-empty list of options")
    options = []
    for item in raw:
        data = _mapping(item, where, "an option", _OPTION_KEYS)
        value = data.get("value")
        # YAML reads an unquoted 1 as a number; the submitted value is always text.
        if _is_int(value):
            value = str(value)
        if not isinstance(value, str) or not value:
            raise where.fail(f"option value must be non-empty text (got {value!r})")
        options.append(Option(value, _text(data, "label_vi", where), _text(data, "label_en", where)))
    values = [o.value for o in options]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise where.fail(f"option value(s) {', '.join(duplicates)} listed twice")
    return tuple(options)


def _condition(raw: Any, key: str, earlier: Mapping[str, Field], where: _Where) -> Condition | None:
    if raw is None:
        return None
    data = _mapping(raw, where, "visible_if", _CONDITION_KEYS)
    if "field" not in data or "equals" not in data:
        raise where.fail("visible_if needs 'field' and 'equals'")
    target_key = data["field"]
    if target_key == key:
        raise where.fail("visible_if cannot depend on the field itself")
    target = earlier.get(target_key)
    if target is None:
        raise where.fail(f"visible_if refers to '{target_key}', which is not a field before this one")
    if target.type not in CONDITION_TYPES:
        raise where.fail(
            f"visible_if refers to '{target_key}', a {target.type} field; "
            f"only {', '.join(sorted(CONDITION_TYPES))} fields can decide visibility"
        )
    equals = data["equals"]
    expected_ok = {
        "yesno": isinstance(equals, bool),
        "number": _is_int(equals),
        "select": equals in {o.value for o in target.options},
        "text": isinstance(equals, str),
    }[target.type]
    if not expected_ok:
        raise where.fail(
            f"visible_if: {equals!r} is not a possible answer to the {target.type} field '{target_key}'"
        )
    return Condition(target_key, equals)


def _prefill(
    raw: Any, field_type: str, step_index: int, earlier: Mapping[str, tuple[Field, int]], where: _Where
) -> str | None:
    if raw is None:
        return None
    if field_type == "file":
        raise where.fail("a file field cannot be prefilled from the register")
    try:
        path = parse_path(raw)
    except ValueError as exc:
        raise where.fail(str(exc)) from exc
    if path.kind not in KINDS_BY_FIELD_TYPE[field_type]:
        raise where.fail(
            f"prefill path '{raw}' gives a {path.kind} value, which a {field_type} field cannot hold"
        )
    if path.person_field is not None:
        target, target_step = earlier.get(path.person_field, (None, step_index))
        if target is None or target.type != "person" or target_step >= step_index:
            raise where.fail(
                f"prefill path '{raw}' needs '{path.person_field}' to be a person field on an earlier step"
            )
    return raw


def _field(raw: Any, step_index: int, earlier: Mapping[str, tuple[Field, int]], where: _Where) -> Field:
    data = _mapping(raw, where, "a field", _FIELD_KEYS)
    key = _key(data, "key", where)
    where = _Where(where.source, where.step, key)
    field_type = data.get("type")
    if field_type not in FIELD_TYPES:
        raise where.fail(f"unknown type {field_type!r} (types: {', '.join(FIELD_TYPES)})")
    required = data.get("required", True)
    if not isinstance(required, bool):
        raise where.fail("'required' must be true or false")
    reuse = _key(data, "reuse", where) if data.get("reuse") is not None else None
    document = _key(data, "document", where) if data.get("document") is not None else None
    if field_type == "file":
        if document is None:
            raise where.fail("a file field must name the procedure's document it carries ('document')")
        if reuse is not None:
            raise where.fail(
                "a file field cannot take 'reuse'; stored documents are offered by the attachment step"
            )
    elif document is not None:
        raise where.fail(f"'document' is only for file fields, not {field_type}")
    prefill = _prefill(data.get("prefill"), field_type, step_index, earlier, where)
    if prefill is not None and reuse is not None:
        raise where.fail("a field is filled from the register (prefill) or from the profile (reuse), not both")
    if reuse is not None and field_type == "person":
        raise where.fail("a person field cannot take 'reuse'")
    try:
        source, derive = check_origin(data.get("source"), data.get("derive"), field_type, prefill, reuse)
    except ValueError as exc:
        raise where.fail(str(exc)) from exc
    concerns = _key(data, "concerns", where) if data.get("concerns") is not None else None
    if concerns is not None and field_type != "file":
        raise where.fail("'concerns' (what a document is about, for its reuse) is only for file fields")
    return Field(
        key=key,
        type=field_type,
        label_vi=_text(data, "label_vi", where),
        label_en=_text(data, "label_en", where),
        hint_vi=_text(data, "hint_vi", where, required=False),
        hint_en=_text(data, "hint_en", where, required=False),
        required=required,
        prefill=prefill,
        reuse=reuse,
        validators=_validators(data.get("validators"), field_type, where),
        options=_options(data.get("options"), field_type, where),
        visible_if=_condition(data.get("visible_if"), key, {k: f for k, (f, _) in earlier.items()}, where),
        document=document,
        source=source,
        derive=derive,
        concerns=concerns,
    )


def _unique(fields: Iterable[Field], attribute: str, what: str, where: _Where) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        value = getattr(f, attribute)
        if value is None:
            continue
        if value in seen:
            raise _Where(where.source, None, f.key).fail(
                f"{what} '{value}' is already used by field '{seen[value]}'"
            )
        seen[value] = f.key


def parse_form_definition(data: Any, source: str = "<form definition>") -> FormDefinition:
    """Build a definition from parsed data; raises :class:`FormDefinitionError`."""
    where = _Where(source)
    data = _mapping(data, where, "the definition", _DEFINITION_KEYS)
    code = data.get("procedure_code")
    if not isinstance(code, str) or not PROCEDURE_CODE_PATTERN.fullmatch(code):
        raise where.fail("'procedure_code' must be text such as \"1.004222\" (quote it in YAML)")
    version = data.get("version", 1)
    if not _is_int(version) or version < 1:
        raise where.fail("'version' must be a positive whole number")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise where.fail("'steps' must be a non-empty list")
    steps: list[Step] = []
    earlier: dict[str, tuple[Field, int]] = {}
    for index, raw_step in enumerate(raw_steps):
        step_where = _Where(source, f"#{index + 1}")
        step_data = _mapping(raw_step, step_where, "a step", _STEP_KEYS)
        step_key = _key(step_data, "key", step_where)
        step_where = _Where(source, step_key)
        if any(s.key == step_key for s in steps):
            raise step_where.fail("another step has the same key")
        raw_fields = step_data.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise step_where.fail("'fields' must be a non-empty list")
        fields = []
        for position, raw_field in enumerate(raw_fields):
            field_where = _Where(source, step_key, f"#{position + 1}")
            built = _field(raw_field, index, earlier, field_where)
            if built.key in earlier:
                raise _Where(source, step_key, built.key).fail("another field has the same key")
            earlier[built.key] = (built, index)
            fields.append(built)
        steps.append(
            Step(
                key=step_key,
                title_vi=_text(step_data, "title_vi", step_where),
                title_en=_text(step_data, "title_en", step_where),
                intro_vi=_text(step_data, "intro_vi", step_where, required=False),
                intro_en=_text(step_data, "intro_en", step_where, required=False),
                fields=tuple(fields),
            )
        )
    all_fields = [f for f, _ in earlier.values()]
    _unique(all_fields, "document", "document", where)
    _unique(all_fields, "reuse", "profile key", where)
    for f in all_fields:
        if f.concerns is not None and (f.concerns not in earlier or earlier[f.concerns][0].type == "file"):
            raise _Where(source, None, f.key).fail(f"concerns '{f.concerns}', which is no answer of this form")
    declaration = _key(data, "declaration", where) if data.get("declaration") is not None else None
    if declaration is not None and any(f.document == declaration for f in all_fields):
        raise where.fail(f"declaration '{declaration}' is rendered from the answers, so no field may upload it")
    return FormDefinition(procedure_code=code, version=version, steps=tuple(steps), declaration=declaration)


def load_form_definition(path: Path | str) -> FormDefinition:
    """Read and check a YAML form definition; raises :class:`FormDefinitionError`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FormDefinitionError(f"{path.name}: cannot be read: {exc}") from exc
    return parse_form_definition(data, path.name)


@cache
def get_form_definition(procedure_code: str) -> FormDefinition:
    """The definition shipped for a procedure (read once); ``LookupError`` when there is none."""
    path = FORMS_DIR / f"{procedure_code}.yaml"
    if not PROCEDURE_CODE_PATTERN.fullmatch(procedure_code) or not path.is_file():
        raise LookupError(f"no form definition for procedure {procedure_code!r}")
    definition = load_form_definition(path)
    if definition.procedure_code != procedure_code:
        raise FormDefinitionError(
            f"{path.name}: procedure_code is '{definition.procedure_code}', "
            f"not '{procedure_code}' as the file name says"
        )
    return definition


def check_against_procedure(definition: FormDefinition, required_documents: list[dict]) -> None:
    """Raise :class:`FormDefinitionError` unless the file fields match the procedure's documents:
    one file field per document, required exactly when the document is required."""
    where = _Where(f"form of procedure {definition.procedure_code}")
    documents = {d["key"]: bool(d.get("is_required", True)) for d in required_documents}
    by_document: dict[str | None, Any] = {f.document: f for f in definition.file_fields}
    if definition.declaration is not None:
        if definition.declaration not in documents:
            raise where.fail(f"declaration '{definition.declaration}' is not one of the procedure's documents")
        by_document[definition.declaration] = "rendered from the e-form"
    for f in definition.file_fields:
        if f.document not in documents:
            raise _Where(where.source, None, f.key).fail(
                f"document '{f.document}' is not one of the procedure's documents "
                f"({', '.join(documents) or 'none'})"
            )
        if f.required != documents[f.document]:
            state = "required" if documents[f.document] else "optional"
            raise _Where(where.source, None, f.key).fail(
                f"document '{f.document}' is {state} for the procedure, "
                f"so the field must have required: {str(documents[f.document]).lower()}"
            )
    missing = [key for key, is_required in documents.items() if is_required and key not in by_document]
    if missing:
        raise where.fail(f"no file field for the required document(s) {', '.join(missing)}")
