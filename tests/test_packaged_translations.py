"""Any install speaks Vietnamese: the catalogs are compiled at start-up when ``make translations``
was never run (the README's gunicorn recipe on a fresh machine: a checkout, ``pip install``,
gunicorn), from the ``.po`` sources the package carries."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from portal.i18n import compile_catalogs

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter from a copy of the code: what a page says in the default language,
# and in English after the language switch.
PAGES = r"""
import sys
from portal import create_app

app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "REGISTRY_DATABASE_URL": "sqlite://"})
client = app.test_client()
print(client.get("/login/officer").get_data(as_text=True))
print("=" * 20)
client.post("/language", data={"lang": "en", "next": "/"})
print(client.post("/login/officer", data={}).get_data(as_text=True))
"""


def _copy_without_catalogs(target: Path) -> Path:
    for name in ("portal", "templates", "static"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    shutil.copy(ROOT / "config.py", target / "config.py")
    assert not list((target / "portal" / "translations").rglob("*.mo"))
    return target


def test_a_checkout_without_compiled_catalogs_serves_vietnamese(tmp_path):
    code = _copy_without_catalogs(tmp_path / "code")
    instance = tmp_path / "code" / "instance"
    result = subprocess.run(
        [sys.executable, "-c", PAGES], cwd=code, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(code), "PORTAL_ENV": "testing"},
    )
    assert result.returncode == 0, result.stderr
    vietnamese, english = result.stdout.split("=" * 20)
    assert '<html lang="vi">' in vietnamese
    assert "Đăng nhập cán bộ" in vietnamese and "Tên đăng nhập" in vietnamese
    assert "Officer sign-in" not in vietnamese
    assert '<html lang="en">' in english and "There is a problem" in english and "Enter your username." in english
    # Compiled next to the instance data, never into the package.
    assert (instance / "translations" / "vi" / "LC_MESSAGES" / "messages.mo").exists()
    assert not list((code / "portal" / "translations").rglob("*.mo"))


def test_a_catalog_older_than_its_source_is_compiled_again(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "portal" / "translations", source, ignore=shutil.ignore_patterns("*.mo"))
    target = tmp_path / "compiled"
    compile_catalogs(source, target)
    mo = target / "vi" / "LC_MESSAGES" / "messages.mo"
    first = mo.read_bytes()
    po = source / "vi" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "Đăng nhập cán bộ"' in text
    po.write_text(text.replace('msgstr "Đăng nhập cán bộ"', 'msgstr "Cán bộ đăng nhập"', 1), encoding="utf-8")
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    compile_catalogs(source, target)
    assert mo.read_bytes() != first and "Cán bộ đăng nhập".encode() in mo.read_bytes()

