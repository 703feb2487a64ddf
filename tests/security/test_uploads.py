"""Uploads are documents and nothing else (ASVS V12): polyglots, decompression bombs and active
PDFs are refused with a message next to the field; real scans pass; what is stored is served
back with its own type, as an attachment, from outside the web root."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter

from portal.dossiers.inspection import inspect

LIMITS = {"max_pixels": 64_000_000, "max_inflated": 256 * 1024 * 1024}


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def picture(kind: str, size: tuple[int, int] = (120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, kind)
    return out.getvalue()


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<b>hello</b>")
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with(width: int, height: int, *extra: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + b"".join(extra)
            + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def flate_bomb(size: int) -> bytes:
    stream = zlib.compressobj(9)
    chunk = b"\x00" * (1 << 20)
    data = b"".join(stream.compress(chunk) for _ in range(size >> 20)) + stream.flush()
    return pdf_with(b"1 0 obj<</Length %d/Filter/FlateDecode>>stream\n" % len(data) + data + b"\nendstream endobj")


def jpeg_of_size(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header claims ``width`` × ``height``."""
    data = bytearray(picture("JPEG", (16, 16)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5:frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


ACCEPTED = {
    "pdf from a writer": real_pdf,
    "jpeg": lambda: picture("JPEG"),
    "progressive jpeg": lambda: _progressive(),
    "png": lambda: picture("PNG"),
    "pdf with trailing newlines": lambda: real_pdf() + b"\r\n\r\n",
}


def _progressive() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 90, 160)).save(out, "JPEG", progressive=True)
    return out.getvalue()


REFUSED = {
    # polyglots: a document that is also something else
    "pdf that is also a web page": (lambda: pdf_with(b"<html><script>alert(document.cookie)</script></html>"), "hidden"),
    "pdf with a zip archive hidden before %%EOF": (lambda: real_pdf()[:-6] + zip_archive() + b"\n%%EOF\n", "hidden"),
    "pdf with data after %%EOF": (lambda: real_pdf() + zip_archive(), "hidden"),
    "jpeg with a zip appended": (lambda: picture("JPEG") + zip_archive(), "hidden"),
    "jpeg with html appended": (lambda: picture("JPEG") + b"<b onmouseover=alert(1)>x</b>", "hidden"),
    "jpeg with php in its comment": (lambda: picture("JPEG").replace(b"\xff\xd8", b"\xff\xd8\xff\xfe\x00\x13<?php system(1);?>", 1), "hidden"),
    "png with svg markup in a text chunk": (lambda: png_with(10, 10, png_chunk(b"tEXt", b"c\x00<svg onload=alert(1)>")), "hidden"),
    "png with a program appended": (lambda: picture("PNG") + b"MZ\x90\x00This program cannot be run in DOS mode", "hidden"),
    # decompression bombs
    "pdf whose stream inflates to 300 MB": (lambda: flate_bomb(300 << 20), "bomb"),
    "png of 100,000 × 100,000 pixels": (lambda: png_with(100_000, 100_000), "bomb"),
    "jpeg of 20,000 × 20,000 pixels": (lambda: jpeg_of_size(20_000, 20_000), "bomb"),
    # active content
    "pdf that runs javascript": (lambda: pdf_with(b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj"), "active"),
    "pdf with an escaped javascript name": (lambda: pdf_with(b"1 0 obj<</OpenAction<</S/J#61vaScript/JS 2 0 R>>>>endobj"), "active"),
    "pdf that launches a program": (lambda: pdf_with(b"1 0 obj<</OpenAction<</S/Launch/F(cmd.exe)>>>>endobj"), "active"),
    "pdf with an embedded file": (lambda: pdf_with(b"1 0 obj<</Type/EmbeddedFile/Length 3>>stream\nabc\nendstream endobj"), "active"),
    "pdf with javascript inside a compressed object stream": (
        lambda: pdf_with(b"2 0 obj<</Type/ObjStm/Filter/FlateDecode>>stream\n"
                         + zlib.compress(b"<</S/JavaScript/JS(x)>>") + b"\nendstream endobj"), "active"),
    # broken files
    "pdf cut short": (lambda: real_pdf()[:-40], "damaged"),
    "png cut short": (lambda: picture("PNG")[:-20], "damaged"),
    "jpeg cut short": (lambda: picture("JPEG")[:-30], "damaged"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_real_documents_pass(name):
    data = ACCEPTED[name]()
    kind = "application/pdf" if data.startswith(b"%PDF") else "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    assert inspect(data, kind, **LIMITS) is None


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_files_are_refused(name):
    make, reason = REFUSED[name]
    data = make()
    kind = "application/pdf" if data.startswith(b"%PDF") else "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    assert inspect(data, kind, **LIMITS) == reason


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=200).filter(lambda tail: tail.strip(b"\x00\t\n\r\x0c ")))
def test_anything_after_the_end_of_a_picture_is_refused(tail):
    for kind, data in (("image/png", picture("PNG")), ("image/jpeg", picture("JPEG"))):
        assert inspect(data + tail, kind, **LIMITS) == "hidden"


# --- through the e-form ----------------------------------------------------------------------

def _upload(app, client, data: bytes, name: str = "scan.pdf"):
    location = client.get("/procedures/1.004194/apply").headers["Location"]
    draft = re.search(r"/apply/([0-9a-f]{32})/", location).group(1)
    response = client.post(
        f"/apply/{draft}/steps/documents", data={"doc_legal_residence": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    return draft, response


@pytest.mark.parametrize(("name", "message"), [
    ("jpeg with a zip appended", "Tệp có chứa nội dung khác ngoài giấy tờ"),
    ("pdf whose stream inflates to 300 MB", "Tệp khi mở ra lớn hơn nhiều"),
    ("pdf that runs javascript", "PDF có chứa mã lệnh"),
    ("png cut short", "Tệp bị hỏng hoặc không đầy đủ"),
])
def test_a_refused_upload_is_explained_next_to_its_field(app, browser_as, name, message):
    _, response = _upload(app, browser_as("citizen_b"), REFUSED[name][0](), "giay-to.jpg")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index('id="doc_legal_residence"'):]
    assert message in field[:field.index("</fieldset>")]


def test_a_stored_picture_is_served_with_its_type_as_an_attachment_outside_static(app, browser_as, world):
    client = browser_as("citizen_b")
    jpeg = picture("JPEG", (40, 30))
    draft, response = _upload(app, client, jpeg, "photo.pdf")  # the name claims PDF: the content decides
    assert response.status_code == 302  # accepted: the only required document (the CT01 is the e-form itself)
    from sqlalchemy import select

    from portal.dossiers.models import Dossier
    from portal.extensions import db

    with app.app_context():
        document = db.session.execute(select(Dossier).where(Dossier.public_id == draft)).scalar_one().attachments[0].document
        document_id, storage_name = document.id, document.storage_name
    assert storage_name.endswith(".jpg")
    download = client.get(f"/my/documents/{document_id}")
    assert download.mimetype == "image/jpeg" and download.data == jpeg
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/static/{storage_name}").status_code == 404
    assert client.get(f"/static/../instance/uploads/{storage_name}").status_code == 404
