"""On PostgreSQL a cursor's description is built when its columns are read, not after every
statement (issue 19): what is read is still psycopg's own description."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text

from portal.catalog.models import Procedure
from portal.extensions import db
from portal.pgcursor import DescribedWhenRead


@pytest.fixture()
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times psycopg built a description (its own property, which ours reads)."""
    calls: list[int] = []
    own = psycopg.Cursor.description

    def counting(cursor):  # noqa: ANN001
        calls.append(1)
        return own.fget(cursor)

    monkeypatch.setattr(psycopg.Cursor, "description", property(counting))
    return calls


def _raw_cursor() -> DescribedWhenRead:
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    assert isinstance(cursor, DescribedWhenRead)
    return cursor


def test_a_statement_run_again_builds_no_description_and_reads_the_same_rows(postgresql_only, ctx, built):
    statement = select(Procedure.code, Procedure.name_vi).order_by(Procedure.code)
    first = db.session.execute(statement).all()
    built.clear()
    again = db.session.execute(statement).all()
    assert again == first and first
    assert built == []  # SQLAlchemy knew the columns from the first time
    named = db.session.execute(statement).mappings().first()
    assert set(named) == {"code", "name_vi"} and named["code"] == first[0].code


def test_a_text_statement_still_reads_its_column_names(postgresql_only, ctx, built):
    for _ in range(2):
        row = db.session.execute(text("SELECT 1 AS one, 'hai' AS two")).mappings().one()
        assert dict(row) == {"one": 1, "two": "hai"}
    assert len(built) == 2  # read each time: a text statement is described anew


def _own(cursor: DescribedWhenRead):
    return psycopg.Cursor.description.fget(cursor)


def test_the_description_read_is_psycopgs_own(postgresql_only, ctx):
    with _raw_cursor() as cursor:
        cursor.execute("SELECT 1::int AS one, 'x'::text AS two, now() AS three")
        described = cursor.description
        assert len(described) == 3
        assert [(c.name, c.type_code) for c in described] == [(c.name, c.type_code) for c in _own(cursor)]
        assert described[-1].name == "three" and [c.name for c in described[:2]] == ["one", "two"]
        cursor.execute("SET LOCAL lock_timeout = 1000")
        assert cursor.description is None and _own(cursor) is None  # no rows came back
        cursor.execute("SELECT")  # rows, and no column
        assert cursor.description is not None and len(cursor.description) == 0 and _own(cursor) == []


def test_a_description_read_after_the_cursor_moved_on_says_so(postgresql_only, ctx):
    with _raw_cursor() as cursor:
        cursor.execute("SELECT 1 AS one")
        described = cursor.description
        cursor.execute("SELECT 2 AS two")
        with pytest.raises(RuntimeError, match="moved on"):
            described[0]
        assert "earlier result" in repr(described)  # shown in a debugger or a log, it does not raise
        assert cursor.description[0].name == "two"
