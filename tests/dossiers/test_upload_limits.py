"""Upload limits (issue 16): a file's size, the dossier's total and the citizen's document store
are checked before anything is written, so a refused upload leaves no file; a sending over the
request limit brings the step back with what was typed and both limits named; ``flask files gc``
removes the files no row refers to, without ever taking one a new upload needs."""
from __future__ import annotations

import io
import os
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import func, select

from portal.dossiers.models import Attachment, StoredDocument
from portal.dossiers.storage import LocalFileStore, collect_garbage
from portal.extensions import db
from werkzeug.test import EnvironBuilder
from tests.conftest import login_citizen
from tests.dossiers.helpers import current_draft

KB = 1024


def pdf_of(size: int, mark: bytes = b"a") -> bytes:
    """A plain PDF of ``size`` bytes (a long comment pads it), different for each ``mark``."""
    head, tail = b"%PDF-1.4\n%", b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return head + mark * (size - len(head) - len(tail)) + tail


@pytest.fixture()
def uploads(app, tmp_path, monkeypatch) -> Path:
    """A file store of this test's own, so what it holds is what this test wrote."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture()
def documents_step(app, client, citizen_id):
    """A citizen's fresh draft of "Đăng ký tạm trú", on its documents step."""
    login_citizen(client, citizen_id)
    client.get("/procedures/1.004194/apply")
    draft = current_draft(app, citizen_id)
    return client, draft, f"/apply/{draft.public_id}/steps/documents"


def _field_errors(response) -> dict[str, str]:
    body = response.get_data(as_text=True)
    found = {}
    for key, chunk in re.findall(r'id="(doc_\w+)"(.*?)</fieldset>', body, re.S):
        error = re.search(r'class="field-error"[^>]*>(?:<span[^>]*>[^<]*</span>)?(.*?)</p>', chunk, re.S)
        if error:
            found[key] = " ".join(error.group(1).split())
    return found


def _stored(app, personal_id: str) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(StoredDocument).where(StoredDocument.owner_personal_id == personal_id)
        ).scalar_one()


def test_a_file_over_the_dossiers_total_is_refused_and_leaves_no_file(app, uploads, documents_step, citizen_id, monkeypatch):
    client, draft, url = documents_step
    monkeypatch.setitem(app.config, "MAX_DOSSIER_ATTACHMENTS_SIZE", 6 * KB)
    # (The declaration CT01 is rendered from the e-form now, issue 17: two proofs of the home.)
    first = client.post(url, data={"doc_legal_residence": (io.BytesIO(pdf_of(4 * KB, b"a")), "so-do.pdf")})
    assert first.status_code == 302  # kept
    assert len(list(uploads.iterdir())) == 1
    response = client.post(url, data={"doc_legal_residence": (io.BytesIO(pdf_of(4 * KB, b"b")), "hop-dong.pdf")})
    assert response.status_code == 422
    message = _field_errors(response)["doc_legal_residence"]
    assert "hop-dong.pdf" in message and "6 KB" in message  # names the file and the limit
    assert len(list(uploads.iterdir())) == 1  # nothing written for the refused one
    assert _stored(app, citizen_id) == 1


def test_a_file_over_the_per_file_limit_leaves_no_file(app, uploads, documents_step, monkeypatch):
    client, draft, url = documents_step
    monkeypatch.setitem(app.config, "MAX_FILE_SIZE", 2 * 2**20)
    response = _multipart(url, {"doc_legal_residence": (io.BytesIO(pdf_of(2 * 2**20 + 1)), "big.pdf")}, client)
    assert response.status_code == 422
    assert "2 MB" in _field_errors(response)["doc_legal_residence"]
    assert not uploads.exists() or not list(uploads.iterdir())


def test_a_citizens_document_store_has_a_quota(app, uploads, documents_step, citizen_id, monkeypatch):
    client, draft, url = documents_step
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_STORE_SIZE", 2**20)  # 1 MB
    first = pdf_of(700 * KB, b"a")
    _multipart(url, {"doc_legal_residence": (io.BytesIO(first), "so-do.pdf")}, client)
    response = _multipart(url, {"doc_legal_residence": (io.BytesIO(pdf_of(400 * KB, b"b")), "hop-dong.pdf")}, client)
    assert response.status_code == 422
    assert "1 MB" in _field_errors(response)["doc_legal_residence"]
    assert len(list(uploads.iterdir())) == 1 and _stored(app, citizen_id) == 1
    # The same document sent again takes no more room: it is already in the store.
    again = _multipart(url, {"doc_legal_residence": (io.BytesIO(first), "so-do-lan-2.pdf")}, client)
    assert "doc_legal_residence" not in _field_errors(again)


def _multipart(url: str, fields: dict, client):
    builder = EnvironBuilder(path=url, method="POST", data=fields, content_type="multipart/form-data")
    request = builder.get_request()
    try:
        return client.open(request)
    finally:
        request.environ["wsgi.input"].close()
        builder.close()


def test_a_sending_over_the_request_limit_comes_back_with_both_limits_named(app, uploads, documents_step, monkeypatch):
    client, draft, url = documents_step
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * KB)
    monkeypatch.setitem(app.config, "MAX_FILE_SIZE", 48 * KB)
    response = _multipart(url, {"doc_legal_residence": [(io.BytesIO(pdf_of(40 * KB, b"a")), "a.pdf"),
                                                        (io.BytesIO(pdf_of(40 * KB, b"b")), "b.pdf")]}, client)
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert 'action="' in body and "doc_legal_residence" in body  # the step itself, not an error page
    errors = _field_errors(response)
    assert set(errors) == {"doc_legal_residence"}
    assert "64 KB" in errors["doc_legal_residence"] and "48 KB" in errors["doc_legal_residence"]  # per sending, per file
    assert not uploads.exists() or not list(uploads.iterdir())
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Attachment).where(Attachment.dossier_id == draft.id)).scalar_one() == 0


def test_what_was_typed_in_a_sending_over_the_limit_is_kept(app, monkeypatch):
    """The request reads the text of an over-limit form and throws its files away unread."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4 * KB)
    builder = EnvironBuilder(method="POST", content_type="multipart/form-data", data={
        "business_name": "Hộ\u00a0kinh doanh  Hoa Mai", "doc": (io.BytesIO(pdf_of(16 * KB)), "scan.pdf")})
    with app.request_context(builder.get_environ()):
        assert request.form["business_name"] == "Hộ kinh doanh Hoa Mai"
        assert request.is_body_over_limit and request.refused_file_fields == ("doc",)
        assert not request.files
    builder.close()


def test_a_sending_over_the_read_limit_is_a_413_page_naming_the_limits(app, documents_step, monkeypatch):
    client, draft, url = documents_step
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4 * KB)
    monkeypatch.setitem(app.config, "OVERSIZED_BODY_READ_LIMIT", 8 * KB)
    response = _multipart(url, {"doc_legal_residence": (io.BytesIO(pdf_of(16 * KB)), "a.pdf")}, client)
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "4 KB" in body and "10 MB" in body  # the request limit and the per-file one


# --- flask files gc ----------------------------------------------------------------------------


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_gc_removes_only_old_files_no_row_refers_to(app, runner, uploads, ctx):
    uploads.mkdir()
    for name in ("orphan.pdf", "referenced.pdf", "young-orphan.pdf", "crashed.pdf.123.part"):
        (uploads / name).write_bytes(pdf_of(1 * KB))
    for name in ("orphan.pdf", "referenced.pdf", "crashed.pdf.123.part"):
        _age(uploads / name, 2)
    db.session.add(StoredDocument(owner_personal_id="001090000001", kind="upload", document_key="ct01", title="Tờ khai",
                                  content_type="application/pdf", size=KB, sha256="0" * 64, storage_name="referenced.pdf"))
    db.session.commit()
    dry = runner.invoke(args=["files", "gc", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would remove orphan.pdf" in dry.output and "would remove crashed.pdf.123.part" in dry.output
    assert "referenced.pdf" not in dry.output and "young-orphan.pdf" not in dry.output
    assert sorted(p.name for p in uploads.iterdir()) == ["crashed.pdf.123.part", "orphan.pdf", "referenced.pdf", "young-orphan.pdf"]
    done = runner.invoke(args=["files", "gc"])
    assert "2 unreferenced file(s) removed" in done.output and "1 unreferenced file(s) younger than" in done.output
    assert sorted(p.name for p in uploads.iterdir()) == ["referenced.pdf", "young-orphan.pdf"]


def test_an_old_file_saved_again_is_kept_by_a_collection(tmp_path):
    store = LocalFileStore(tmp_path)
    store.save("same.pdf", b"%PDF-")
    _age(tmp_path / "same.pdf", 2)
    store.save("same.pdf", b"%PDF-")  # a new upload of the same bytes: the row comes at commit
    assert collect_garbage(set(), timedelta(hours=1), store=store).removed == ()
    assert store.exists("same.pdf")


def test_gc_running_while_the_same_file_is_uploaded_again_and_again_never_loses_it(tmp_path):
    """Uploads of one file (an old orphan on disk) race a collection that runs without pause:
    every upload's row, once committed, finds its file. The collection's age limit (0.15 s) stays
    well above an upload's own work (5 ms), also when a loaded machine makes that work wait."""
    store = LocalFileStore(tmp_path)
    store.save("shared.pdf", b"%PDF-1.4 shared")
    _age(tmp_path / "shared.pdf", 2)
    missing: list[int] = []
    removed: list[str] = []
    stop = time.monotonic() + 3

    def upload(pause: float) -> None:
        for attempt in range(10_000):
            if time.monotonic() > stop:
                return
            store.save("shared.pdf", b"%PDF-1.4 shared")  # the request writes (or touches) the file…
            time.sleep(0.005)  # …does its other work…
            if not store.exists("shared.pdf"):  # …and commits its row, which must find the file
                missing.append(attempt)
            time.sleep(pause)  # quiet for longer than the age limit: the file may go, and come back

    def collect() -> None:
        while time.monotonic() < stop:
            removed.extend(collect_garbage(set(), timedelta(seconds=0.15), store=store).removed)

    threads = [threading.Thread(target=upload, args=(pause,)) for pause in (0.18, 0.24, 0.33)]
    threads.append(threading.Thread(target=collect))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert removed  # the collection did take the file while nobody was uploading it
    assert missing == []
