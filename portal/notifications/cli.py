"""``flask notifications deliver``: the delivery worker, once or in a loop.

Several can run at once against PostgreSQL (see :mod:`portal.notifications.delivery`).
"""
from __future__ import annotations

from time import sleep

import click
from flask.cli import AppGroup

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
