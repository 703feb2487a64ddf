"""Documents sent with a form (wizard step or supplement), and what to say when one is refused."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from portal.security import parse_number
from portal.submission.operations import MISSING, NOT_IN_STORE, SentDocuments

_MESSAGES = {
    NOT_IN_STORE: lambda: _("That document is not in your document store."),
    "type": lambda: _("The file must be a PDF, JPEG or PNG. Its content was checked, not its name."),
    "too_large": lambda: _("The file is larger than 10 MB. Choose a smaller file or scan at a lower resolution."),
    "empty": lambda: _("The file is empty. Choose the file again."),
    "dossier_too_large": lambda: _("Together the files are larger than 30 MB. Remove a file or use smaller ones."),
    "hidden": lambda: _("The file contains something besides the document (hidden content or an attached archive). Scan or save the document again as a PDF, JPEG or PNG and attach the new file."),
    "active": lambda: _("The PDF contains scripts, actions or embedded files, which are not accepted. Print it to a new PDF (“Save as PDF”) and attach that."),
    "bomb": lambda: _("The file opens into far more data than a document needs (a picture over 64 megapixels, or an oversized PDF). Scan it at a lower resolution and try again."),
    "damaged": lambda: _("The file is damaged or incomplete: it does not end the way a PDF, JPEG or PNG must. Save or scan it again."),
}


def sent_documents(name: str) -> SentDocuments:
    """What the form field ``name`` sent: stored documents picked (``<name>-reuse``) and files."""
    return SentDocuments(
        stored_ids=tuple(parse_number(value) for value in request.form.getlist(f"{name}-reuse")),
        uploads=tuple(u for u in request.files.getlist(name) if u and u.filename),
    )


def problem_message(problem: str, document_name: str) -> str:
    if problem == MISSING:
        return _("Attach “%(name)s”.", name=document_name)
    return _MESSAGES[problem]()
