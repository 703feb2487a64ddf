"""``flask notifications deliver`` and ``flask national-sync deliver``: the delivery workers of
the two outboxes, once or in a loop.

Several can run at once against PostgreSQL (see :mod:`portal.notifications.delivery` and
:mod:`portal.notifications.national`); on SQLite, run one of each.
"""
from __future__ import annotations

from time import sleep

import click
from flask.cli import AppGroup

from portal.notifications import national
from portal.notifications.delivery import deliver_batch

notifications_cli = AppGroup("notifications", help="The notification outbox (email and SMS).")


@notifications_cli.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="At most this many messages per batch.")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (Ctrl+C).")
@click.option("--interval", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="With --loop: seconds to wait when the outbox has nothing due.")
def deliver_command(limit: int, loop: bool, interval: float) -> None:
    """Send the notifications that are due and print what happened."""
    try:
        while True:
            report = deliver_batch(limit=limit)
            if not loop:
                click.echo(report.summary())
                return
            if report.handled or report.interrupted:
                click.echo(report.summary())
            # A full batch suggests more are waiting: go on at once.
            if report.handled < limit:
                sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")


national_sync_cli = AppGroup("national-sync", help="Status changes sent to the national public-service portal.")


@national_sync_cli.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="At most this many messages per batch.")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (Ctrl+C).")
@click.option("--interval", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="With --loop: seconds to wait when nothing more can be sent now.")
def deliver_national_command(limit: int, loop: bool, interval: float) -> None:
    """Send the due status changes to NATIONAL_PORTAL_URL, in order per dossier."""
    try:
        while True:
            report = national.deliver_batch(limit=limit)
            if not loop:
                click.echo(report.summary())
                return
            if report.sent or report.failed:
                click.echo(report.summary())
            # A full batch of successes suggests more are waiting: go on at once.
            if report.sent < limit:
                sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")
