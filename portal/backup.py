"""``flask --app portal backup`` and ``restore``: the portal's data and documents in one file.

1. ``backup TARGET`` reads every table of the portal's database in one snapshot (a repeatable
   read transaction on PostgreSQL, one read transaction on SQLite), parents before children,
   and writes each as JSON lines; then every document the rows refer to (uploads and signed
   results, stored by SHA-256 in the file store, ``UPLOAD_DIR``); then a manifest with the schema revision,
   the row counts and each file's hash. All of it goes into one ``.tar.gz``, written under a
   temporary name and renamed when complete.
2. ``restore FILE`` checks the manifest and every file against its hash before touching
   anything, refuses a database that already holds data or has another schema revision, then
   inserts all rows in one transaction (all or nothing), puts the documents back, and moves
   PostgreSQL's id sequences past the restored ids.

The archive is portable: a SQLite backup restores into PostgreSQL and the other way round.
Rows are copied as they are, so the audit trail's hash chain still verifies after a restore.
Not in the archive: the mock population register (``flask registry generate`` makes it again)
and the PKI folder with the agencies' signing keys (kept with the other secrets).
For a large PostgreSQL database, ``pg_dump`` / ``pg_restore`` are the tools (README).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import JSON, Connection, Engine, Table, func, inspect, select, text

from portal.dossiers.models import StoredDocument
from portal.dossiers.storage import file_store
from portal.extensions import db
from portal.timeutil import utcnow

FORMAT = "dossier-portal-backup"
VERSION = 1
BATCH = 1000
FILE_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|jpg|png)$")


class BackupError(click.ClickException):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    path: Path
    rows: int
    tables: int
    files: int
    missing_files: tuple[str, ...]


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row read back from JSON, with the Python types its columns expect."""
    typed = {}
    for name, value in row.items():
        column_type = table.c[name].type
        if value is None or isinstance(column_type, JSON):
            typed[name] = value
            continue
        kind = column_type.python_type
        if kind is datetime:
            value = datetime.fromisoformat(value)
        elif kind is date:
            value = date.fromisoformat(value)
        elif kind is Decimal:
            value = Decimal(value)
        elif kind is bytes:
            value = base64.b64decode(value)
        typed[name] = value
    return typed


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see the database at one moment."""
    if engine.dialect.name == "postgresql":
        return engine.connect().execution_options(isolation_level="REPEATABLE READ")
    return engine.connect().execution_options(sqlite_begin="DEFERRED")


def write_backup(target: Path) -> Summary:
    """Write the backup to ``target`` (a file, or a folder to create it in)."""
    if target.is_dir():
        target = target / f"portal-backup-{utcnow():%Y%m%d-%H%M%S}.tar.gz"
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "tables").mkdir()
        with _snapshot(db.engine) as connection, connection.begin():
            revision = _revision(connection)
            for table in _tables():
                counts[table.name] = 0
                with (folder / "tables" / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                    order = list(table.primary_key.columns) or list(table.columns)
                    for row in connection.execute(select(table).order_by(*order)).mappings():
                        out.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
                        counts[table.name] += 1
            names = sorted(set(connection.execute(select(StoredDocument.__table__.c.storage_name)).scalars()))
        files, missing = {}, []
        for name in names:
            data = file_store().read(name)
            if data is None:
                missing.append(name)
                continue
            (folder / "files").mkdir(exist_ok=True)
            (folder / "files" / name).write_bytes(data)
            files[name] = hashlib.sha256(data).hexdigest()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": utcnow().isoformat(),
            "database": db.engine.dialect.name,
            "revision": revision,
            "tables": counts,
            "files": files,
            "missing_files": missing,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial = target.with_name(target.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            for table in _tables():
                archive.add(folder / "tables" / f"{table.name}.jsonl", arcname=f"tables/{table.name}.jsonl")
            for name in files:
                archive.add(folder / "files" / name, arcname=f"files/{name}")
        os.replace(partial, target)
    return Summary(target, sum(counts.values()), len(counts), len(files), tuple(missing))


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    """One member's bytes, read, never extracted (a crafted path cannot escape anywhere)."""
    try:
        member = archive.getmember(name)
    except KeyError:
        raise BackupError(f"The backup is incomplete: {name} is missing.") from None
    handle = archive.extractfile(member) if member.isfile() else None
    if handle is None:
        raise BackupError(f"The backup is damaged: {name} is not a file.")
    return handle.read()


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    manifest = json.loads(_member(archive, "manifest.json"))
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("This file is not a backup of this portal (or was made by another version of it).")
    unknown = set(manifest["tables"]) - {table.name for table in _tables()}
    if unknown:
        raise BackupError(f"The backup has tables this version does not know: {', '.join(sorted(unknown))}.")
    for name in manifest["files"]:
        if not FILE_NAME.match(name):
            raise BackupError(f"The backup names a document unlike any the portal stores: {name!r}.")
    return manifest


def restore_backup(path: Path) -> Summary:
    """Restore ``path`` into the configured database, which must be migrated and empty."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive)
        documents = {}
        for name, digest in manifest["files"].items():
            data = _member(archive, f"files/{name}")
            if hashlib.sha256(data).hexdigest() != digest:
                raise BackupError(f"The backup is damaged: the document {name} does not match its hash.")
            documents[name] = data
        with db.engine.begin() as connection:
            revision = _revision(connection)
            if revision is not None and manifest["revision"] is not None and revision != manifest["revision"]:
                raise BackupError(
                    f"The database is at schema revision {revision}, the backup at {manifest['revision']}: "
                    "run `flask --app portal db upgrade` to the backup's revision first."
                )
            filled = [t.name for t in _tables() if connection.execute(select(func.count()).select_from(t)).scalar_one()]
            if filled:
                raise BackupError(
                    "The database already holds data (" + ", ".join(filled) + "): restore into an empty, "
                    "freshly migrated database (`flask --app portal db upgrade`)."
                )
            rows = 0
            for table in _tables():
                if table.name not in manifest["tables"]:
                    continue
                lines = _member(archive, f"tables/{table.name}.jsonl").decode("utf-8").splitlines()
                if len(lines) != manifest["tables"][table.name]:
                    raise BackupError(f"The backup is damaged: {table.name} has {len(lines)} rows, the manifest says "
                                      f"{manifest['tables'][table.name]}.")
                for start in range(0, len(lines), BATCH):
                    connection.execute(table.insert(), [_typed(table, json.loads(line)) for line in lines[start:start + BATCH]])
                rows += len(lines)
            if connection.dialect.name == "postgresql":
                _move_sequences(connection)
    store = file_store()
    for name, data in documents.items():
        store.save(name, data)
    return Summary(path, rows, len(manifest["tables"]), len(documents), tuple(manifest["missing_files"]))


def _move_sequences(connection: Connection) -> None:
    """Rows were inserted with their ids: the next id a sequence gives must come after them."""
    for table in _tables():
        column = table.autoincrement_column
        if column is None:
            continue
        highest = func.max(column)
        connection.execute(
            select(func.setval(func.pg_get_serial_sequence(table.name, column.name), func.coalesce(highest, 1),
                               highest.is_not(None)))
        )


def _report(verb: str, summary: Summary) -> None:
    click.echo(f"{verb}: {summary.path} — {summary.rows} rows in {summary.tables} tables, {summary.files} documents")
    for name in summary.missing_files:
        click.echo(f"Warning: the document {name} was already missing from the file store.", err=True)


@click.command("backup")
@click.argument("target", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write the database and its documents to TARGET (a .tar.gz file, or a folder for one)."""
    _report("Backup written", write_backup(target))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup into the configured database, which must be migrated and empty."""
    _report("Restored", restore_backup(path))


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

