"""What is inside an upload that claims, by its first bytes, to be a PDF, a JPEG or a PNG.

A file can start like a document and be something else as well (a *polyglot*: a PDF that is
also a web page, a picture with a ZIP archive or a script appended), or open into far more
data than it weighs (a *decompression bomb*). Plain functions on bytes, no Flask:

1. The file must end where its format says it ends: ``%%EOF`` for a PDF, the EOI marker for a
   JPEG, the IEND chunk for a PNG; anything after it (but padding) is refused as ``hidden``.
2. Markup, scripts, archives and programs are refused wherever they hide (``hidden``): long
   signatures (``<script``, ``<?php``, a RAR or 7-Zip header, a Windows program…) anywhere in
   the file, short ones only where a document keeps text (the PDF's objects, a picture's
   metadata), so compressed picture data cannot trigger them by chance; a ZIP archive's
   directory near the end of the file, where every ZIP reader looks for it.
3. A picture may not have more pixels than ``max_pixels`` (``bomb``); the compressed streams of
   a PDF are inflated, a chunk at a time and never kept, up to ``max_inflated`` bytes (``bomb``).
4. A PDF may not carry scripts, launch actions, embedded files or rich media (``active``).
5. A file whose structure cannot be followed is ``damaged``.
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

PADDING = b"\x00\t\n\r\x0c "
# Safe to look for anywhere: long enough that compressed data never contains them by chance.
# Markup in any letter case; archives (RAR, 7-Zip) and Windows programs as they are.
MARKUP = (b"<script", b"<iframe", b"<!doctype", b"<html", b"<?php", b"javascript:")
BINARY = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"This program cannot be run in DOS mode")
# Looked for only in the parts of a document that hold text.
SHORT_SIGNATURES = re.compile(rb"(?i)<\s*(?:svg|body|object|embed|form|meta)[\s>/]|PK\x03\x04")
ZIP_DIRECTORY_END = b"PK\x05\x06"
ZIP_TAIL = 22 + 65_535  # the end-of-directory record and its longest comment
PDF_ACTIVE_NAMES = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![^\s()<>\[\]{}/%])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n")
INFLATE_CHUNK = 1 << 20
# Object streams hold a document's objects, not its pictures: a few megabytes at most.
MAX_OBJECT_STREAMS = 16 << 20
# JPEG start-of-frame markers (they carry the picture's size); C4, C8 and CC are not frames.
JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


class _Damaged(ValueError):
    pass


def inspect(data: bytes, content_type: str, *, max_pixels: int, max_inflated: int) -> str | None:
    """Why ``data`` cannot be accepted as ``content_type`` (``hidden``, ``bomb``, ``active`` or
    ``damaged``), or None when it is a plain document."""
    if _has_long_signature(data) or ZIP_DIRECTORY_END in data[-ZIP_TAIL:]:
        return "hidden"
    try:
        if content_type == "application/pdf":
            return _inspect_pdf(data, max_inflated)
        text, pixels, end = _png(data) if content_type == "image/png" else _jpeg(data)
    except _Damaged:
        return "damaged"
    if data[end:].strip(PADDING) or SHORT_SIGNATURES.search(text):
        return "hidden"
    if pixels > max_pixels:
        return "bomb"
    return None


def _has_long_signature(data: bytes) -> bool:
    # Substring search, not a regular expression: ten megabytes take milliseconds, not a second.
    lowered = data.lower()
    return any(mark in lowered for mark in MARKUP) or any(mark in data for mark in BINARY)


# --- PDF -------------------------------------------------------------------------------------

def _inspect_pdf(data: bytes, max_inflated: int) -> str | None:
    if not data.rstrip(PADDING).endswith(b"%%EOF"):
        return "damaged"
    objects: list[bytes] = []
    inflated = kept = 0
    for dictionary, body in _streams(data, objects):
        if b"/FlateDecode" not in dictionary:
            continue
        keep = b"/ObjStm" in dictionary  # objects packed into a compressed stream
        for chunk in _inflate(body):
            inflated += len(chunk)
            kept += len(chunk) if keep else 0
            if inflated > max_inflated or kept > MAX_OBJECT_STREAMS:
                return "bomb"
            if keep:
                objects.append(chunk)
    text = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), b"".join(objects))
    if PDF_ACTIVE_NAMES.search(text):
        return "active"
    if SHORT_SIGNATURES.search(text):
        return "hidden"
    return None


def _streams(data: bytes, outside: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """(dictionary, body) of each stream; what lies outside the bodies goes to ``outside``."""
    position = 0
    for match in PDF_STREAM.finditer(data):
        if match.start() < position:
            continue  # the word inside a body already skipped
        start = match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        head = data[position:match.start()]
        outside.append(head)
        dictionary = head[head.rfind(b"obj") + 3:] if b"obj" in head else head[-2048:]
        yield dictionary, data[start:end]
        position = end
    outside.append(data[position:])


def _inflate(body: bytes) -> Iterator[bytes]:
    """A Flate stream's content a megabyte at a time; a broken stream ends where it breaks."""
    inflater = zlib.decompressobj()
    pending = body
    while pending and not inflater.eof:
        try:
            chunk = inflater.decompress(pending, INFLATE_CHUNK)
        except zlib.error:
            return
        if not chunk and pending == inflater.unconsumed_tail:
            return
        yield chunk
        pending = inflater.unconsumed_tail


# --- pictures --------------------------------------------------------------------------------

def _png(data: bytes) -> tuple[bytes, int, int]:
    """(text of the ancillary chunks, pixels, end of the IEND chunk)."""
    position, pixels, text = 8, 0, []
    while True:
        if position + 8 > len(data):
            raise _Damaged("no IEND chunk")
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if len(body) < length:
            raise _Damaged("truncated chunk")
        position += 12 + length
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            pixels = width * height
        elif kind == b"IEND":
            break
        elif kind != b"IDAT":
            text.append(body)
    if pixels == 0:
        raise _Damaged("no IHDR chunk")
    return b"".join(text), pixels, position


def _jpeg(data: bytes) -> tuple[bytes, int, int]:
    """(metadata segments, pixels, end of the EOI marker)."""
    position, pixels, text = 2, 0, []
    size = len(data)
    while True:
        if position + 2 > size or data[position] != 0xFF:
            raise _Damaged("no marker where one must be")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        position += 2
        if marker == 0xD9:
            break
        if marker in JPEG_STANDALONE:
            continue
        length = int.from_bytes(data[position:position + 2], "big")
        segment = data[position + 2:position + length]
        if length < 2 or len(segment) < length - 2:
            raise _Damaged("truncated segment")
        position += length
        if marker in JPEG_FRAMES and len(segment) >= 5:
            pixels = int.from_bytes(segment[1:3], "big") * int.from_bytes(segment[3:5], "big")
        elif 0xE0 <= marker <= 0xEF or marker == 0xFE:  # application data, comment
            text.append(segment)
        if marker == 0xDA:
            position = _end_of_scan(data, position)
    if pixels == 0:
        raise _Damaged("no frame header")
    return b"".join(text), pixels, position


def _end_of_scan(data: bytes, position: int) -> int:
    """Where the entropy-coded data after a start-of-scan ends: the next real marker
    (``FF 00`` is an escaped data byte, ``FF D0``–``FF D7`` restart markers stay inside)."""
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            raise _Damaged("scan without an end")
        following = data[found + 1]
        if following == 0x00 or following == 0xFF or 0xD0 <= following <= 0xD7:
            position = found + 1
            continue
        return found
