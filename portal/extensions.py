"""Flask extensions, created here and bound to the app in :func:`portal.create_app`."""
from __future__ import annotations

import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Engine, MetaData, Select, create_engine, event, func, select as sql_select
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase

from portal.pgcursor import DescribedWhenRead

# Stable constraint names so Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def configure_engine(engine: Engine, lock_timeout: float, ping_after_idle: float) -> None:
    """Per-dialect connection settings; ``lock_timeout`` (seconds) bounds every lock wait, after
    which the request fails with a 503 page (:mod:`portal.errors`) instead of hanging; a pooled
    connection is tested before use once it has been idle ``ping_after_idle`` seconds."""
    ping_when_idle(engine, ping_after_idle)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine, lock_timeout)
    elif engine.dialect.name == "postgresql":
        configure_postgresql(engine, lock_timeout)


def ping_when_idle(engine: Engine, seconds: float) -> None:
    """Test a pooled connection before a request uses it, with a round trip only when it may be
    broken, and renew the pool if the test fails. SQLAlchemy's ``pool_pre_ping`` sends a round
    trip on every checkout, on a busy server for connections in use a millisecond ago. Here:

    - a connection whose socket has something to read while it sat idle in the pool was closed
      by the server (a restart, ``pg_terminate_backend``: the server's last message and the end
      of the stream are waiting), which a non-blocking poll sees without a round trip; so is one
      with no socket any more;
    - one idle ``seconds`` or more is tested with a round trip too (the server may be gone
      without having closed it).

    A failed test raises ``InvalidatePoolError``, as ``pool_pre_ping`` does: this connection is
    reconnected before the request gets it, and every other connection made before now is
    replaced when next checked out, so the request does not see the failure. A connection that
    was silently dropped less than ``seconds`` ago is not caught here: the request using it gets
    the database-unavailable page, and that error renews the pool too."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_if_in_doubt(dbapi_connection, record, _proxy) -> None:  # noqa: ANN001
        since = record.info.get("idle_since")
        if since is None:
            return  # opened for this checkout
        try:
            if time.monotonic() - since < seconds and not _has_unread_data(dbapi_connection):
                return
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:  # also: no socket any more (closed)
            raise InvalidatePoolError(f"a pooled connection failed its test: {error}") from error


def _has_unread_data(dbapi_connection) -> bool:  # noqa: ANN001
    """Something arrived on an idle connection's socket (no socket, as SQLite: nothing did)."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return False
    poll = select.poll()
    poll.register(fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poll.poll(0))


def configure_postgresql(engine: Engine, lock_timeout: float) -> None:
    describe_when_read = engine.dialect.driver == "psycopg"  # the synchronous driver, whose cursor it is

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        if describe_when_read:
            dbapi_connection.cursor_factory = DescribedWhenRead
        # Outside a transaction, so the pool's rollback on check-in does not undo it.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
        dbapi_connection.autocommit = autocommit


def configure_sqlite(engine: Engine, lock_timeout: float = 5.0) -> None:
    """Make SQLite behave like a transactional database.

    pysqlite opens transactions lazily and on its own terms, which breaks SAVEPOINTs and lets
    reads run outside the transaction; SQLAlchemy's documented fix is to let SQLAlchemy emit
    BEGIN itself. It is BEGIN IMMEDIATE: a transaction that reads and then writes (every
    submission) would otherwise fail at once with "database is locked" when another request
    wrote in between; immediate transactions queue for the write lock (busy_timeout) instead,
    while WAL lets readers go on beside the one writer. Foreign keys are enforced.
    A connection may ask for a deferred BEGIN with ``execution_options(sqlite_begin="DEFERRED")``,
    or for none with ``sqlite_begin=False`` (pysqlite's own ``AUTOCOMMIT`` level is not used: when
    the pool resets it, pysqlite goes back to opening transactions on its own terms).
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # noqa: ANN001
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode is not False:  # False: no BEGIN, each statement commits by itself (reading_only)
            connection.exec_driver_sql(f"BEGIN {mode}")


def count_rows(statement: Select) -> int:
    """How many rows ``statement`` gives (a list's size, for its heading and its pages)."""
    return db.session.execute(sql_select(func.count()).select_from(statement.subquery())).scalar_one()


def reading_only() -> Connection:
    """The request reads and never writes (tracking): its statements run without a transaction
    around them (PostgreSQL's AUTOCOMMIT; no BEGIN on SQLite), one round trip each instead of
    BEGIN, the read and COMMIT. On SQLite that also takes no lock, so readers in other workers are not queued behind it (every
    other transaction begins IMMEDIATE, see :func:`configure_sqlite`); on PostgreSQL each
    statement sees what was committed when it began, as in the default READ COMMITTED. Nothing
    changes once the request has already used its connection (a signed-in user was loaded).
    Returns the session's connection, on which the ORM statements that follow run too."""
    session = db.session()
    transaction = session.get_transaction()
    if transaction is not None and transaction._connections:  # noqa: SLF001 — already begun as it is
        return session.connection()
    return session.connection(execution_options=_outside_a_transaction(session.get_bind()))


@contextmanager
def reading_connection() -> Iterator[Connection]:
    """A connection for one Core statement that only reads (a tracking lookup), as
    :func:`reading_only` but without the ORM session: a request that reads this way and nothing
    else makes no session, so no session transaction is begun and committed around the
    statement. The connection is checked out for the block only, so a request never holds two
    (the ORM statements that may follow get the pool's next one). Once the session holds a
    connection (a signed-in user was loaded) the statement runs on that one, as
    :func:`reading_only`; so it does when the session is bound to a connection of its own (the
    tests' outer transaction)."""
    bind = db.session.session_factory.kw.get("bind") or db.engine  # the session's, without making one
    if isinstance(bind, Connection) or (db.session.registry.has() and db.session().get_transaction() is not None):
        yield reading_only()
        return
    with bind.connect() as connection:
        yield connection.execution_options(**_outside_a_transaction(bind))


def _outside_a_transaction(bind: Engine | Connection) -> dict:
    if bind.dialect.name == "sqlite":
        return {"sqlite_begin": False}
    return {"isolation_level": "AUTOCOMMIT"}


_standalone_engines: dict[tuple[str, int], Engine] = {}
_standalone_lock = threading.Lock()


def standalone_engine(url: str, metadata: MetaData) -> Engine:
    """The engine of an outside system's own database (the mock gateway's ledger, the mock
    national portal), made once per process and URL, its tables created on first use."""
    key = (url, id(metadata))
    with _standalone_lock:
        found = _standalone_engines.get(key)
        if found is None:
            found = _standalone_engines[key] = create_engine(url)
            metadata.create_all(found)
        return found
