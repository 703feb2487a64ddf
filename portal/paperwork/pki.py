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
4. Long-term validation (issue 18): the demo CA publishes a CRL (``ca.crl``, renewed when it
   runs out) and :func:`sign_pdf` embeds the chain and that CRL in the PDF (pyHanko's
   ``embed_validation_info``), so the signature can still be checked when the CA is gone. When
   ``visible_box`` is given the signature gets a visible stamp there (who signed, when).
   :func:`ensure_nss_db` prepares an NSS database (``nssdb/``) trusting the demo CA, so that
   ``pdfsig -nssdir <pki>/nssdb result.pdf`` reports a valid signature by a trusted issuer.
"""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
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
from pyhanko.stamp import TextStampStyle
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
_SIGNATURE_BYTES = 32_768
_CRL_VALIDITY = timedelta(days=30)
CRL_FILE = "ca.crl"
NSS_DIR = "nssdb"
NSS_CA_NICKNAME = "Demo CA - Cong dich vu cong"
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
            .add_extension(_crl_distribution_point(), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        _write_key(key_path, key)
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        log.info("Demo signing certificate issued for agency %s", code)
    _ensure_crl(directory, ca_cert, ca_key)


def sign_pdf(
    pdf: bytes,
    directory: Path,
    agency_code: str,
    *,
    reason: str,
    location: str = "Việt Nam",
    visible_box: tuple[int, tuple[float, float, float, float]] | None = None,
) -> bytes:
    """``pdf`` with a PAdES signature of agency ``agency_code`` (SHA-256, the chain and the demo
    CA's CRL embedded for long-term validation). ``visible_box``: ``(page index, (x1, y1, x2,
    y2))`` in PDF points of the visible signature: the page itself draws the stamp there (who
    signs, when, in Vietnamese with the document's font), the widget makes it the signature a
    reader clicks on.

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
            embed_validation_info=True,
            validation_context=_validation_context(directory),
        )
        spec, style = None, None
        if visible_box is not None:
            spec = fields.SigFieldSpec("Signature1", on_page=visible_box[0], box=visible_box[1])
            style = TextStampStyle(stamp_text="", border_width=0, background=None)
        pdf_signer = signers.PdfSigner(metadata, signer=signer, new_field_spec=spec, stamp_style=style)
        signed = pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=_SIGNATURE_BYTES
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
            validate_pdf_signature(
                signature,
                ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"),
            )
            for signature in embedded
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


def ensure_nss_db(directory: Path) -> Path | None:
    """An NSS database ``<directory>/nssdb`` that trusts the demo CA (for ``pdfsig -nssdir``),
    made again from ``ca.pem`` each time; ``None`` when ``certutil`` (Debian's
    ``libnss3-tools``) is not installed. Raises :class:`SigningError` when certutil fails."""
    certutil = shutil.which("certutil")
    if certutil is None:
        log.warning("certutil is not installed: no NSS database trusting the demo CA")
        return None
    directory = Path(directory)
    target = directory / NSS_DIR
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    database = f"sql:{target}"
    try:
        subprocess.run([certutil, "-N", "-d", database, "--empty-password"], check=True, capture_output=True, timeout=60)
        subprocess.run(
            [certutil, "-A", "-d", database, "-n", NSS_CA_NICKNAME, "-t", "CT,C,C", "-i", str(directory / "ca.pem")],
            check=True, capture_output=True, timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise SigningError(f"the NSS database for the demo CA could not be made: {error}") from error
    return target


def _crl_distribution_point() -> x509.CRLDistributionPoints:
    # Demo only: nothing is served there; the CRL travels inside each signed PDF.
    uri = "http://ca.dichvucong.example.gov.vn/demo-ca.crl"
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(uri)], relative_name=None,
                                reasons=None, crl_issuer=None)]
    )


def _ensure_crl(directory: Path, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey) -> bytes:
    """The demo CA's (empty) CRL in DER, issued again when missing or out of date."""
    path = directory / CRL_FILE
    now = datetime.now(UTC)
    try:
        crl = x509.load_der_x509_crl(path.read_bytes())
        if crl.next_update_utc and crl.next_update_utc > now + timedelta(days=1) and crl.is_signature_valid(
            ca_cert.public_key()
        ):
            return path.read_bytes()
    except (OSError, ValueError):
        pass
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + _CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    data = crl.public_bytes(serialization.Encoding.DER)
    _write(path, data)
    return data


def _validation_context(directory: Path) -> ValidationContext:
    """The demo CA as trust root and its current CRL, fetched from nowhere else."""
    pair = _read_pair(directory / "ca.pem", directory / "ca.key.pem")
    if pair is None:
        raise SigningError(f"the demo CA in {directory} cannot be read")
    crl = _ensure_crl(directory, *pair)
    root = load_cert_from_pemder(str(directory / "ca.pem"))
    return ValidationContext(trust_roots=[root], crls=[crl], allow_fetching=False, revocation_mode="hard-fail")


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
    try:
        cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return False  # issued before the CRL (issue 18): issue again, so it can be checked
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
