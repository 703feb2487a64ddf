"""A signed result is valid for anyone's tools, and anyone can check it on /verify (issue 18)."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pypdf
import pytest

from portal.paperwork import NSS_DIR
from portal.workflow.results import pki_dir
from tests.paperwork.pdf_text import text_of
from tests.results.helpers import approve, dossier_of


@pytest.fixture()
def issued(app, make_dossier):
    code = make_dossier("1.004194")
    _, pdf = approve(app, code, "1.004194")
    return code, pdf, dossier_of(app, code).result_token


def test_pdfsig_with_the_documented_trust_store_says_valid_and_trusted(app, issued, tmp_path):
    if shutil.which("pdfsig") is None or shutil.which("certutil") is None:
        pytest.skip("pdfsig (poppler-utils) or certutil (libnss3-tools) is not installed")
    _, pdf, _ = issued
    with app.app_context():
        nssdb = pki_dir() / NSS_DIR
    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    report = subprocess.run(["pdfsig", "-nssdir", str(nssdb), str(path)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Signature Type: ETSI.CAdES.detached" in report


def test_the_pdf_is_archival_carries_its_validation_data_and_a_visible_signature(issued):
    _, pdf, _ = issued
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    # PDF/A-3b: the XMP metadata declares it, the sRGB output intent is there.
    assert b"pdfaid:part" in root["/Metadata"].get_object().get_data() and "/OutputIntents" in root
    # Long-term validation: the chain and the CA's revocation list travel with the document.
    dss = root["/DSS"].get_object()
    assert len(dss["/Certs"]) >= 2 and len(dss["/CRLs"]) >= 1
    widgets = [a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    assert widgets, "no signature widget"
    x1, y1, x2, y2 = (float(v) for v in widgets[0]["/Rect"])
    assert x2 - x1 > 50 and y2 - y1 > 15  # visible, where the page draws the stamp


def _verdict(html: str, attribute: str) -> str:
    return re.search(rf'{attribute}="([\w-]+)"', html).group(1)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_verify_page_says_genuine_for_the_issued_pdf_and_not_for_one_changed_byte(app, issued, lang):
    code, pdf, token = issued
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["lang"] = lang
    page = visitor.get(f"/verify/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert _verdict(html, "data-verdict") == "genuine"
    assert code in html
    dossier = dossier_of(app, code)
    assert dossier.applicant_name not in html and dossier.applicant_personal_id not in html  # masked only
    assert dossier.applicant_name.split()[0] in html

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def upload(content: bytes) -> str:
        response = visitor.post(
            f"/verify/{token}", data={"csrf_token": csrf, "file": (io.BytesIO(content), "ket-qua.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        return response.get_data(as_text=True)

    answer = upload(pdf)
    assert _verdict(answer, "data-upload-verdict") == "genuine"
    if lang == "en":
        assert "Genuine: the file is exactly the document issued" in answer
    for at in (len(pdf) // 3, len(pdf) - 10):  # in the signed content; in the appended validation data
        changed = bytearray(pdf)
        changed[at] ^= 0x01
        answer = upload(bytes(changed))
        assert _verdict(answer, "data-upload-verdict") == "not-genuine"
        if lang == "en":
            assert "Not genuine" in answer


def test_verify_page_for_an_unknown_or_malformed_code(app):
    visitor = app.test_client()
    assert visitor.get("/verify/abcdefghjk").status_code == 404
    assert visitor.get("/verify?token=not-a-code!").status_code == 400
    assert visitor.get("/verify").status_code == 200


def test_the_postal_copy_is_the_same_document_with_the_same_verification_address(app, make_dossier):
    code = make_dossier("1.004194", delivery="post")
    officers, pdf = approve(app, code, "1.004194")
    assert officers["intake"].act(code, "ship").status_code == 302
    page = officers["intake"].page(code)
    assert "same verification address" in page or "cùng địa chỉ kiểm tra" in page
    printed = officers["intake"].client.get(f"/officer/dossiers/{code}/result.pdf").data
    token = dossier_of(app, code).result_token
    assert printed == pdf and f"/verify/{token}" in text_of(printed)
