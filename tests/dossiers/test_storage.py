"""The file store behind attachments and results (local disk; the interface an S3 store would fill)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from portal.dossiers.storage import LocalFileStore, file_store


def test_a_file_is_saved_whole_under_its_name_and_read_back(tmp_path):
    store = LocalFileStore(tmp_path / "files")
    store.save("abc.pdf", b"%PDF-1.7 first")
    store.save("abc.pdf", b"%PDF-1.7 second")  # a content-hash name already there is kept
    assert store.read("abc.pdf") == b"%PDF-1.7 first"
    assert store.exists("abc.pdf") and not store.exists("other.pdf")
    assert store.read("other.pdf") is None
    assert [p.name for p in (tmp_path / "files").iterdir()] == ["abc.pdf"]  # no partial file left


def test_a_name_cannot_lead_out_of_the_folder(tmp_path):
    store = LocalFileStore(tmp_path / "files")
    store.save("../../escape.pdf", b"x")
    assert not (tmp_path / "escape.pdf").exists()
    assert (tmp_path / "files" / "escape.pdf").read_bytes() == b"x"


def test_the_app_keeps_files_in_the_configured_folder(app, ctx):
    data = b"%PDF-1.7 configured"
    name = hashlib.sha256(data).hexdigest() + ".pdf"
    file_store().save(name, data)
    assert (Path(app.config["UPLOAD_DIR"]) / name).read_bytes() == data
    assert file_store().read(name) == data
