"""The citizen's notifications: every message sent, or about to be sent, about their dossiers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from portal.auth.access import citizen_required
from portal.dossiers.models import Dossier
from portal.extensions import count_rows, db
from portal.i18n import gettext as _
from portal.notifications.messages import render_message
from portal.notifications.models import FAILED, PENDING, SENDING, SENT, Notification
from portal.security import page_count, page_number

notifications_bp = Blueprint("notifications", __name__)


@dataclass(frozen=True)
class NotificationView:
    at: datetime
    channel: str
    channel_label: str
    recipient: str
    subject: str
    body: str
    status: str
    status_label: str
    dossier_code: str | None


def _status_label(status: str) -> str:
    return {
        PENDING: _("Waiting to be sent"),
        SENDING: _("Being sent"),
        SENT: _("Sent"),
        FAILED: _("Could not be sent"),
    }[status]


def _view(row: Notification, dossier_code: str | None) -> NotificationView:
    # Sent rows keep the text that went out; the others show what will go out.
    if row.subject is None:
        rendered = render_message(row.template, row.locale, row.context, row.channel)
        subject, body = rendered.subject, rendered.body
    else:
        subject, body = row.subject, row.body or ""
    return NotificationView(
        at=row.sent_at or row.created_at,
        channel=row.channel,
        channel_label=_("Email") if row.channel == "email" else _("SMS"),
        recipient=row.recipient,
        subject=subject,
        body=body,
        status=row.status,
        status_label=_status_label(row.status),
        dossier_code=dossier_code,
    )


@notifications_bp.route("/my/notifications")
@citizen_required
def list_my_notifications():
    # Counter dossiers may predate the citizen's account: they are theirs by personal ID.
    own = or_(Notification.user_id == current_user.id, Dossier.applicant_personal_id == current_user.personal_id)
    base = select(Notification, Dossier.code).outerjoin(Dossier, Notification.dossier_id == Dossier.id).where(own)
    size = int(current_app.config.get("PAGE_SIZE", 20))
    total = count_rows(base)
    pages = page_count(total, size)
    page = page_number(request.args.get("page"), pages)
    rows = db.session.execute(
        base.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(size).offset((page - 1) * size)
    ).all()
    return render_template(
        "notifications/my_list.html",
        notifications=[_view(row, code) for row, code in rows],
        page=page,
        pages=pages,
        page_url=lambda n: url_for("notifications.list_my_notifications", page=n),
    )
