"""Uploaded files: checked by content, stored outside the web root under a name we choose.

1. The first bytes decide the type (PDF, JPEG or PNG); the file name and the browser's claimed
   type are ignored.
2. Files are stored by their SHA-256 under ``instance/uploads/`` — never under a user's name.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class UploadRejected(ValueError):
    """The file cannot be accepted; ``code`` says why (type, size, empty)."""

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


def upload_dir() -> Path:
    path = Path(current_app.config.get("UPLOAD_DIR") or os.path.join(current_app.instance_path, "uploads"))
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    digest = hashlib.sha256(data).hexdigest()
    name = f"{digest}.{EXTENSIONS[content_type]}"
    target = upload_dir() / name
    if not target.exists():
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a crash never leaves half a file under the real name
    return StoredFile(digest, len(data), content_type, name)


def stored_path(storage_name: str) -> Path:
    return upload_dir() / Path(storage_name).name
