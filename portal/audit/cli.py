"""``flask --app portal audit verify``: check that nobody changed or deleted audit entries."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.audit.models import AuditHead
from portal.audit.operations import HEAD_ID, count_entries, verify_chain
from portal.extensions import db

audit_cli = AppGroup("audit", help="The administrators' audit trail.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Recompute the hash chain; exit 1 and list the problems when it is broken."""
    problems = verify_chain()
    if problems:
        click.echo(f"Audit trail broken: {len(problems)} problem(s)", err=True)
        for problem in problems:
            click.echo(f"- {problem.describe()}", err=True)
        raise SystemExit(1)
    click.echo(f"Audit trail intact: {count_entries()} entries")
    head = db.session.get(AuditHead, HEAD_ID)
    if head is not None:
        # Written down outside the database, this hash vouches for every entry up to it.
        click.echo(f"Head: entry {head.last_entry_id}, hash {head.last_hash}")
