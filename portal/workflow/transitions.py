"""Transitions of a dossier: who may do what, from which state, and what it leaves behind.

1. ``apply_transition`` looks the transition up, checks the actor's role and the current state
   (anything else is refused with a ``TransitionRefused`` carrying a message for the user);
2. sets the new status — this module is the only writer of ``Dossier.status``;
3. appends a ``DossierEvent`` and queues the notification in the same transaction.

The back-office transitions (accept, supplement, refuse, approve, return…) join this table with
their clock effects and slips.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.dossiers.models import Dossier, DossierEvent
from portal.extensions import db
from portal.notifications.operations import queue_dossier_notification
from portal.workflow.states import Status, status_label


class TransitionRefused(Exception):
    """The action is not allowed now; ``str(exc)`` tells the user why."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status
    roles: frozenset[str]
    notification: str | None = None


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", frozenset({Status.DRAFT}), Status.SUBMITTED, frozenset({"citizen", "intake"}), "dossier_submitted"),
    )
}


def actor_role(actor: User | None) -> str:
    if actor is None:
        return "system"
    return "citizen" if actor.is_citizen else (actor.role or "officer")


def apply_transition(
    dossier: Dossier, name: str, actor: User | None, *, public_note: str = "", internal_note: str = ""
) -> DossierEvent:
    transition = TRANSITIONS[name]
    role = actor_role(actor)
    if role not in transition.roles:
        raise TransitionRefused(_l("Your role cannot do this."))
    if Status(dossier.status) not in transition.sources:
        raise TransitionRefused(
            _l("This cannot be done while the dossier is “%(status)s”.", status=status_label(dossier.status))
        )
    event = DossierEvent(
        dossier=dossier,
        action=name,
        actor_id=actor.id if actor else None,
        actor_role=role,
        from_status=dossier.status,
        to_status=transition.target.value,
        public_note=public_note,
        internal_note=internal_note,
    )
    dossier.status = transition.target.value
    db.session.add(event)
    if transition.notification:
        queue_dossier_notification(dossier, transition.notification)
    return event
