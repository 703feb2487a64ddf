"""Uploaded files: checked by content, stored outside the web root under a name we choose.

1. The first bytes decide the type (PDF, JPEG or PNG); the file name and the browser's claimed
   type are ignored.
2. The whole content is then inspected (:mod:`portal.dossiers.inspection`): a file that is also
   something else (a polyglot), opens into a decompression bomb or, for a PDF, carries scripts
   or embedded files is refused.
3. Files are stored by their SHA-256 — never under a user's name — in the file store. Nothing
   is written before every check has passed (:func:`check_upload` reads and checks; the caller
   writes with :func:`save_upload` once the dossier's total and the citizen's quota allow it), so
   a refused upload leaves no file.
4. A file no row refers to any more (a draft's upload rolled back with its request, a crash
   between writing and committing) is removed by :func:`collect_garbage` (``flask files gc``),
   only once it is older than ``FILES_GC_MIN_AGE``: an upload being written now is not referred
   to until its request commits, and :meth:`LocalFileStore.save` touches a file it finds
   already there, so a collection running at that moment keeps it (see
   :meth:`LocalFileStore.remove_if_stale`).

The file store is an interface (:class:`FileStore`: save, read, exists by name; and for the
collection, list and remove-if-stale) so app processes on several machines can share one:
:class:`LocalFileStore` keeps files in a folder (``UPLOAD_DIR``, default ``instance/uploads/``; a
shared mount when there are several machines). An S3-compatible object store would be a second
class with the same methods (``put_object``, ``get_object``, ``head_object``, ``list_objects_v2``,
``delete_object`` on a bucket), chosen in :func:`file_store` by configuration.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.dossiers.inspection import inspect

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class UploadRejected(ValueError):
    """The file cannot be accepted; ``code`` says why (type, too_large, empty, and from the
    inspection hidden, bomb, active, damaged; the caller adds dossier_too_large, store_full)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    storage_name: str


@dataclass(frozen=True)
class CheckedUpload(StoredFile):
    """An upload read and checked, not written yet."""

    data: bytes = b""


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


class FileStore(Protocol):
    def save(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name`` whole or not at all; a name already there is kept
        (names are content hashes, so it holds the same bytes)."""

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""

    def exists(self, name: str) -> bool: ...

    def entries(self) -> Iterator[tuple[str, int, float]]:
        """(name, size, time of last save) of every file, leftovers of interrupted writes too."""

    def remove_if_stale(self, name: str, saved_before: float) -> bool:
        """Remove ``name`` unless it was saved (or saved again) at ``saved_before`` or later,
        even by a save running at this moment; True when removed."""


class LocalFileStore:
    """Files in one folder of the local disk (or of a mount shared by several machines)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        return self.root / Path(name).name  # a name never leads out of the folder

    def save(self, name: str, data: bytes) -> None:
        target = self._path(name)
        try:
            os.utime(target)  # already there (the same bytes): saved again now, so kept by a collection
            return
        except FileNotFoundError:
            pass
        self.root.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{secrets.token_hex(6)}.part")  # one per writer
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a crash never leaves half a file under the real name

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return self._path(name).exists()

    def entries(self) -> Iterator[tuple[str, int, float]]:
        with os.scandir(self.root) as found:
            for entry in found:
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # gone since the folder was listed
                    continue
                yield entry.name, stat.st_size, stat.st_mtime

    def remove_if_stale(self, name: str, saved_before: float) -> bool:
        """A file saved again since the collection listed it (``saved_before``) is left where it
        is: renamed aside, it would be missing for a moment to a request reading it. Any other is
        renamed aside (atomic) and its time read again: a ``save`` that touched it in between left
        a fresh time, and the file is put back; a ``save`` after the rename finds no file and
        writes it again. Either way the file a new row refers to stays."""
        path = self._path(name)
        aside = path.with_name(f"{path.name}.{secrets.token_hex(6)}.gc")
        try:
            if path.stat().st_mtime >= saved_before:
                return False
            os.rename(path, aside)
        except FileNotFoundError:
            return False
        if aside.stat().st_mtime >= saved_before:
            os.replace(aside, path)
            return False
        aside.unlink()
        return True


def upload_dir() -> Path:
    path = Path(current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_store() -> FileStore:
    """The configured file store; only the local one is built in (see the module docstring)."""
    return LocalFileStore(upload_dir())


PENDING_FOLDER = "pending"


def pending_store() -> LocalFileStore:
    """Photo pages waiting in a citizen's session to be made one PDF (:mod:`portal.citizen.photos`):
    no row refers to them, so they live in their own folder, which ``flask files gc`` ages with
    the session's lifetime, not with ``FILES_GC_MIN_AGE``. Created on the first save."""
    return LocalFileStore(upload_dir() / PENDING_FOLDER)


def check_upload(upload: FileStorage) -> CheckedUpload:
    """Read and check an upload without writing anything (raises :class:`UploadRejected`)."""
    limit = current_app.config["MAX_FILE_SIZE"]
    data = upload.stream.read(limit + 1)
    if not data:
        raise UploadRejected("empty")
    if len(data) > limit:
        raise UploadRejected("too_large")
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRejected("type")
    problem = inspect(
        data,
        content_type,
        max_pixels=current_app.config["MAX_IMAGE_PIXELS"],
        max_inflated=current_app.config["MAX_PDF_INFLATED_SIZE"],
    )
    if problem is not None:
        raise UploadRejected(problem)
    digest = hashlib.sha256(data).hexdigest()
    return CheckedUpload(digest, len(data), content_type, f"{digest}.{EXTENSIONS[content_type]}", data)


def save_upload(upload: CheckedUpload) -> None:
    file_store().save(upload.storage_name, upload.data)


@dataclass(frozen=True)
class Collection:
    """What a collection found: the files removed (or, dry, that would be), and their bytes."""

    removed: tuple[str, ...]
    size: int
    kept_young: int


def collect_garbage(referenced: set[str], min_age: timedelta, *, dry_run: bool = False,
                    store: FileStore | None = None) -> Collection:
    """Remove the files of the store no row refers to (``referenced``: the names rows hold)
    and last saved more than ``min_age`` ago; younger ones may belong to a request still
    running. ``dry_run``: only say what would go."""
    store = store or file_store()
    saved_before = time.time() - min_age.total_seconds()
    removed: list[str] = []
    size = young = 0
    for name, length, saved_at in sorted(store.entries()):
        if name in referenced:
            continue
        if saved_at >= saved_before:
            young += 1
        elif dry_run or store.remove_if_stale(name, saved_before):
            removed.append(name)
            size += length
    return Collection(tuple(removed), size, young)
