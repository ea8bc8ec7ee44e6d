"""Errors of `hasteh.mls`, named by who is at fault.

    MLSError
     ├── MLSDecodeError    bytes that are not a valid encoding (the peer)
     ├── InvalidMessage    a well-formed message that fails validation (the peer)
     ├── UsageError        the caller asked for something impossible (you)
     └── InternalError     a bug in hasteh (us)

`hasteh.mls` is a sans-I/O protocol library (our hazmat layer, like pyca's): it imports
nothing else from hasteh, so `MLSError` is its own root and does not derive from
`hasteh.errors.HastehError`. Its failures carry stable slugs (`MLSReason`, `UsageReason`)
and English developer text, never shown to a person: `hasteh.app.errors.mls_errors` maps
them at the app boundary into a `GroupError`, which keeps the contract of
`hasteh.errors` (a code, a template, parameters).
"""

from __future__ import annotations

from typing import Literal

#: Why a well-formed message or object fails validation (`InvalidMessage.reason`).
MLSReason = Literal[
    "aead-open-failed",
    "bad-confirmation-tag",
    "bad-external-init",
    "bad-leaf-signature",
    "bad-leaf-source",
    "bad-lifetime",
    "bad-membership-tag",
    "bad-padding",
    "bad-parent-hash",
    "bad-sender",
    "bad-signature",
    "bad-signer",
    "bad-tree-hash",
    "bad-unmerged-leaves",
    "bad-update-path-ciphertexts",
    "bad-update-path-length",
    "bad-version",
    "bad-welcome",
    "blank-leaf",
    "conflicting-proposals",
    "duplicate-add",
    "duplicate-encryption-key",
    "duplicate-extension",
    "duplicate-gce",
    "duplicate-psk",
    "duplicate-signature-key",
    "epoch-exhausted",
    "expired-lifetime",
    "generation-too-far",
    "hpke-bad-public-key",
    "hpke-open-failed",
    "incompatible-credential",
    "init-key-reused",
    "invalid-external-commit",
    "invalid-proposal",
    "invalid-psk",
    "invalid-reinit",
    "invalid-remove",
    "key-consumed",
    "lifetime-not-valid",
    "lifetime-too-long",
    "malformed-content",
    "malformed-extension",
    "malformed-group-info",
    "malformed-group-secrets",
    "malformed-message",
    "malformed-sender-data",
    "malformed-tree",
    "missing-external-pub",
    "missing-path",
    "missing-required-capability",
    "missing-tree",
    "not-application",
    "not-in-tree",
    "own-update",
    "path-key-mismatch",
    "psk-unknown",
    "public-application",
    "reinit-not-alone",
    "removes-committer",
    "resync-mismatch",
    "stale-encryption-key",
    "suite-mismatch",
    "unexpected-wire-format",
    "unknown-proposal",
    "unknown-sender",
    "unsupported-credential",
    "unsupported-extension",
    "unsupported-group-extension",
    "unsupported-sender",
    "welcome-not-for-us",
    "wrong-epoch",
    "wrong-group",
    "wrong-leaf-node-source",
]

#: What the caller asked wrongly (`UsageError.reason`).
UsageReason = Literal["usage", "commit-required"]


class MLSError(Exception):
    """Base of every error raised on purpose by `hasteh.mls`."""


class MLSDecodeError(MLSError):
    """The bytes are not a valid TLS-presentation encoding of the expected structure."""


class InvalidMessage(MLSError):
    """A well-formed message or object that fails an RFC 9420 check.

    `reason` is a short stable slug tests can pin (for example ``"bad-signature"``).
    """

    def __init__(self, reason: MLSReason, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class UsageError(MLSError):
    """The caller used the API wrongly (unknown suite, wrong key length, ...); `reason`
    is ``commit-required`` when pending proposals must be committed first (RFC 9420
    §12.4), else ``usage``."""

    def __init__(self, detail: str = "", *, reason: UsageReason = "usage") -> None:
        self.reason: UsageReason = reason
        super().__init__(detail)


class InternalError(MLSError):
    """A state that should be impossible: a bug in hasteh.mls."""
