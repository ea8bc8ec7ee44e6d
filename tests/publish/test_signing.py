"""Forgeries the attacker can make, each detected by `verify`, and pyHanko's own
validation agrees: altered text, a removed or added page, a swapped QR, another issuer's
key, an unsigned copy, and hostile bytes (no crash, no exception)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf.generic import NameObject

from hasteh.publish.claim import make_claim, qr_png
from hasteh.publish.issue import Issue
from hasteh.publish.keys import BulletinKey
from hasteh.publish.press import Layout, render, scrub
from hasteh.publish.signing import Outcome, Verdict, _asn1_certificate, sign, verify
from tests.publish.conftest import AT


def check(pdf: bytes, key: BulletinKey) -> Verdict:
    return verify(pdf, {key.fingerprint})


def pyhanko_accepts(pdf: bytes, key: BulletinKey) -> bool:
    """pyHanko's own answer, trusting only `key`'s certificate."""
    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    if len(signatures) != 1:
        return False
    context = ValidationContext(trust_roots=[_asn1_certificate(key)], allow_fetching=False)
    status = validate_pdf_signature(signatures[0], context)
    return bool(status.bottom_line and status.coverage.name == "ENTIRE_FILE")


def incremental(pdf: bytes, change: Callable[[pypdf.PdfWriter], None]) -> bytes:
    """`pdf` with an update appended by pypdf (the signed bytes left as they are)."""
    writer = pypdf.PdfWriter(io.BytesIO(pdf), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert data.startswith(pdf)
    return data


def test_genuine(signed_pdf: bytes, key: BulletinKey, issue: Issue) -> None:
    verdict = check(signed_pdf, key)
    assert verdict.outcome is Outcome.GENUINE, verdict.reason
    assert verdict.issuer == key.fingerprint
    assert verdict.claim is not None and verdict.claim.number == issue.number
    assert verdict.claim.content_hash == issue.digest()
    assert pyhanko_accepts(signed_pdf, key)


def test_signing_is_reproducible_and_incremental(
    a5_pdf: bytes, signed_pdf: bytes, key: BulletinKey
) -> None:
    assert sign(a5_pdf, key, AT) == signed_pdf
    assert signed_pdf.startswith(a5_pdf)


@pytest.mark.parametrize("layout", [Layout.A4, Layout.BOOKLET])
def test_genuine_in_every_layout(issue: Issue, key: BulletinKey, layout: Layout) -> None:
    claim = make_claim(key, issue.number, issue.digest())
    assert check(sign(render(issue, layout, claim), key, AT), key).outcome is Outcome.GENUINE


def test_flipped_byte_in_signed_content(signed_pdf: bytes, key: BulletinKey) -> None:
    where = signed_pdf.index(b"/MediaBox")
    forged = signed_pdf[:where] + signed_pdf[where:].replace(b"419.", b"418.", 1)
    verdict = check(forged, key)
    assert verdict.outcome is Outcome.ALTERED and verdict.reason == "content-changed"
    assert not pyhanko_accepts(forged, key)


def test_altered_text_appended_as_an_update(
    signed_pdf: bytes, key: BulletinKey, issue: Issue
) -> None:
    """The shadow attack: the signed bytes stay, an update swaps page 1's text."""
    altered = Issue(issue.title, issue.number, issue.day, issue.articles[::-1])
    other = pypdf.PdfReader(io.BytesIO(render(altered, Layout.A5)))

    def swap_text(writer: pypdf.PdfWriter) -> None:
        page = writer.pages[0]
        page.replace_contents(other.pages[0].get_contents())  # type: ignore[arg-type]

    forged = incremental(signed_pdf, swap_text)
    verdict = check(forged, key)
    assert verdict.outcome is Outcome.ALTERED and verdict.reason == "changed-after-signing"
    assert not pyhanko_accepts(forged, key)


def test_page_removed_by_an_update(signed_pdf: bytes, key: BulletinKey) -> None:
    forged = incremental(signed_pdf, lambda w: w.remove_page(1))
    assert check(forged, key).outcome is Outcome.ALTERED
    assert not pyhanko_accepts(forged, key)


def test_page_added_by_an_update(signed_pdf: bytes, key: BulletinKey) -> None:
    forged = incremental(signed_pdf, lambda w: w.add_blank_page())
    assert check(forged, key).outcome is Outcome.ALTERED
    assert not pyhanko_accepts(forged, key)


def test_page_removed_and_file_rewritten(signed_pdf: bytes, key: BulletinKey) -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(signed_pdf)))
    writer.remove_page(1)
    out = io.BytesIO()
    writer.write(out)
    assert check(out.getvalue(), key).outcome is Outcome.ALTERED
    assert not pyhanko_accepts(out.getvalue(), key)


def test_qr_swapped_by_an_update(signed_pdf: bytes, key: BulletinKey, issue: Issue) -> None:
    """The QR image of issue 13 pasted over issue 12's."""
    other_qr = Image.open(io.BytesIO(qr_png(make_claim(key, 13, issue.digest())))).convert("RGB")

    def swap_qr(writer: pypdf.PdfWriter) -> None:
        last = writer.pages[-1]
        for image in last.images:
            if image.image is not None and image.image.width < 400:
                image.replace(other_qr.resize(image.image.size))

    forged = incremental(signed_pdf, swap_qr)
    assert check(forged, key).outcome is Outcome.ALTERED
    assert not pyhanko_accepts(forged, key)


def test_qr_that_disagrees_with_the_signed_claim(issue: Issue, key: BulletinKey) -> None:
    """Even signed by the right key, a QR of another issue than the file's claim is caught."""
    printed = make_claim(key, 13, issue.digest())
    stated = make_claim(key, issue.number, issue.digest())
    forged = sign(scrub(render(issue, Layout.A5, printed), stated), key, AT)
    verdict = check(forged, key)
    assert verdict.outcome is Outcome.ALTERED and verdict.reason == "qr-mismatch"


def test_claim_of_another_issuer(issue: Issue, key: BulletinKey, other_key: BulletinKey) -> None:
    foreign = make_claim(other_key, issue.number, issue.digest())
    forged = sign(render(issue, Layout.A5, foreign), key, AT)
    verdict = check(forged, key)
    assert verdict.outcome is Outcome.ALTERED and verdict.reason == "claim-other-issuer"


def test_another_issuers_key(a5_pdf: bytes, key: BulletinKey, other_key: BulletinKey) -> None:
    """A forger re-signs the issue (or an altered one) with a key of their own, even one
    whose certificate carries the same name: the fingerprint tells them apart."""
    forged = sign(a5_pdf, other_key, AT)
    verdict = check(forged, key)
    assert verdict.outcome is Outcome.UNKNOWN_ISSUER and verdict.reason == "untrusted-key"
    assert verdict.issuer == other_key.fingerprint
    assert not pyhanko_accepts(forged, key)
    # Trusting the forger's key does not help them either: the back page's claim is ours.
    assert check(forged, other_key).reason == "claim-other-issuer"


def test_trusting_the_shown_prefix_works(signed_pdf: bytes, key: BulletinKey) -> None:
    assert verify(signed_pdf, {key.fingerprint[:16]}).outcome is Outcome.GENUINE
    assert verify(signed_pdf, {key.fingerprint[:8]}).outcome is Outcome.UNKNOWN_ISSUER


def test_unsigned(a5_pdf: bytes, key: BulletinKey) -> None:
    verdict = check(a5_pdf, key)
    assert verdict.outcome is Outcome.UNKNOWN_ISSUER and verdict.reason == "unsigned"


def test_signature_removed(signed_pdf: bytes, key: BulletinKey) -> None:
    stripped = incremental(signed_pdf, lambda w: w._root_object.pop(NameObject("/AcroForm")))
    assert check(stripped, key).outcome is not Outcome.GENUINE


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b[: len(b) // 2],
        lambda b: b"%PDF-1.7\n" + b"\0" * 100,
        lambda b: b.replace(b"/ByteRange", b"/ByteRangX"),
        lambda b: re.sub(rb"/Contents <([0-9A-F]{8})", rb"/Contents <00000000", b, count=1),
        lambda b: b"not a pdf at all",
    ],
)
def test_mangled_files_are_never_genuine(
    signed_pdf: bytes, key: BulletinKey, mangle: Callable[[bytes], bytes]
) -> None:
    assert check(mangle(signed_pdf), key).outcome is not Outcome.GENUINE


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_damage_never_crashes_or_passes(
    signed_pdf: bytes, key: BulletinKey, data: st.DataObject
) -> None:
    where = data.draw(st.integers(0, len(signed_pdf) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != signed_pdf[where]))
    forged = signed_pdf[:where] + bytes([value]) + signed_pdf[where + 1 :]
    verdict = check(forged, key)
    assert verdict.outcome is not Outcome.GENUINE or _harmless(signed_pdf, forged)


def _harmless(original: bytes, forged: bytes) -> bool:
    """A byte outside the signed range that changes nothing a reader sees: only the
    signature's own hex padding (zeros after the CMS blob) can be such a byte."""
    start = original.index(b"/Contents <") + len(b"/Contents <")
    end = original.index(b">", start)
    diff = next(i for i in range(len(original)) if original[i] != forged[i])
    return start <= diff < end
