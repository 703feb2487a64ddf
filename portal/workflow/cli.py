"""``flask supplements remind``: reminders of supplements about to run out of time.

Schedule it (cron, a systemd timer) a few times a day; each dossier is reminded once per
supplement request, so running it often sends nothing twice.
"""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from portal.deadlines import VN_TZ
from portal.extensions import db
from portal.workflow.limits import remind_supplements

supplements_cli = AppGroup("supplements", help="Time limits of the supplements asked for (slip 02).")


@supplements_cli.command("remind")
def remind_command() -> None:
    """Queue a reminder (email and SMS) for each supplement whose time limit is near."""
    reminded = remind_supplements(datetime.now(VN_TZ))
    db.session.commit()
    click.echo(f"{len(reminded)} reminder(s) queued" + (f": {', '.join(reminded)}" if reminded else "."))
