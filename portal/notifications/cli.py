"""``flask notifications deliver`` and ``flask national-sync deliver``: the delivery workers of
the two outboxes, once or in a loop.

Several can run at once against PostgreSQL (see :mod:`portal.notifications.delivery` and
:mod:`portal.notifications.national`); on SQLite, run one of each.
"""
from __future__ import annotations

from collections.abc import Callable
from time import sleep
from typing import Any

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
    _run(lambda: deliver_batch(limit=limit), loop=loop, interval=interval,
         worked=lambda r: r.handled or r.interrupted, full=lambda r: r.handled >= limit)


national_sync_cli = AppGroup("national-sync", help="Status changes sent to the national public-service portal.")


@national_sync_cli.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="At most this many messages per batch.")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted (Ctrl+C).")
@click.option("--interval", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="With --loop: seconds to wait when nothing more can be sent now.")
def deliver_national_command(limit: int, loop: bool, interval: float) -> None:
    """Send the due status changes to NATIONAL_PORTAL_URL, in order per dossier."""
    _run(lambda: national.deliver_batch(limit=limit), loop=loop, interval=interval,
         worked=lambda r: r.sent or r.failed, full=lambda r: r.sent >= limit)


def _run(batch: Callable[[], Any], *, loop: bool, interval: float,
         worked: Callable[[Any], bool], full: Callable[[Any], bool]) -> None:
    """A delivery worker: one batch and its summary, or with ``loop`` batches until Ctrl+C,
    printing those that did something and going on at once after a full one (more wait)."""
    try:
        while True:
            report = batch()
            if not loop:
                click.echo(report.summary())
                return
            if worked(report):
                click.echo(report.summary())
            if not full(report):
                sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")
