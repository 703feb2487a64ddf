"""The file store behind attachments and results (local disk; the interface an S3 store would fill)."""
from __future__ import annotations

import hashlib
import os
import time
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


def test_a_file_saved_again_after_the_collection_listed_it_never_goes_missing(tmp_path, monkeypatch):
    """The collection listed the file as old; an upload then saved it again. The file stays where
    it is: a request reading it at that moment finds it (it is not even renamed aside)."""
    store = LocalFileStore(tmp_path)
    store.save("shared.pdf", b"%PDF-1.4 shared")
    os.utime(tmp_path / "shared.pdf", (time.time() - 60, time.time() - 60))
    listed_before = time.time() - 1  # the collection's limit: the file was older when listed
    store.save("shared.pdf", b"%PDF-1.4 shared")  # an upload saves it again
    renamed: list[str] = []
    real_rename = os.rename
    monkeypatch.setattr(os, "rename", lambda src, dst: renamed.append(str(src)) or real_rename(src, dst))
    assert store.remove_if_stale("shared.pdf", listed_before) is False
    assert renamed == [] and store.read("shared.pdf") == b"%PDF-1.4 shared"
