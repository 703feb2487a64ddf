"""The SQL statements requests send, as the database connection answered them: for the tests
that count a page's round trips or check that a read holds no transaction (issue 19)."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import event

from portal.extensions import db


@dataclass(frozen=True)
class Sent:
    sql: str
    in_transaction: bool  # the connection still held a transaction once the statement was answered

    @property
    def verb(self) -> str:
        return self.sql.split()[0].upper()


def _in_transaction(dbapi_connection) -> bool:  # noqa: ANN001
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.in_transaction
    return dbapi_connection.info.transaction_status.name != "IDLE"  # psycopg


@contextmanager
def statements_sent(app: Flask) -> Iterator[list[Sent]]:
    """Every statement sent on ``app``'s engine inside the block, in order."""
    sent: list[Sent] = []

    def remember(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        sent.append(Sent(statement, _in_transaction(conn.connection.dbapi_connection)))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", remember)
    try:
        yield sent
    finally:
        event.remove(engine, "after_cursor_execute", remember)
