"""psycopg's cursor with a ``description`` that describes its columns only when they are read.

SQLAlchemy reads ``cursor.description`` after every statement. For a statement it has run before
it only looks at whether the description is there (rows came back): the result's columns are
kept with the compiled statement. psycopg builds the whole list each time, a ``Column`` object a
column with a look-up of its type, about 2 µs a column: the tracking lookup's 27 columns, or the
59 of a dossier and the 14 of the signed-in user on every page, cost 3–7 % of the hot paths'
instructions (measured with ``python -m bench.profile_hot_paths --instructions``).
:class:`DescribedWhenRead` answers with a sequence of the same length that builds psycopg's own
list the first time one of its columns is read, so what is read is what psycopg gives.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus

#: The statuses for which psycopg describes a result that has no column (``SELECT ;``);
#: ``TUPLES_CHUNK`` came with psycopg 3.2.
_ROWS = frozenset(ExecStatus[name] for name in ("TUPLES_OK", "SINGLE_TUPLE", "TUPLES_CHUNK") if name in ExecStatus.__members__)


class DescribedWhenRead(psycopg.Cursor):
    """Set as the connection's ``cursor_factory`` (:func:`portal.extensions.configure_postgresql`)."""

    @property
    def description(self) -> Sequence[psycopg.Column] | None:
        result = self.pgresult
        if result is None or not (result.nfields or result.status in _ROWS):
            return None  # as psycopg: the statement returned no rows (an UPDATE, a SET)
        return _Description(self, result)


class _Description(Sequence):
    """``len()`` without building anything; any column read builds psycopg's list for the result."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: DescribedWhenRead, result: Any) -> None:
        self._cursor = cursor
        self._result = result
        self._columns: list[psycopg.Column] | None = None

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):  # noqa: ANN001 — an index or a slice, as a list takes
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                # psycopg describes the cursor's current result; this one is gone.
                raise RuntimeError("a cursor's description was read after the cursor moved on to another result")
            self._columns = super(DescribedWhenRead, self._cursor).description or []
        return self._columns[index]

    def __repr__(self) -> str:  # never raises: a debugger or a log line may show a stale one
        if self._columns is None and self._cursor.pgresult is not self._result:
            return f"<description of {len(self)} columns of an earlier result>"
        return repr(list(self))
