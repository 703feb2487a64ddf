"""Uploaded files: checked by content, stored outside the web root under a name we choose.

1. The first bytes decide the type (PDF, JPEG or PNG); the file name and the browser's claimed
   type are ignored.
2. The whole content is then inspected (:mod:`portal.dossiers.inspection`): a file that is also
   something else (a polyglot), opens into a decompression bomb or, for a PDF, carries scripts
   or embedded files is refused.
3. Files are stored by their SHA-256 — never under a user's name — in the file store.

The file store is an interface (:class:`FileStore`: save, read, exists, by name) so app
processes on several machines can share one: :class:`LocalFileStore` keeps files in a folder
(``UPLOAD_DIR``, default ``instance/uploads/``; a shared mount when there are several machines).
An S3-compatible object store would be a second class with the same three methods (``put_object``,
``get_object``, ``head_object`` on a bucket), chosen in :func:`file_store` by configuration.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
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
    inspection hidden, bomb, active, damaged)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    storage_name: str


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


class FileStore(Protocol):
    def save(self, name: str, data: bytes) -> None:
        """Store ``data`` under ``name`` whole or not at all; a name already there is kept
        (names are content hashes, so it holds the same bytes)."""

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""

    def exists(self, name: str) -> bool: ...


class LocalFileStore:
    """Files in one folder of the local disk (or of a mount shared by several machines)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        return self.root / Path(name).name  # a name never leads out of the folder

    def save(self, name: str, data: bytes) -> None:
        target = self._path(name)
        if target.exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a crash never leaves half a file under the real name

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, name: str) -> bool:
        return self._path(name).exists()


def upload_dir() -> Path:
    path = Path(current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_store() -> FileStore:
    """The configured file store; only the local one is built in (see the module docstring)."""
    return LocalFileStore(upload_dir())


def store_upload(upload: FileStorage) -> StoredFile:
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
    name = f"{digest}.{EXTENSIONS[content_type]}"
    file_store().save(name, data)
    return StoredFile(digest, len(data), content_type, name)
