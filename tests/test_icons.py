"""The icons a browser asks for: at the root of the site whatever the page says, and the ones
every page links to; none of them is a 404 (a console error on every page)."""
from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image


@pytest.mark.parametrize(("path", "sizes"), [
    ("/favicon.ico", {(16, 16), (32, 32), (48, 48)}),
    ("/apple-touch-icon.png", {(180, 180)}),
    ("/apple-touch-icon-precomposed.png", {(180, 180)}),
])
def test_the_root_icons_browsers_ask_for(client, path, sizes):
    with client.get(path) as response:  # a file: closed after reading
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=604800"
        image = Image.open(io.BytesIO(response.data))
    assert (image.ico.sizes() if image.format == "ICO" else {image.size}) == sizes


def test_every_page_links_icons_that_exist(client):
    page = client.get("/").get_data(as_text=True)
    links = dict(re.findall(r'<link rel="(icon|apple-touch-icon|manifest)" href="([^"]+)"', page))
    assert set(links) == {"icon", "apple-touch-icon", "manifest"}
    hrefs = re.findall(r'<link rel="(?:icon|apple-touch-icon|manifest)" href="([^"]+)"', page)
    assert len(hrefs) == 4  # the .ico and the SVG
    for href in hrefs:
        with client.get(href) as response:
            assert response.status_code == 200, href
    with client.get(links["manifest"]) as manifest:
        assert manifest.content_type == "application/manifest+json"
        icons = json.loads(manifest.data)["icons"]
    assert {icon["sizes"] for icon in icons} >= {"192x192", "512x512"}
    for icon in icons:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200, icon["src"]
            if icon["type"] == "image/png":
                assert "%dx%d" % Image.open(io.BytesIO(response.data)).size == icon["sizes"]
