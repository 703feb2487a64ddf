"""What the components of a linked dossier do for one another (issue 21; Nghị định 63/2024/NĐ-CP).

A component that needs another's result waits for it (``GroupComponent.waits_for``): it sits in
its agency's intake queue but cannot be accepted, so its clock has not started.

1. Before the result of a birth registration whose components wait for the child's ID is
   signed, :func:`register_newborn` adds the newborn to the population register through its
   client and keeps the child's personal ID on the dossier, so the extract prints it. When the
   awaited component's result is signed (``approve``), :func:`release_waiting` gives each
   waiting component what that result issues (:mod:`portal.eforms.linked`): the child's ID; a
   death registration's extract number and date. The transition then has their agencies
   receive them (``receive_linked``): their clock starts now.
2. When a component ends without a result (not accepted, refused on the merits, stopped,
   withdrawn, closed as not supplemented), the components waiting for it cannot be processed:
   they are stopped with that reason (``stop_linked``, slip 05); the others go on.
3. :func:`component_views` says to the citizen, in their language, where each component stands
   and what one component's end means for the others.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale

from portal.deadlines import to_local
from portal.dossiers.models import Dossier, DossierEvent, DossierGroup, GroupComponent
from portal.dossiers.states import Status
from portal.eforms.linked import get_linked_form
from portal.i18n import gettext as _, lazy_gettext as _l
from portal.registry import get_registry
from portal.registry.places import province_name, ward_name
from portal.registry.records import Address, Newborn
from portal.timeutil import to_db
from portal.workflow.declaration import refresh_declaration
from portal.workflow.result_draft import document_number

S = Status
WITH_RESULT = frozenset({S.RESULT_READY.value, S.SHIPPED.value, S.RETURNED.value})
WITHOUT_RESULT = frozenset({S.NOT_ACCEPTED.value, S.STOPPED.value, S.WITHDRAWN.value})


def has_result(dossier: Dossier) -> bool:
    """A signed result that grants what was asked (not a refusal on the merits)."""
    return dossier.status in WITH_RESULT and not dossier.is_result_refusal


def ended_without_result(dossier: Dossier) -> bool:
    return dossier.status in WITHOUT_RESULT or (dossier.status in WITH_RESULT and dossier.is_result_refusal)


def waiting_on(dossier: Dossier) -> list[GroupComponent]:
    """The components of ``dossier``'s linked dossier still waiting for its result."""
    if dossier.linked is None:
        return []
    return [c for c in dossier.linked.group.components
            if c.waits_for_id == dossier.id and c.is_waiting and c.dossier.status == S.SUBMITTED.value]


def awaited(dossier: Dossier) -> Dossier | None:
    """The component whose result ``dossier`` still waits for, if any."""
    component = dossier.linked
    return component.waits_for if component is not None and component.is_waiting else None


def _address(value: Any) -> Address:
    value = value if isinstance(value, dict) else {}
    province, ward = int(value.get("province_code") or 1), int(value.get("ward_code") or 0)
    return Address(province, value.get("province_name") or province_name(province), ward,
                   value.get("ward_name") or ward_name(ward), value.get("street") or "")


def newborn_of(dossier: Dossier) -> Newborn:
    """The child of a birth registration as the register records it: the answers, the hometown
    the agency chose (else the father's, else the mother's: the extract's default), the
    parents' residence (Luật Cư trú, Điều 12)."""
    answers = dossier.answers
    mother = (answers.get("mother") or {}).get("personal_id")
    father = (answers.get("father") or {}).get("personal_id")
    hometown = (dossier.result_choices or {}).get("hometown")
    for parent_id in ([] if hometown else [father, mother or dossier.applicant_personal_id]):
        parent = get_registry().get_person(parent_id) if parent_id else None
        hometown = parent.hometown if parent else ""
        if hometown:
            break
    return Newborn(
        full_name=answers["child_full_name"], date_of_birth=date.fromisoformat(answers["child_date_of_birth"]),
        sex=answers["child_sex"], ethnicity=answers.get("child_ethnicity") or "",
        nationality=answers.get("child_nationality") or "Việt Nam", hometown=hometown,
        birth_registration_province_code=dossier.agency.province_code, mother_id=mother, father_id=father,
        residence=_address(answers.get("current_address")),
    )


CHILD_ID = "child_personal_id"  # where a birth registration keeps the child's personal ID
_NEWBORN_KINDS = frozenset({"personal_id", "person"})


def _issued_kinds(dossier: Dossier) -> set[str]:
    """What the components that wait (or waited) for ``dossier`` take from its result."""
    if dossier.linked is None:
        return set()
    linked = get_linked_form(dossier.linked.group.procedure_snapshot["code"])
    return {kind for c in dossier.linked.group.components if c.waits_for_id == dossier.id
            for kind in linked.component(c.dossier.procedure_snapshot["code"]).issued.values()}


def register_newborn(dossier: Dossier) -> str | None:
    """Before a linked birth registration's extract is signed: add the child to the population
    register (the same birth gives the same ID) and keep the ID on the dossier
    (``answers["child_personal_id"]``, provenance ``registry``). None for any other dossier,
    and for a standalone birth (it does not write to the register). Raises
    ``RegistryUnavailable`` when the register does not answer."""
    if dossier.is_result_refusal or not _issued_kinds(dossier) & _NEWBORN_KINDS:
        return None
    personal_id = get_registry().register_birth(newborn_of(dossier))
    dossier.answers = {**dossier.answers, CHILD_ID: personal_id}
    dossier.provenance = {**dossier.provenance, CHILD_ID: "registry"}
    return personal_id


def _issued(dossier: Dossier, now: datetime, kinds: set[str]) -> dict[str, Any]:
    """What the signed result of ``dossier`` gives the components waiting for it. Raises
    ``RegistryUnavailable`` when a newborn must be registered and the register does not answer."""
    issued: dict[str, Any] = {"number": document_number(dossier), "date": f"{to_local(now):%d/%m/%Y}"}
    if kinds & _NEWBORN_KINDS:
        newborn = newborn_of(dossier)
        personal_id = dossier.answers.get(CHILD_ID) or get_registry().register_birth(newborn)
        issued["personal_id"] = personal_id
        issued["person"] = {"personal_id": personal_id, "full_name": newborn.full_name,
                            "date_of_birth": newborn.date_of_birth.isoformat()}
    return issued


def release_waiting(dossier: Dossier, now: datetime) -> list[Dossier]:
    """Give the components waiting for ``dossier`` what its signed result issues; returns them,
    for their agencies to receive (the caller applies ``receive_linked``)."""
    waiting = waiting_on(dossier)
    if not waiting:
        return []
    linked = get_linked_form(dossier.linked.group.procedure_snapshot["code"])
    sources = {c.dossier_id: linked.component(c.dossier.procedure_snapshot["code"]).issued for c in waiting}
    issued = _issued(dossier, now, {kind for keys in sources.values() for kind in keys.values()})
    for component in waiting:
        target = component.dossier
        values = {key: issued[kind] for key, kind in sources[target.id].items() if issued.get(kind)}
        target.answers = {**target.answers, **values}
        target.provenance = {**target.provenance, **{key: "registry" for key in values}}
        target.locked = {**target.locked, **values}
        refresh_declaration(target, now)  # CT01, TK1-TS: the child's ID where they said "awaited"
        component.released_at = to_db(now)
    return [c.dossier for c in waiting]


def received_note(dossier: Dossier, lang: str = "vi") -> str:
    """What a component's receipt says after its status label: the result it waited for is signed.
    Stored in Vietnamese (the record); :func:`public_note` says it again in the reader's language."""
    with force_locale(lang):
        return _("“%(procedure)s” (dossier %(code)s) has its result; the processing time counts from now.",
                 procedure=procedure_name(dossier, lang), code=dossier.code)


def stop_note(dossier: Dossier, reason: str, lang: str = "vi") -> str:
    """Why a waiting component is stopped: ``dossier``, whose result it needs, ended without one."""
    with force_locale(lang):
        return _("It needs the result of “%(procedure)s” (dossier %(code)s), which ended without one. "
                 "Reason: %(reason)s", procedure=procedure_name(dossier, lang), code=dossier.code,
                 reason=reason or "—")


def public_note(event: DossierEvent, dossier: Dossier, lang: str) -> str:
    """The note of one of ``dossier``'s events in the reader's language: what the linked procedure
    did (``receive_linked``, ``stop_linked``) is said again from the awaited component; an
    officer's note stays as written."""
    lead = dossier.linked.waits_for if dossier.linked is not None else None
    if lead is None or event.action not in ("receive_linked", "stop_linked"):
        return event.public_note
    if event.action == "receive_linked":
        return received_note(lead, lang)
    ending = next((e for e in reversed(lead.events) if e.at == event.at and e.action != "stop_linked"), None)
    if ending is None:
        return event.public_note
    return stop_note(lead, ending_reason(lead, ending.public_note or ending.internal_note), lang)


def waiting_note(dossier: Dossier, lang: str) -> str:
    """What stands for the appointment of a component still waiting for another's result (its
    time has not started, so no date is promised); empty for any other dossier."""
    lead = awaited(dossier)
    if lead is None or dossier.status != S.SUBMITTED.value:
        return ""
    with force_locale(lang):
        return _("Starts when the result of “%(procedure)s” (%(code)s) is signed.",
                 procedure=procedure_name(lead, lang), code=lead.code)


def timeline_order(event: DossierEvent) -> tuple[datetime, bool, int]:
    """Events of a group's components in the order they happened; at one instant, what a
    component's end did to the others comes after that end."""
    return event.at, event.action in ("receive_linked", "stop_linked"), event.id


def ending_reason(dossier: Dossier, note: str) -> str:
    """Why a component ended without a result: a refusal's reasons, or the note of its end."""
    return (dossier.result_body or "") if dossier.is_result_refusal else note


# --- what the citizen reads ---------------------------------------------------------------------


def procedure_name(dossier: Dossier, lang: str) -> str:
    snapshot = dossier.procedure_snapshot
    return snapshot["name_en"] if lang == "en" else snapshot["name_vi"]


@dataclass(frozen=True)
class ComponentView:
    """One component as the citizen's timeline and tracking show it."""

    dossier: Dossier
    waits_for: Dossier | None
    is_waiting: bool
    has_result: bool
    ended_without_result: bool
    explanation: str  # what it waits for, why it stopped, or what its end means for the others


def _explanation(component: GroupComponent, group: DossierGroup, lang: str) -> str:
    dossier, lead = component.dossier, component.waits_for
    if component.is_waiting and dossier.status == S.SUBMITTED.value and lead is not None:
        return _("Waits for the result of “%(procedure)s” (%(code)s); its processing time starts when that result is signed.",
                 procedure=procedure_name(lead, lang), code=lead.code)
    if not ended_without_result(dossier):
        return ""
    if dossier.status == S.STOPPED.value and lead is not None and ended_without_result(lead):
        return _("Stopped because “%(procedure)s” (%(code)s), whose result it needs, ended without one.",
                 procedure=procedure_name(lead, lang), code=lead.code)
    stopped = [c.dossier for c in group.components if c.waits_for_id == dossier.id and c.dossier.status == S.STOPPED.value]
    if stopped:
        names = ", ".join(f"“{procedure_name(d, lang)}”" for d in stopped)
        return _("Because this ended without a result, %(names)s cannot be processed and are stopped with the same reason.",
                 names=names)
    return _("The other procedures of this linked dossier are not affected: they go on.")


def component_views(group: DossierGroup, lang: str) -> list[ComponentView]:
    return [
        ComponentView(
            dossier=c.dossier, waits_for=c.waits_for, is_waiting=c.is_waiting, has_result=has_result(c.dossier),
            ended_without_result=ended_without_result(c.dossier), explanation=_explanation(c, group, lang),
        )
        for c in group.components
    ]


def group_state(group: DossierGroup) -> str:
    """``submitted``: no agency has received its component yet; ``completed``: every component
    has its result; ``ended``: every component is over, some without a result; ``processing``
    otherwise."""
    dossiers = group.dossiers
    if all(d.status == S.SUBMITTED.value for d in dossiers):
        return "submitted"
    if all(has_result(d) for d in dossiers):
        return "completed"
    if all(has_result(d) or ended_without_result(d) for d in dossiers):
        return "ended"
    return "processing"


GROUP_STATES = {
    "submitted": _l("Submitted, waiting for the agencies to receive it"),
    "processing": _l("Being processed"),
    "completed": _l("Completed: every procedure has its result"),
    "ended": _l("Ended: some procedures without a result"),
}


def group_state_label(group: DossierGroup) -> str:
    return str(GROUP_STATES[group_state(group)])
