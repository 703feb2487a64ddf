"""``flask payments reconcile``: the gateway's ledger of a day against the portal's records.

An operator schedules it nightly (README, "Payments and refunds"): it prints what matches and
every discrepancy, and exits 1 when there is one, so the scheduler reports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.deadlines import VN_TZ
from portal.extensions import db
from portal.payments.gateway import GatewayUnavailable, get_gateway
from portal.payments.models import Payment, Refund
from portal.timeutil import to_db

payments_cli = AppGroup("payments", help="Payments and refunds: reconciliation with the gateway.")


@dataclass
class Reconciliation:
    matched: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, gateway id, amount)
    missing_in_portal: list[tuple[str, str, int]] = field(default_factory=list)
    missing_at_gateway: list[tuple[str, str, int]] = field(default_factory=list)
    amount_mismatch: list[tuple[str, str, int, int]] = field(default_factory=list)  # (…, gateway, portal)

    @property
    def is_clean(self) -> bool:
        return not (self.missing_in_portal or self.missing_at_gateway or self.amount_mismatch)


def reconcile(business_day: date) -> Reconciliation:
    """Compare one Vietnam business day: payments by the gateway's transaction id, refunds by the
    gateway's refund id. An entry recorded on the neighbouring day on one side (around midnight)
    still matches."""
    start = to_db(datetime.combine(business_day, time(), VN_TZ))
    end = start + timedelta(days=1)
    portal = {
        ("payment", p.gateway_transaction): p.amount
        for p in db.session.execute(
            select(Payment).where(Payment.status == "paid", Payment.completed_at >= start, Payment.completed_at < end)
        ).scalars()
    } | {
        ("refund", r.gateway_refund): r.amount
        for r in db.session.execute(
            select(Refund).where(Refund.status == "refunded", Refund.refunded_at >= start, Refund.refunded_at < end)
        ).scalars()
    }
    gateway = {(e.kind, e.id): e.amount for e in get_gateway().day(business_day)}
    result = Reconciliation()
    for key, amount in sorted(gateway.items()):
        recorded = portal[key] if key in portal else _recorded_any_day(*key)
        if recorded is None:
            result.missing_in_portal.append((*key, amount))
        elif recorded != amount:
            result.amount_mismatch.append((*key, amount, recorded))
        else:
            result.matched.append((*key, amount))
    result.missing_at_gateway = [(*key, amount) for key, amount in sorted(portal.items()) if key not in gateway]
    return result


def _recorded_any_day(kind: str, gateway_id: str) -> int | None:
    if kind == "payment":
        stmt = select(Payment.amount).where(Payment.gateway_transaction == gateway_id, Payment.status == "paid")
    else:
        stmt = select(Refund.amount).where(Refund.gateway_refund == gateway_id, Refund.status == "refunded")
    return db.session.execute(stmt).scalar()


@payments_cli.command("reconcile")
@click.option("--date", "day_text", default=None, help="The business day, YYYY-MM-DD (default: yesterday).")
def reconcile_command(day_text: str | None) -> None:
    """Compare the gateway's ledger of a day with the portal's payments and refunds."""
    try:
        business_day = date.fromisoformat(day_text) if day_text else datetime.now(VN_TZ).date() - timedelta(days=1)
    except ValueError:
        raise click.BadParameter("write the date as YYYY-MM-DD", param_hint="--date") from None
    try:
        result = reconcile(business_day)
    except GatewayUnavailable as exc:
        raise click.ClickException(f"the gateway did not answer: {exc}") from None
    click.echo(f"Reconciliation of {business_day.isoformat()}: gateway ledger against the portal")
    payments = [amount for kind, _id, amount in result.matched if kind == "payment"]
    refunds = [amount for kind, _id, amount in result.matched if kind == "refund"]
    click.echo(f"matched: {len(payments)} payments ({sum(payments):,} VND), {len(refunds)} refunds ({sum(refunds):,} VND)")
    for title, rows in (("missing in the portal", result.missing_in_portal),
                        ("missing at the gateway", result.missing_at_gateway)):
        click.echo(f"{title}: {len(rows)}")
        for kind, gateway_id, amount in rows:
            click.echo(f"  {kind} {gateway_id} {amount:,} VND")
    click.echo(f"amount mismatch: {len(result.amount_mismatch)}")
    for kind, gateway_id, at_gateway, in_portal in result.amount_mismatch:
        click.echo(f"  {kind} {gateway_id}: gateway {at_gateway:,} VND, portal {in_portal:,} VND")
    if not result.is_clean:
        raise SystemExit(1)
