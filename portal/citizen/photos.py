"""Photos of one paper, page by page, become one PDF before the citizen continues (issue 17).

Several photos sent for one document field (or a single HEIC/HEIF, which is no upload format
itself) are not attached one by one: they are normalised (:mod:`portal.dossiers.scans`) and
listed under the field with a preview of each page and buttons to move a page up or down,
remove it, or make the PDF — plain form buttons, so it all works without JavaScript. The list
lives in the session (names of the pages in the file store) until the PDF is made; the PDF is
then attached like any upload, with the same checks.
"""
from __future__ import annotations

import io

from flask import session
from werkzeug.datastructures import FileStorage

from portal.dossiers.models import Dossier
from portal.dossiers.scans import combine_pages, is_heif, is_photo, normalise_photo, read_page, store_page, thumbnail_uri
from portal.dossiers.storage import UploadRejected
from portal.eforms.definitions import Field, Step
from portal.submission import operations as ops

MAX_PAGES = 20  # pages of one document
MAX_PENDING_PAGES = 30  # pages waiting in one session, all documents together (the session is a cookie)
TOO_MANY_PAGES = "too_many_pages"


def _key(dossier: Dossier, field: Field) -> str:
    return f"pages:{dossier.public_id}:{field.key}"


def pages_of(dossier: Dossier, field: Field) -> list[str]:
    return list(session.get(_key(dossier, field), []))


def _waiting_elsewhere(dossier: Dossier, field: Field) -> int:
    """Pages waiting in the session for the other documents (of any dossier)."""
    mine = _key(dossier, field)
    return sum(len(v) for k, v in session.items() if k.startswith("pages:") and k != mine and isinstance(v, list))


def _keep(dossier: Dossier, field: Field, pages: list[str]) -> None:
    if pages:
        session[_key(dossier, field)] = pages
    else:
        session.pop(_key(dossier, field), None)


def are_pages(uploads: tuple[FileStorage, ...]) -> bool:
    """Photos to put together: several pictures, or a HEIC/HEIF (no upload format on its own)."""
    if not uploads or not all(is_photo(u) for u in uploads):
        return False
    if len(uploads) > 1:
        return True
    head = uploads[0].stream.read(16)
    uploads[0].stream.seek(0)
    return is_heif(head)


def add_pages(
    dossier: Dossier, field: Field, uploads: tuple[FileStorage, ...]
) -> tuple[str | None, tuple[FileStorage, ...]]:
    """Normalise and keep the photos as pages, in the order sent; the problem code of the
    first refused one and the refused ones (the others are kept), or (None, ())."""
    pages, problem, refused = pages_of(dossier, field), None, []
    elsewhere = _waiting_elsewhere(dossier, field)
    for upload in uploads:
        try:
            if len(pages) >= MAX_PAGES or elsewhere + len(pages) >= MAX_PENDING_PAGES:
                raise UploadRejected(TOO_MANY_PAGES)
            pages.append(store_page(normalise_photo(upload)))
        except UploadRejected as exc:
            problem = problem or exc.code
            refused.append(upload)
        finally:
            upload.close()
    _keep(dossier, field, pages)
    return problem, tuple(refused)


def pending(dossier: Dossier, step: Step) -> dict[str, list[str]]:
    """Field key → preview of each page waiting to be made a PDF, for the step's page."""
    found = {}
    for field in step.fields:
        if field.type == "file":
            previews = [thumbnail_uri(page) for name in pages_of(dossier, field) if (page := read_page(name))]
            if previews:
                found[field.key] = previews
    return found


def act_on_pages(dossier: Dossier, field: Field, action: str) -> str | None:
    """``up:<i>``, ``down:<i>``, ``remove:<i>``, ``discard`` or ``combine``; returns the problem
    code when the PDF cannot be made or attached, else None."""
    pages = pages_of(dossier, field)
    verb, _, number = action.partition(":")
    index = int(number) if number.isdigit() else -1
    if verb in ("up", "down", "remove") and 0 <= index < len(pages):
        if verb == "remove":
            pages.pop(index)
        else:
            other = index - 1 if verb == "up" else index + 1
            if 0 <= other < len(pages):
                pages[index], pages[other] = pages[other], pages[index]
        _keep(dossier, field, pages)
    elif verb == "discard":
        _keep(dossier, field, [])
    elif verb == "combine" and pages:
        images = [page for name in pages if (page := read_page(name))]
        if len(images) != len(pages):
            _keep(dossier, field, [])
            return "damaged"
        pdf = FileStorage(stream=io.BytesIO(combine_pages(images)), filename=f"{field.document}.pdf")
        problem = ops.attach_sent(dossier, field.document, ops.SentDocuments(uploads=(pdf,)))
        if problem is None:
            _keep(dossier, field, [])
        return problem
    return None

