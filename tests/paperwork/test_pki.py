"""Signing result documents with the demo PKI, and checking them as a reader would."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from flask import Flask

from portal.deadlines import VN_TZ
from portal.paperwork import (
    CA_NAME,
    PaperworkError,
    SignatureCheck,
    SigningError,
    ensure_demo_pki,
    render_result,
    sign_pdf,
    verify_pdf,
)
from tests.paperwork.test_result import result_document

AGENCY = ("000.09.27.H26", "Công an phường Ba Đình")
OTHER_AGENCY = ("000.00.19.H26", "Sở Tư pháp Thành phố Hà Nội")
REASON = "Thông báo kết quả đăng ký thường trú"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki")
    ensure_demo_pki(directory, [AGENCY, OTHER_AGENCY])
    return directory


@pytest.fixture(scope="module")
def unsigned(app: Flask) -> bytes:
    with app.app_context():
        return render_result(result_document())


@pytest.fixture(scope="module")
def signed(unsigned: bytes, pki: Path) -> bytes:
    return sign_pdf(unsigned, pki, AGENCY[0], reason=REASON)


def files_of(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*.pem"))}


def signed_range(pdf: bytes) -> tuple[int, int]:
    """Start and length of the first signed byte range (everything before the signature)."""
    start, length, _, _ = map(int, re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", pdf).groups())
    return start, length


def run_pdfsig(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def test_a_signed_result_verifies_with_the_agency_as_signer(signed, pki):
    check = verify_pdf(signed, pki)
    assert check.is_valid and check.is_intact
    assert check.signer_name == "Công an phường Ba Đình"
    assert check.signed_at.tzinfo is not None and check.signed_at.utcoffset() == timedelta(hours=7)
    assert abs(datetime.now(VN_TZ) - check.signed_at) < timedelta(minutes=5)


def test_signing_keeps_the_document_and_appends_the_signature(unsigned, signed):
    assert signed.startswith(unsigned)
    assert b"/ETSI.CAdES.detached" in signed


def test_one_changed_byte_in_the_signed_content_breaks_the_signature(signed, pki):
    start, length = signed_range(signed)
    position = signed.index(b"stream", start) + 40
    assert position < start + length
    tampered = bytearray(signed)
    tampered[position] ^= 0x01
    check = verify_pdf(bytes(tampered), pki)
    assert not check.is_intact and not check.is_valid


def test_a_signature_under_another_ca_is_intact_but_not_valid(signed, tmp_path):
    ensure_demo_pki(tmp_path, [AGENCY])
    check = verify_pdf(signed, tmp_path)
    assert check.is_intact and not check.is_valid


def test_an_unsigned_pdf_is_neither_valid_nor_intact(unsigned, pki):
    nothing = SignatureCheck(is_valid=False, is_intact=False, signer_name=None, signed_at=None)
    assert verify_pdf(unsigned, pki) == nothing


def test_pdfsig_reads_a_valid_pades_signature(signed, tmp_path):
    report = run_pdfsig(signed, tmp_path)
    assert "Signature #1:" in report
    assert "Signer Certificate Common Name: Công an phường Ba Đình" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Signing Hash Algorithm: SHA-256" in report
    # The validation data (chain, CRL: PAdES B-LT, issue 18) is appended after the signature,
    # in the document security store, so the signature covers all but that last update.
    assert "Not total document signed" in report
    assert "Signature Validation: Signature is Valid." in report


def test_pdfsig_sees_a_tampered_document(signed, tmp_path):
    start, _ = signed_range(signed)
    position = signed.index(b"stream", start) + 40
    tampered = bytearray(signed)
    tampered[position] ^= 0x01
    report = run_pdfsig(bytes(tampered), tmp_path)
    assert "Signature #1:" in report
    assert "Signature is Valid." not in report


@pytest.mark.parametrize("code", ["000.99.99.H99", "../ca", "", "agencies/../ca"])
def test_signing_for_an_agency_without_a_certificate_is_a_signing_error(unsigned, pki, code):
    with pytest.raises(SigningError):
        sign_pdf(unsigned, pki, code, reason=REASON)


def test_signing_something_that_is_not_a_pdf_is_a_signing_error(pki):
    with pytest.raises(SigningError) as raised:
        sign_pdf(b"not a pdf at all", pki, AGENCY[0], reason=REASON)
    assert isinstance(raised.value, PaperworkError)


def test_signing_with_a_damaged_key_is_a_signing_error(unsigned, pki, tmp_path):
    shutil.copytree(pki, tmp_path / "pki")
    (tmp_path / "pki" / "agencies" / f"{AGENCY[0]}.key.pem").write_text("-----BEGIN PRIVATE KEY-----\nbroken\n")
    with pytest.raises(SigningError):
        sign_pdf(unsigned, tmp_path / "pki", AGENCY[0], reason=REASON)


def test_verifying_without_the_demo_ca_is_a_signing_error(signed, tmp_path):
    with pytest.raises(SigningError):
        verify_pdf(signed, tmp_path)


def test_agency_certificate_names_the_agency_and_may_only_sign(pki):
    cert = x509.load_pem_x509_certificate((pki / "agencies" / f"{AGENCY[0]}.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == AGENCY[1]
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == AGENCY[0]
    assert cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == CA_NAME
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_cert_sign
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_private_keys_are_readable_by_their_owner_only(pki):
    for key in [pki / "ca.key.pem", *(pki / "agencies").glob("*.key.pem")]:
        assert key.stat().st_mode & 0o077 == 0, key


def test_ensure_demo_pki_twice_keeps_the_same_certificates_and_keys(tmp_path):
    ensure_demo_pki(tmp_path, [AGENCY])
    before = files_of(tmp_path)
    ensure_demo_pki(tmp_path, [AGENCY])
    assert files_of(tmp_path) == before
    assert set(before) == {"ca.pem", "ca.key.pem", f"agencies/{AGENCY[0]}.pem", f"agencies/{AGENCY[0]}.key.pem"}


def test_a_new_agency_gets_a_certificate_and_the_others_keep_theirs(tmp_path):
    ensure_demo_pki(tmp_path, [AGENCY])
    before = files_of(tmp_path)
    ensure_demo_pki(tmp_path, [AGENCY, OTHER_AGENCY])
    after = files_of(tmp_path)
    assert {name: after[name] for name in before} == before
    assert f"agencies/{OTHER_AGENCY[0]}.pem" in after


def test_a_renamed_agency_or_a_lost_key_gets_a_new_certificate(tmp_path):
    ensure_demo_pki(tmp_path, [AGENCY])
    cert_path = tmp_path / "agencies" / f"{AGENCY[0]}.pem"
    first = cert_path.read_bytes()
    ensure_demo_pki(tmp_path, [(AGENCY[0], "Công an phường Ba Đình (mới)")])
    renamed = cert_path.read_bytes()
    assert renamed != first
    (tmp_path / "agencies" / f"{AGENCY[0]}.key.pem").unlink()
    ensure_demo_pki(tmp_path, [(AGENCY[0], "Công an phường Ba Đình (mới)")])
    assert cert_path.read_bytes() != renamed
    assert (tmp_path / "agencies" / f"{AGENCY[0]}.key.pem").exists()
