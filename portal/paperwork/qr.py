"""QR codes printed on slips, pointing at the public tracking page of the dossier."""
from __future__ import annotations

import segno


def qr_svg_data_uri(url: str) -> str:
    """An SVG QR code of ``url`` as a ``data:`` URI, to embed in a slip's ``<img>``.

    Error correction M (15 %) survives a creased or stamped paper slip; the 4-module quiet zone
    is the one the QR standard asks for, so phone cameras find the code next to printed text.
    SVG keeps it sharp at any print size.
    """
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=1, border=4)
