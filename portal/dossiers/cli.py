"""``flask files gc``: remove the stored files no row refers to any more.

Safe to run while people upload (see :func:`portal.dossiers.storage.collect_garbage`); schedule
it daily, after the backup.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.dossiers.models import StoredDocument
from portal.dossiers.storage import collect_garbage, pending_store
from portal.extensions import db

files_cli = AppGroup("files", help="The file store of attachments and results.")


@files_cli.command("gc")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option("--min-age", type=click.IntRange(min=0), default=None,
              help="Keep files saved less than this many minutes ago [default: FILES_GC_MIN_AGE].")
def gc_command(dry_run: bool, min_age: int | None) -> None:
    """Remove the files of the store that no stored document refers to."""
    # The names are read before the files are listed: a row committed after this read refers
    # to a file saved (or touched) just now, which the age limit keeps.
    referenced = set(db.session.execute(select(StoredDocument.storage_name)).scalars())
    db.session.rollback()
    age = timedelta(minutes=min_age) if min_age is not None else current_app.config["FILES_GC_MIN_AGE"]
    result = collect_garbage(referenced, age, dry_run=dry_run)
    for name in result.removed:
        click.echo(f"{'would remove' if dry_run else 'removed'} {name}")
    verb = "would be removed" if dry_run else "removed"
    click.echo(f"{len(result.removed)} unreferenced file(s) {verb}, {result.size} bytes; "
               f"{result.kept_young} unreferenced file(s) younger than {age} kept.")
    # Photo pages waiting in a session (no row refers to them) live as long as a session may.
    pending = pending_store()
    if pending.root.is_dir():
        lifetime = max(age, current_app.config["PERMANENT_SESSION_LIFETIME"])
        waited = collect_garbage(set(), lifetime, dry_run=dry_run, store=pending)
        for name in waited.removed:
            click.echo(f"{'would remove' if dry_run else 'removed'} pending page {name}")
        click.echo(f"{len(waited.removed)} pending photo page(s) {verb}; "
                   f"{waited.kept_young} younger than {lifetime} kept.")
