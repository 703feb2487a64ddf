"""Documents sent with a form (wizard step or supplement), and what to say when one is refused."""
from __future__ import annotations

from flask import current_app, request

from portal.citizen.photos import MAX_PAGES, MAX_PENDING_PAGES, TOO_MANY_PAGES
from portal.i18n import file_size, gettext as _
from portal.security import parse_number
from portal.submission.operations import MISSING, NOT_IN_STORE, SentDocuments

_MESSAGES = {
    NOT_IN_STORE: lambda: _("That document is not in your document store."),
    "type": lambda: _("The file must be a PDF, JPEG or PNG. Its content was checked, not its name."),
    "too_large": lambda: _("The file is larger than %(limit)s. Choose a smaller file or scan at a lower resolution.",
                           limit=limit_text("MAX_FILE_SIZE")),
    "empty": lambda: _("The file is empty. Choose the file again."),
    "dossier_too_large": lambda: _("Together the files are larger than %(limit)s. Remove a file or use smaller ones.",
                                   limit=limit_text("MAX_DOSSIER_ATTACHMENTS_SIZE")),
    "store_full": lambda: _("Your document store is full: it holds at most %(limit)s of uploads. Attach a document "
                            "already in your store, or ask the one-stop-shop for help.",
                            limit=limit_text("MAX_DOCUMENT_STORE_SIZE")),
    "hidden": lambda: _("The file contains something besides the document (hidden content or an attached archive). Scan or save the document again as a PDF, JPEG or PNG and attach the new file."),
    "active": lambda: _("The PDF contains scripts, actions or embedded files, which are not accepted. Print it to a new PDF (“Save as PDF”) and attach that."),
    "bomb": lambda: _("The file opens into far more data than a document needs (a picture over 64 megapixels, or an oversized PDF). Scan it at a lower resolution and try again."),
    "damaged": lambda: _("The file is damaged or incomplete: it does not end the way a PDF, JPEG or PNG must. Save or scan it again."),
    TOO_MANY_PAGES: lambda: _("Too many photo pages are waiting: at most %(document)d pages make one document, and "
                                "%(total)d can wait at a time. Make the PDF of the pages shown (or remove some) "
                                "before adding more.", document=MAX_PAGES, total=MAX_PENDING_PAGES),
}


def limit_text(setting: str) -> str:
    """A size limit of the configuration as people read it: "10 MB"."""
    return file_size(current_app.config[setting])


def over_limit_message() -> str:
    """What to say when a form's files were thrown away because the whole sending was over
    the request limit (:class:`portal.security.PortalRequest`)."""
    return _(
        "Nothing you attached was received: together the files were larger than %(request)s, the most "
        "one sending may carry. Each file may be up to %(file)s; attach the files one or two at a time. "
        "Your answers are kept below.",
        request=limit_text("MAX_CONTENT_LENGTH"), file=limit_text("MAX_FILE_SIZE"),
    )


def refused_for_size(keys: list[str]) -> dict[str, str]:
    """When the request's body was over the limit (its files thrown away as they came): the
    message for each of ``keys`` that sent a file (the first key when none can be told), else
    nothing. Reads the form first, which is what finds out."""
    if not (request.form is not None and getattr(request, "is_body_over_limit", False)):
        return {}
    refused = [key for key in keys if key in request.refused_file_fields] or keys[:1]
    return {key: over_limit_message() for key in refused}


def sent_documents(name: str) -> SentDocuments:
    """What the form field ``name`` sent: stored documents picked (``<name>-reuse``) and files."""
    return SentDocuments(
        stored_ids=tuple(parse_number(value) for value in request.form.getlist(f"{name}-reuse")),
        uploads=tuple(u for u in request.files.getlist(name) if u and u.filename),
    )


def _shown_name(filename: str) -> str:
    """The name of the file as the person picked it, a long one shortened in the middle."""
    name = filename.strip()
    return name if len(name) <= 60 else f"{name[:40]}…{name[-15:]}"


def problem_message(problem: str, document_name: str, sent: SentDocuments) -> str:
    """What to say next to the field; a refused upload is named, so the person knows which
    of their files to scan or save again."""
    if problem == MISSING:
        return _("Attach “%(name)s”.", name=document_name)
    reason = _MESSAGES[problem]()
    if problem == NOT_IN_STORE or not sent.uploads:
        return reason
    names = "”, “".join(_shown_name(upload.filename or "") for upload in sent.uploads)
    return _("The file “%(file)s” was not attached. %(reason)s", file=names, reason=reason)
