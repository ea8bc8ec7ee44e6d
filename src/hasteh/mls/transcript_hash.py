"""Transcript hashes and the confirmation tag (RFC 9420 §8.2, §6.1).

Each Commit extends two running hashes. The confirmed transcript hash covers the Commit's
AuthenticatedContent up to and including the signature; the interim one adds the
confirmation tag, which can only be computed after the new epoch's confirmation_key is
known. Splitting them lets a Commit confirm everything before its own tag:

    confirmed[n] = Hash(interim[n-1] || ConfirmedTranscriptHashInput[n])
    interim[n]   = Hash(confirmed[n] || InterimTranscriptHashInput[n])
    confirmation_tag = MAC(confirmation_key, confirmed[n])

Both start as the empty string at epoch 0.
"""

from __future__ import annotations

import hmac

from .cipher_suite import CipherSuite
from .codec import Writer
from .errors import InvalidMessage, UsageError
from .framing import AuthenticatedContent, ContentType, FramedContent, WireFormat


def confirmed_transcript_hash_input(
    wire_format: WireFormat, content: FramedContent, signature: bytes
) -> bytes:
    """ConfirmedTranscriptHashInput (§8.2): wire_format, the commit's FramedContent, and
    its signature — everything but the confirmation tag, so a committer can compute it
    between signing and sealing."""
    if content.content_type != ContentType.COMMIT:
        raise UsageError("transcript hashes cover only commits")
    w = Writer()
    w.u16(wire_format)
    content.encode(w)
    w.opaque(signature)
    return w.getvalue()


def interim_transcript_hash_input(confirmation_tag: bytes) -> bytes:
    """InterimTranscriptHashInput (§8.2): the MAC confirmation_tag as `opaque<V>`."""
    w = Writer()
    w.opaque(confirmation_tag)
    return w.getvalue()


def next_confirmed_transcript_hash(
    suite: CipherSuite,
    interim_before: bytes,
    wire_format: WireFormat,
    content: FramedContent,
    signature: bytes,
) -> bytes:
    """confirmed[n] from interim[n-1] and the signed Commit (§8.2)."""
    return suite.hash(
        interim_before + confirmed_transcript_hash_input(wire_format, content, signature)
    )


def next_interim_transcript_hash(
    suite: CipherSuite, confirmed: bytes, confirmation_tag: bytes
) -> bytes:
    """interim[n] from confirmed[n] and the Commit's confirmation tag (§8.2)."""
    return suite.hash(confirmed + interim_transcript_hash_input(confirmation_tag))


def confirmation_tag(suite: CipherSuite, confirmation_key: bytes, confirmed: bytes) -> bytes:
    """MAC(confirmation_key, GroupContext.confirmed_transcript_hash) (§6.1, §8.1)."""
    return suite.mac(confirmation_key, confirmed)


def verify_confirmation_tag(
    suite: CipherSuite, confirmation_key: bytes, confirmed: bytes, tag: bytes
) -> None:
    """Check a received confirmation tag in constant time, or raise
    `InvalidMessage("bad-confirmation-tag")`: the peer's epoch differs from ours (§6.1)."""
    if not hmac.compare_digest(confirmation_tag(suite, confirmation_key, confirmed), tag):
        raise InvalidMessage("bad-confirmation-tag", "the commit's confirmation tag differs")


def update_transcript_hashes(
    suite: CipherSuite, interim_before: bytes, authenticated: AuthenticatedContent
) -> tuple[bytes, bytes]:
    """(confirmed[n], interim[n]) for a received Commit, whose auth carries the tag."""
    tag = authenticated.auth.confirmation_tag
    if tag is None:
        raise UsageError("transcript hashes cover only commits")
    confirmed = next_confirmed_transcript_hash(
        suite,
        interim_before,
        authenticated.wire_format,
        authenticated.content,
        authenticated.auth.signature,
    )
    return confirmed, next_interim_transcript_hash(suite, confirmed, tag)
