"""Signing an issue's PDF with the bulletin key, and telling genuine from forged.

The signature is a standard PDF signature (ISO 32000-2 §12.8, PKCS#7/CMS detached,
pyHanko) appended as an incremental update, so any PDF reader can show it and the
signature does not cover itself. pyHanko would also write a document information
dictionary and XMP metadata (producer, modification date): `_QuietWriter` does not.
The signing time is the caller's (`at`; the faces pass the issue's day), so signing the
same file again with the same key gives the same bytes (Ed25519 is deterministic).

`verify` answers one of three things (`Verdict`):

- **genuine**: one signature, by a trusted key, intact, covering the whole file (nothing
  appended after it: no page added or removed by a later update), and the back page's QR
  carries the same claim as the file, signed by the same key;
- **altered**: anything in the file does not match its signature, or the file cannot be
  read as a signed bulletin at all;
- **unknown issuer**: the file is intact but signed by a key the reader does not trust,
  or not signed at all. A forger who re-signs altered text with their own key lands here.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import io
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

import zxingcpp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from hasteh.publish.claim import Claim, ClaimRefused, read_claim
from hasteh.publish.keys import BulletinKey, fingerprint_of, is_trusted

__all__ = ["MAX_PDF_BYTES", "Outcome", "Verdict", "sign", "verify"]

MAX_PDF_BYTES: Final = 64 * 1024 * 1024
FIELD: Final = "HastehBulletin"
#: A QR of a claim is 37 modules and a border: far below this many pixels a side.
_QR_MAX_SIDE: Final = 1200
#: Image and form objects looked at, at most (a hostile file may hold millions).
_MAX_XOBJECTS: Final = 2000
_PREFIX_LOGGERS: Final = ("pyhanko", "pyhanko_certvalidator")


class Outcome(enum.Enum):
    GENUINE = "genuine"
    ALTERED = "altered"
    UNKNOWN_ISSUER = "unknown-issuer"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `verify` found. `reason` is a stable code for the tests and the faces;
    `issuer` the signer's fingerprint when one was read; `claim` the back page's claim
    when the file is genuine."""

    outcome: Outcome
    reason: str
    issuer: bytes | None = None
    claim: Claim | None = None


class _QuietWriter(IncrementalPdfFileWriter):
    """An incremental writer that adds no producer, no dates and no XMP, and whose new
    second `/ID` part (ISO 32000-2 §14.4: "changed" each update) is derived from what is
    signed instead of drawn at random."""

    def __init__(self, pdf: bytes, revision: bytes) -> None:
        super().__init__(io.BytesIO(pdf), strict=False)
        first = self._document_id[0]
        self._document_id = generic.ArrayObject([first, generic.ByteStringObject(revision)])

    def _update_meta(self) -> None:
        """Deliberately nothing (pyHanko would write Producer, ModDate and XMP here)."""


class _SignerAt(signers.PdfSigner):
    """A `PdfSigner` whose signing time is given, not read from the clock."""

    def __init__(self, meta: signers.PdfSignatureMetadata, signer: signers.Signer, at: dt.datetime):
        super().__init__(meta, signer)
        self._at = at

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._at
        return session


def _asn1_certificate(key: BulletinKey) -> asn1_x509.Certificate:
    der = key.certificate().public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


def sign(pdf: bytes, key: BulletinKey, at: dt.datetime) -> bytes:
    """`pdf` with `key`'s signature appended (an incremental update), signed at `at`."""
    if at.tzinfo is None:
        raise ValueError("the signing time needs a time zone")
    certificate = _asn1_certificate(key)
    private = asn1_keys.PrivateKeyInfo.load(
        key.private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(field_name=FIELD, md_algorithm="sha512")
    revision = hashlib.sha256(
        b"hasteh-bulletin-revision\0" + key.fingerprint + at.isoformat().encode() + pdf
    ).digest()[:16]
    writer = _QuietWriter(pdf, revision)
    out = _SignerAt(meta, signer, at).sign_pdf(writer)
    data: bytes = out.getvalue()
    return data


def _quiet_logs() -> None:
    """pyHanko logs what it finds in a hostile file at WARNING; keep it out of the
    person's terminal (it can quote file contents)."""
    for name in _PREFIX_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def _qr_images(pdf: bytes) -> list[Image.Image]:
    """The distinct QR-sized image XObjects of the file's pages, also inside form
    XObjects (a booklet draws each A5 page as one). WeasyPrint shares one resource
    dictionary among pages, so each object is visited once, by object number."""
    reader = PdfReader(io.BytesIO(pdf))
    seen: set[int] = set()
    images: list[Image.Image] = []
    pending = [page.get("/Resources") for page in reader.pages]
    while pending:
        resources = pending.pop()
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            continue
        for ref in xobjects.get_object().values():
            number = getattr(ref, "idnum", None)
            if number is None or number in seen or len(seen) > _MAX_XOBJECTS:
                continue
            seen.add(number)
            stream = ref.get_object()
            if stream.get("/Subtype") == "/Form":
                pending.append(stream.get("/Resources"))
                continue
            if stream.get("/Subtype") != "/Image":
                continue
            width, height = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
            if 21 <= width <= _QR_MAX_SIDE and 21 <= height <= _QR_MAX_SIDE:
                images.append(_decode(stream))
    return images


def _decode(stream: Any) -> Image.Image:
    """An image XObject's pixels (pypdf decodes the filters and colour space)."""
    image = stream.decode_as_image()
    if not isinstance(image, Image.Image):
        raise ValueError("not an image")
    return image


def _qr_texts(pdf: bytes) -> list[str]:
    """The texts of the QR codes among the file's images."""
    found: list[str] = []
    qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for image in _qr_images(pdf):
        gray = image.convert("L") if image.mode != "L" else image
        found.extend(r.text for r in zxingcpp.read_barcodes(gray, formats=qr))
    return found


def _embedded_claim(reader: PdfFileReader) -> str | None:
    value = reader.root.get("/HastehClaim")
    return str(value) if value is not None else None


def verify(pdf: bytes, trusted: Collection[bytes], retired: Collection[bytes] = ()) -> Verdict:
    """Genuine, altered or unknown issuer (see the module docstring). `trusted` holds
    the fingerprints (`keys.fingerprint_of`) of the bulletin keys the reader trusts;
    `retired` those a rotation chain retired (`rotation.follow`): a file they signed is
    an unknown issuer's ("retired-key"), since whoever seized such a key can sign."""
    _quiet_logs()
    if len(pdf) > MAX_PDF_BYTES or not pdf.startswith(b"%PDF-"):
        return Verdict(Outcome.ALTERED, "not-a-pdf")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return Verdict(Outcome.ALTERED, "unreadable")
    if not signatures:
        return Verdict(Outcome.UNKNOWN_ISSUER, "unsigned")
    if len(signatures) > 1:
        return Verdict(Outcome.ALTERED, "several-signatures")
    embedded = signatures[0]
    try:
        certificate = embedded.signer_cert
        public = certificate.public_key
        if public.algorithm != "ed25519":
            return Verdict(Outcome.UNKNOWN_ISSUER, "foreign-key")
        raw_public = bytes(public["public_key"])
        issuer = fingerprint_of(raw_public)
        context = ValidationContext(trust_roots=[certificate], allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
    except (SignatureValidationError, ValueError, KeyError, TypeError):
        return Verdict(Outcome.ALTERED, "bad-signature")
    except Exception:
        return Verdict(Outcome.ALTERED, "bad-signature")
    if not (status.intact and status.valid):
        return Verdict(Outcome.ALTERED, "content-changed", issuer)
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE:
        return Verdict(Outcome.ALTERED, "changed-after-signing", issuer)
    if issuer in retired:
        return Verdict(Outcome.UNKNOWN_ISSUER, "retired-key", issuer)
    if not is_trusted(issuer, trusted):
        return Verdict(Outcome.UNKNOWN_ISSUER, "untrusted-key", issuer)
    return _check_claim(pdf, reader, raw_public, issuer)


def _check_claim(pdf: bytes, reader: PdfFileReader, public: bytes, issuer: bytes) -> Verdict:
    """The QR on the back page must be the claim the file holds, signed by the signer."""
    embedded = _embedded_claim(reader)
    if embedded is None:
        return Verdict(Outcome.ALTERED, "no-claim", issuer)
    try:
        claim = read_claim(embedded)
        texts = _qr_texts(pdf)
    except ClaimRefused:
        return Verdict(Outcome.ALTERED, "bad-claim", issuer)
    except Exception:  # pypdf and Pillow raise many kinds of error on odd images
        return Verdict(Outcome.ALTERED, "unreadable-qr", issuer)
    if claim.public != public:
        return Verdict(Outcome.ALTERED, "claim-other-issuer", issuer)
    if texts != [embedded]:
        return Verdict(Outcome.ALTERED, "qr-mismatch", issuer)
    return Verdict(Outcome.GENUINE, "genuine", issuer, claim)
