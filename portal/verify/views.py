"""``/verify``: anyone holding a result checks it (rate-limited per client, like tracking).

The page shows no personal data beyond the holder's masked name: genuine or not, issuing agency,
date, dossier code, document type. Posting a PDF (field ``file``) says whether it is the issued
document, unchanged, with a valid signature. Read-only: nothing is stored.
"""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.workflow.verification import check_upload, find_result, normalise_token

verify_bp = Blueprint("verify", __name__)

# A signed result is well under a megabyte; anything larger is not one of ours.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _rate() -> str:
    return current_app.config["TRACKING_RATE_LIMIT"]


verify_limit = limiter.shared_limit(_rate, scope="verify")


@verify_bp.route("/verify", methods=["GET"])
@verify_limit
def start():
    raw = request.args.get("token", "")
    if not raw:
        return render_template("verify/verify.html", facts=None, token="", error=None, check=None)
    token = normalise_token(raw)
    if token is None:
        error = _("A verification code has 10 letters and digits, as printed under the QR code.")
        return render_template("verify/verify.html", facts=None, token=raw, error=error, check=None), 400
    return redirect(url_for("verify.result", token=token))


@verify_bp.route("/verify/<token>", methods=["GET", "POST"])
@verify_limit
def result(token: str):
    facts = find_result(token)
    if facts is None:
        error = _("No result was issued with the verification code %(token)s.", token=token[:20])
        return render_template("verify/verify.html", facts=None, token=token[:20], error=error, check=None), 404
    check, upload_error = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        content = upload.read(MAX_UPLOAD_BYTES + 1) if upload is not None and upload.filename else b""
        if not content:
            upload_error = _("Choose the PDF file of the result to check.")
        elif len(content) > MAX_UPLOAD_BYTES:
            upload_error = _("This file is larger than any result the portal issues: it is not the issued document.")
        else:
            check = check_upload(facts, content)
    response = render_template(
        "verify/verify.html", facts=facts, token=facts.token, error=None, check=check, upload_error=upload_error
    )
    return response, (422 if upload_error else 200)
