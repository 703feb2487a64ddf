"""Reading a generated PDF back as its reader would: pages, sizes and text."""
from __future__ import annotations

import io

import pypdf

A4_POINTS = (595.28, 841.89)
TRACKING_URL_BASE = "https://dichvucong.example.gov.vn/track?code="


def pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes) -> str:
    """The PDF's text with runs of whitespace as single spaces (lines wrap where they fit, and
    after the hyphen of a compound such as "one-stop-shop")."""
    return " ".join(" ".join(page.extract_text() for page in pages(pdf)).replace("-\n", "-").split())


def page_size(page: pypdf.PageObject) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)
