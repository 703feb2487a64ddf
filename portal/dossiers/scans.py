"""Phone photos of one paper become one PDF (issue 17).

A citizen photographs a paper page by page, on an iPhone in HEIC/HEIF, elsewhere in JPEG or
PNG. The pages are

1. checked as uploads are (:func:`portal.dossiers.storage.check_upload` for JPEG and PNG: the
   same polyglot, bomb and damage checks; a HEIC/HEIF is recognised by its ``ftyp`` brand, its
   size and pixel count are checked, and re-encoding keeps nothing but the picture);
2. turned upright from their EXIF orientation, scaled so the longer side is at most
   :data:`MAX_SIDE` pixels (about 200 dpi on A4) and saved as JPEG without metadata
   (:func:`normalise_photo`), kept in the file store under their hash;
3. shown to the citizen, who puts them in order or removes some, then combined, one page per
   photo in that order, into one PDF with img2pdf (:func:`combine_pages`), which is then
   attached like any upload — and checked again as one.
"""
from __future__ import annotations

import base64
import hashlib
import io

import img2pdf
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener
from werkzeug.datastructures import FileStorage

from portal.dossiers.storage import UploadRejected, check_upload, pending_store, sniff

register_heif_opener()

MAX_SIDE = 2000
THUMBNAIL_SIDE = 160
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


def is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


def is_photo(upload: FileStorage) -> bool:
    """Whether an upload is a picture (JPEG, PNG, HEIC/HEIF), by its first bytes."""
    head = upload.stream.read(16)
    upload.stream.seek(0)
    return is_heif(head) or sniff(head) in ("image/jpeg", "image/png")


def _read_checked(upload: FileStorage) -> bytes:
    head = upload.stream.read(16)
    upload.stream.seek(0)
    if not is_heif(head):
        return check_upload(upload).data  # JPEG, PNG: every check an upload has (raises UploadRejected)
    limit = current_app.config["MAX_FILE_SIZE"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected("too_large")
    return data


def normalise_photo(upload: FileStorage) -> bytes:
    """The photo upright, at most :data:`MAX_SIDE` pixels on its longer side, as a JPEG
    without metadata. Raises :class:`UploadRejected` (type, too_large, bomb, damaged, …)."""
    data = _read_checked(upload)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > current_app.config["MAX_IMAGE_PIXELS"]:
                raise UploadRejected("bomb")
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGB")
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue()
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise UploadRejected("damaged") from error


def store_page(page: bytes) -> str:
    """Keep a normalised page in the store of pending pages; its name there (collected once
    older than a session lasts, :func:`portal.dossiers.storage.pending_store`)."""
    name = f"{hashlib.sha256(page).hexdigest()}.jpg"
    pending_store().save(name, page)
    return name


def read_page(name: str) -> bytes | None:
    return pending_store().read(name)


def thumbnail_uri(page: bytes) -> str:
    """A small preview of a page as a ``data:`` URI (the pages are not served on their own)."""
    with Image.open(io.BytesIO(page)) as image:
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def combine_pages(pages: list[bytes]) -> bytes:
    """One PDF, one page per photo, in the order given."""
    if not pages:
        raise ValueError("no pages")
    return img2pdf.convert(pages)
