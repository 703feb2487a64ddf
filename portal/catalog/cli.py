"""``flask --app portal deadline``: the deadline of a receipt, as JSON (issue 3).

It reads the procedure's rules and the administrators' calendar through the catalog, then prints
the pure :func:`portal.deadlines.deadline_report` (``portal.deadlines`` itself knows no Flask).
"""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from portal.catalog.service import procedure_rules, working_calendar
from portal.deadlines.engine import CHANNELS, DELIVERIES, DeadlineInputError, deadline_report, parse_iso, parse_pause


@click.command("deadline")
@click.option("--procedure", "code", required=True, help="Procedure code from the catalog.")
@click.option("--received", required=True, help="Receipt time, ISO 8601 (without offset: Asia/Ho_Chi_Minh).")
@click.option("--channel", type=click.Choice(CHANNELS), default="online", show_default=True)
@click.option("--delivery", type=click.Choice(DELIVERIES), default="online", show_default=True)
@click.option("--pause", "pauses", multiple=True, metavar="START/END", help="A pause of the clock; repeatable.")
@click.option("--lang", type=click.Choice(("vi", "en")), default="vi", show_default=True)
@with_appcontext
def deadline_command(
    code: str, received: str, channel: str, delivery: str, pauses: tuple[str, ...], lang: str
) -> None:
    """Print the legal and committed due times of a receipt, with the explanation."""
    try:
        received_at = parse_iso(received, "--received")
        pause_spans = [parse_pause(value, "--pause") for value in pauses]
    except DeadlineInputError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.parameter) from None
    rules = procedure_rules(code)
    if rules is None:
        raise click.BadParameter(f"no procedure has the code {code!r}", param_hint="--procedure")
    try:
        report = deadline_report(
            rules.processing_time,
            rules.discount_pct,
            received_at,
            channel,
            delivery,
            pause_spans,
            working_calendar(),
            lang,
            supplement_policy=rules.supplement_policy,
        )
    except DeadlineInputError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.parameter}") from None
    click.echo(json.dumps({"procedure": code, **report}, ensure_ascii=False, indent=2))
