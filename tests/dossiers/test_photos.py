"""Phone photos of one paper become one PDF (issue 17): JPEG, PNG and HEIC pages in the order
sent, turned upright from EXIF, scaled down; a preview where the citizen reorders or removes
pages, all with plain buttons; the PDF is attached like any upload, with the same checks."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pillow_heif import register_heif_opener
from pypdf import PdfReader
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.dossiers.storage import file_store
from portal.extensions import db
from tests.conftest import login_citizen
from tests.dossiers.helpers import current_draft

register_heif_opener()


def photo(fmt: str, size: tuple[int, int], colour: str, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


@pytest.fixture()
def documents(app, client, citizen_id):
    login_citizen(client, citizen_id)
    client.get("/procedures/1.004194/apply")
    draft = current_draft(app, citizen_id)
    return client, draft, f"/apply/{draft.public_id}/steps/documents"


def _send(client, url, files):
    return client.post(url, data={"doc_legal_residence": [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


def _pages_on(page: str) -> list[str]:
    return re.findall(r'<li class="scan-page">\s*<img src="(data:image/jpeg;base64,[^"]+)"', page)


def test_photos_become_one_pdf_in_the_order_chosen(app, documents):
    client, draft, url = documents
    files = [
        ("IMG_0001.JPG", photo("JPEG", (4000, 3000), "red", orientation=6)),  # taken sideways: upright it is portrait
        ("IMG_0002.PNG", photo("PNG", (1200, 1600), "green")),
        ("IMG_0003.HEIC", photo("HEIF", (1500, 2000), "blue")),
    ]
    response = _send(client, url, files)
    assert response.status_code == 302 and "#doc_legal_residence" in response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert len(_pages_on(page)) == 3 and 'value="combine"' in page
    # No JavaScript needed: the second page goes down, the first is removed.
    assert client.post(url, data={"pages-doc_legal_residence": "down:1"}).status_code == 302
    assert client.post(url, data={"pages-doc_legal_residence": "remove:0"}).status_code == 302
    assert len(_pages_on(client.get(url).get_data(as_text=True))) == 2
    assert client.post(url, data={"pages-doc_legal_residence": "combine"}).status_code == 302
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.id == draft.id)).scalar_one()
        [attachment] = dossier.attachments
        assert attachment.document.content_type == "application/pdf"
        pdf = file_store().read(attachment.document.storage_name)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    # Order after the moves: the HEIC (blue, 1500×2000), then the PNG (green, 1200×1600).
    assert sizes[0][0] / sizes[0][1] == pytest.approx(0.75, rel=0.01)
    assert sizes[1][0] / sizes[1][1] == pytest.approx(0.75, rel=0.01)
    colours = [_first_colour(page_) for page_ in reader.pages]
    assert colours[0][2] > 200 and colours[1][1] > 100  # blue, then green
    assert not _pages_on(client.get(url).get_data(as_text=True))  # nothing left waiting


def _first_colour(pdf_page) -> tuple[int, int, int]:
    image = next(iter(pdf_page.images)).image.convert("RGB")
    return image.getpixel((image.width // 2, image.height // 2))


def test_exif_orientation_is_applied_and_large_photos_are_scaled(app, documents):
    client, draft, url = documents
    _send(client, url, [("a.jpg", photo("JPEG", (4000, 3000), "red", orientation=6)), ("b.jpg", photo("JPEG", (800, 600), "white"))])
    client.post(url, data={"pages-doc_legal_residence": "combine"})
    with app.app_context():
        dossier = db.session.execute(select(Dossier).where(Dossier.id == draft.id)).scalar_one()
        pdf = file_store().read(dossier.attachments[0].document.storage_name)
    first = next(iter(PdfReader(io.BytesIO(pdf)).pages[0].images)).image
    assert first.height > first.width  # upright: portrait
    assert max(first.size) <= 2000


def test_a_photo_that_is_not_a_picture_keeps_the_same_checks(app, documents):
    client, draft, url = documents
    hidden = photo("JPEG", (300, 400), "white") + b"PK\x03\x04" + b"\x00" * 40 + b"PK\x05\x06" + b"\x00" * 18
    response = _send(client, url, [("a.jpg", photo("JPEG", (300, 400), "white")), ("b.jpg", hidden)])
    assert response.status_code == 422
    assert "b.jpg" in response.get_data(as_text=True) or "a.jpg" in response.get_data(as_text=True)
    assert len(_pages_on(response.get_data(as_text=True))) == 1  # the good page is kept, the hidden one is not


def _with_text_in_documents(monkeypatch):
    """1.004194 with a typed answer in the same step as the photos (as a form may have)."""
    import dataclasses

    from portal.dossiers import models
    from portal.eforms.definitions import get_form_definition

    real = get_form_definition("1.004194")
    moved = next(f for s in real.steps for f in s.fields if f.key == "purpose_detail")
    steps = tuple(
        dataclasses.replace(s, fields=tuple(f for f in s.fields if f.key != "purpose_detail")
                            + ((moved,) if s.key == "documents" else ()))
        for s in real.steps
    )
    changed = dataclasses.replace(real, steps=steps)
    monkeypatch.setattr(models, "get_form_definition", lambda code: changed if code == "1.004194" else get_form_definition(code))


def test_a_page_button_keeps_what_was_typed_in_the_same_form(app, documents, monkeypatch):
    _with_text_in_documents(monkeypatch)
    client, draft, url = documents
    _send(client, url, [("a.jpg", photo("JPEG", (300, 400), "red")), ("b.jpg", photo("JPEG", (300, 400), "blue"))])
    with app.app_context():  # the stay's purpose asks for the detail
        db.session.get(Dossier, draft.id).answers = {**draft.answers, "purpose": "other"}
        db.session.commit()
    response = client.post(url, data={"purpose_detail": "Đi học đại học", "pages-doc_legal_residence": "down:0"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Đi học đại học" in page and len(_pages_on(page)) == 2
    assert current_draft(app, draft.applicant_personal_id).answers["purpose_detail"] == "Đi học đại học"


def test_too_many_pages_are_refused_with_a_clear_message(app, documents, monkeypatch):
    from portal.citizen import photos

    monkeypatch.setattr(photos, "MAX_PAGES", 3)
    client, _draft, url = documents
    pictures = [(f"IMG_{i}.JPG", photo("JPEG", (200, 300), colour)) for i, colour in enumerate(("red", "green", "blue", "white"))]
    response = _send(client, url, pictures)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "IMG_3.JPG" in body and ("Too many photo pages" in body or "Quá nhiều" in body)
    assert len(_pages_on(client.get(url).get_data(as_text=True))) == 3


def test_gc_keeps_a_pending_page_for_as_long_as_a_session_lasts(app, documents, runner):
    import os
    import time

    from portal.dossiers.storage import pending_store

    client, _draft, url = documents
    _send(client, url, [("a.jpg", photo("JPEG", (300, 400), "red")), ("b.jpg", photo("JPEG", (300, 400), "blue"))])
    with app.app_context():
        folder = pending_store().root
    with client.session_transaction() as stored:
        names = next(v for k, v in stored.items() if k.startswith("pages:"))
    pages = [folder / name for name in names]
    assert len(pages) == 2 and all(p.exists() for p in pages)
    two_hours_ago = time.time() - 2 * 3600
    os.utime(pages[0], (two_hours_ago, two_hours_ago))
    nine_hours_ago = time.time() - 9 * 3600  # longer than any session: nobody can come back to it
    os.utime(pages[1], (nine_hours_ago, nine_hours_ago))
    done = runner.invoke(args=["files", "gc"])
    assert done.exit_code == 0, done.output
    assert pages[0].exists() and not pages[1].exists()
    assert len(_pages_on(client.get(url).get_data(as_text=True))) == 1  # the page still there is shown
