"""A demo PKI for signing result documents (DESIGN §6), and the signing and checking of them.

1. The demo seed calls :func:`ensure_demo_pki` with the agencies it creates: one root CA for the
   whole portal and, per agency, a signing certificate (CN = agency name, O = agency code) with
   its key, all as PEM files in one directory::

       ca.pem  ca.key.pem  agencies/<agency code>.pem  agencies/<agency code>.key.pem

   **Demo only.** The private keys are stored unencrypted and the CA is made up on the spot; a
   real agency signs with the certificate a licensed CA (Ban Cơ yếu Chính phủ for state
   bodies, Nghị định 68/2024/NĐ-CP) issued to it, with the key in a token or an HSM.
2. :func:`sign_pdf` adds a PAdES baseline signature (ETSI EN 319 142, ``ETSI.CAdES.detached``)
   with the agency's key; the signature carries the agency certificate and the CA, so anyone
   can check it with ``pdfsig`` or Acrobat and see who signed — trusting it is their choice.
   Any failure is a :class:`SigningError` and no partly signed bytes come out, so the workflow
   can leave the dossier as it was (issue 5).
3. :func:`verify_pdf` checks a signed PDF against the demo CA with pyHanko's validator.
"""
from __future__ import annotations

import io
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal.deadlines import VN_TZ
from portal.paperwork.pdf import PaperworkError

log = logging.getLogger(__name__)

CA_NAME = "Demo CA – Cổng dịch vụ công (không dùng thật)"
_CA_VALIDITY = timedelta(days=10 * 365)
_SIGNER_VALIDITY = timedelta(days=3 * 365)
# Room kept in the PDF for the signature (the CMS with two RSA-2048 certificates is ~3.5 kB).
# Giving it saves pyHanko a dry-run signature that would double the signing time.
_SIGNATURE_BYTES = 16_384
# Agency codes are file names here: letters, digits and the dots of "000.00.19.H26".
_AGENCY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class SigningError(PaperworkError):
    """A document could not be signed (no key for the agency, unreadable PDF, signer failure), or
    the demo PKI is missing. Nothing was signed; the caller leaves the dossier unchanged."""


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader of a signed result wants to know. ``is_intact``: the signed bytes are the
    ones that were signed; ``is_valid``: intact, cryptographically sound and issued under the
    demo CA. ``signer_name`` and ``signed_at`` (Vietnam time) come from the signature, ``None``
    when there is none."""

    is_valid: bool
    is_intact: bool
    signer_name: str | None
    signed_at: datetime | None


def ensure_demo_pki(directory: Path, agencies: Iterable[tuple[str, str]]) -> None:
    """Make the demo CA and a signing certificate for each ``(agency code, agency name)``,
    keeping what is already there: a certificate is only issued again when it is missing,
    expired, names another agency name, does not match its key, or was not issued by the CA in
    ``directory``. An agency code that cannot be a file name is a :class:`SigningError`."""
    directory = Path(directory)
    (directory / "agencies").mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = _ensure_ca(directory)
    now = datetime.now(UTC)
    for code, name in agencies:
        cert_path, key_path = _agency_paths(directory, code)
        existing = _read_pair(cert_path, key_path)
        if existing is not None and _is_current(existing[0], ca_cert, name, now):
            continue
        key = _new_key()
        cert = (
            _builder(_name(name, organisation=code), ca_cert.subject, key, now, _SIGNER_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=True, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False,
                    crl_sign=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        _write_key(key_path, key)
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        log.info("Demo signing certificate issued for agency %s", code)


def sign_pdf(
    pdf: bytes, directory: Path, agency_code: str, *, reason: str, location: str = "Việt Nam"
) -> bytes:
    """``pdf`` with a PAdES signature of agency ``agency_code`` (SHA-256, the CA embedded).

    Raises :class:`SigningError` on any failure.
    """
    directory = Path(directory)
    cert_path, key_path = _agency_paths(directory, agency_code)
    if not (cert_path.exists() and key_path.exists()):
        raise SigningError(f"no signing certificate for agency {agency_code!r} in {directory}")
    try:
        signer = signers.SimpleSigner.load(
            key_file=str(key_path), cert_file=str(cert_path), ca_chain_files=(str(directory / "ca.pem"),)
        )
        if signer is None:  # pyHanko logs why and returns None
            raise SigningError(f"the key or certificate of agency {agency_code!r} cannot be read")
        metadata = signers.PdfSignatureMetadata(
            field_name="Signature1",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
        )
        signed = signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer, bytes_reserved=_SIGNATURE_BYTES
        )
        return signed.getvalue()
    except SigningError:
        raise
    except Exception as error:
        log.exception("Signing for agency %s failed", agency_code)
        raise SigningError(f"the document could not be signed for agency {agency_code!r}: {error}") from error


def verify_pdf(pdf: bytes, directory: Path) -> SignatureCheck:
    """Check the signatures of ``pdf`` with the demo CA of ``directory`` as the only trust root.

    A PDF that cannot be read, or has no signature, is neither valid nor intact. With several
    signatures, all must hold; the first one names the signer. Raises :class:`SigningError` only
    when the demo CA is missing.
    """
    ca_path = Path(directory) / "ca.pem"
    try:
        root = load_cert_from_pemder(str(ca_path))
    except (OSError, ValueError) as error:
        raise SigningError(f"the demo CA cannot be read from {ca_path}: {error}") from error
    try:
        embedded = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        statuses = [
            validate_pdf_signature(signature, ValidationContext(trust_roots=[root])) for signature in embedded
        ]
    except Exception:
        log.info("A PDF could not be checked", exc_info=True)
        return SignatureCheck(is_valid=False, is_intact=False, signer_name=None, signed_at=None)
    if not statuses:
        return SignatureCheck(is_valid=False, is_intact=False, signer_name=None, signed_at=None)
    first = statuses[0]
    signed_at = first.signer_reported_dt
    return SignatureCheck(
        is_valid=all(status.bottom_line for status in statuses),
        is_intact=all(status.intact for status in statuses),
        signer_name=first.signing_cert.subject.native.get("common_name"),
        signed_at=signed_at.astimezone(VN_TZ) if signed_at else None,
    )


def _ensure_ca(directory: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    cert_path, key_path = directory / "ca.pem", directory / "ca.key.pem"
    now = datetime.now(UTC)
    existing = _read_pair(cert_path, key_path)
    if existing is not None and existing[0].not_valid_after_utc > now:
        return existing
    key = _new_key()
    subject = _name(CA_NAME, organisation="Cổng dịch vụ công (demo)")
    cert = (
        _builder(subject, subject, key, now, _CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    log.info("Demo CA created in %s", directory)
    return cert, key


def _is_current(cert: x509.Certificate, ca_cert: x509.Certificate, name: str, now: datetime) -> bool:
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return bool(common_names) and common_names[0].value == name and cert.not_valid_after_utc > now


def _agency_paths(directory: Path, code: str) -> tuple[Path, Path]:
    if not _AGENCY_CODE.fullmatch(code):
        raise SigningError(f"{code!r} is not an agency code")
    return directory / "agencies" / f"{code}.pem", directory / "agencies" / f"{code}.key.pem"


def _name(common_name: str, *, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey, now: datetime, validity: timedelta
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + validity)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _read_pair(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey] | None:
    """The certificate and its key, or ``None`` if either is missing, unreadable, or they do not
    belong together (a run stopped between writing the two)."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, rsa.RSAPrivateKey) or key.public_key() != cert.public_key():
        return None
    return cert, key


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write(path, pem, mode=0o600)


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
