"""Linked dossiers in the statistics (issue 21; Nghị định 63/2024/NĐ-CP).

Each component dossier of a linked dossier is an ordinary dossier of its own agency and
procedure, counted there with every other (received, accepted, on time…). Here the groups
themselves, submitted in the period: how many, how many completed (every component has its
result), ended (every component is over, some without a result) and still being processed.
With an agency, the groups one of whose components is that agency's; with a procedure, the
groups of that linked procedure or with a component of it. One query, in SQL.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select, true

from portal.dossiers.models import Dossier, DossierGroup, GroupComponent
from portal.extensions import db
from portal.stats.scope import Scope
from portal.workflow.linked import WITH_RESULT, WITHOUT_RESULT


@dataclass(frozen=True)
class LinkedFigures:
    received: int = 0
    completed: int = 0
    ended: int = 0
    processing: int = 0


def linked_figures(scope: Scope) -> LinkedFigures:
    with_result = and_(Dossier.status.in_(sorted(WITH_RESULT)), Dossier.is_result_refusal.is_(False))
    finished = Dossier.status.in_(sorted(WITH_RESULT | WITHOUT_RESULT))
    is_linked = scope.procedure is not None and bool(scope.procedure.components)
    concerns = []  # what a component must be for its group to count
    if scope.agency is not None:
        concerns.append(Dossier.agency_id == scope.agency.id)
    if scope.procedure is not None and not is_linked:
        concerns.append(Dossier.procedure_id == scope.procedure.id)
    parts = (
        select(
            GroupComponent.group_id,
            func.count().label("parts"),
            func.count().filter(with_result).label("done"),
            func.count().filter(finished).label("over"),
            func.count().filter(and_(true(), *concerns)).label("concerned"),
        )
        .join(Dossier, Dossier.id == GroupComponent.dossier_id)
        .group_by(GroupComponent.group_id)
        .subquery()
    )
    start, end = scope.bounds
    stmt = (
        select(
            func.count(),
            func.count().filter(parts.c.done == parts.c.parts),
            func.count().filter(and_(parts.c.over == parts.c.parts, parts.c.done < parts.c.parts)),
        )
        .select_from(DossierGroup)
        .join(parts, parts.c.group_id == DossierGroup.id)
        .where(DossierGroup.submitted_at >= start, DossierGroup.submitted_at < end, parts.c.concerned > 0)
    )
    if is_linked:
        stmt = stmt.where(DossierGroup.procedure_id == scope.procedure.id)
    received, completed, ended = db.session.execute(stmt).one()
    return LinkedFigures(received, completed, ended, received - completed - ended)
