"""The Workers' Action Program of an alliance: a versioned document of sections.

Sans-I/O and independent of the log: the alliance's rows (`hasteh.org.alliance`, "issue
17") call these functions. A cell proposes an amendment (a section's new text, or its
removal), drafted on a version; the alliance votes on it one vote per cell; once adopted
it is ratified and becomes the next version. Versions are never edited: the history is
every version, oldest first.

**Endorsements.** A cell endorses a version by signing `endorsement_message(version)`
with its cell key (Ed25519, RFC 8032): anyone who holds the alliance's log and the cell's
public key can verify it, and the signature names a cell, never a person. The message
binds the version's whole text and, through `digest`, every version before it and the
ids of the amendments that made them (ids chosen at random inside this alliance's log),
so an endorsement cannot be replayed onto another alliance's identical text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Final

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hasteh.org.events.base import EventId
from hasteh.org.pmap import PMap

__all__ = [
    "ENDORSEMENT_CONTEXT",
    "Amendment",
    "Endorsement",
    "Programme",
    "ProgrammeVersion",
    "Section",
    "changed_since",
    "endorsement_message",
    "endorsers",
    "ratify",
    "sign_endorsement",
    "verify_endorsement",
]

#: Domain separation for endorsement signatures (never a valid message of another kind).
ENDORSEMENT_CONTEXT: Final = b"hasteh/programme-endorsement/v1\x00"
_DIGEST_CONTEXT: Final = b"hasteh/programme-version/v1\x00"
_GENESIS: Final = bytes(32)


@dataclass(frozen=True, slots=True)
class Section:
    """One section: its title, its text, and the version that last changed it."""

    title: str
    text: str
    changed_in: int


@dataclass(frozen=True, slots=True)
class ProgrammeVersion:
    """A ratified version: its number (1, 2, ...), its sections in order, the amendment
    that made it and the cell that proposed it, and its digest (what endorsements sign)."""

    number: int
    sections: tuple[Section, ...]
    amendment_id: EventId
    proposed_by: str
    at: int
    digest: bytes


@dataclass(frozen=True, slots=True)
class Amendment:
    """A proposed change: section `section` shall read `text` (empty: removed)."""

    amendment_id: EventId
    section: str
    text: str
    base: int
    proposed_by: str
    at: int
    #: The version it became, once ratified.
    ratified_as: int | None = None


@dataclass(frozen=True, slots=True)
class Endorsement:
    """A cell's signed endorsement of a version (verified when it entered the log)."""

    cell: str
    version: int
    signature: bytes
    at: int


@dataclass(frozen=True, slots=True)
class Programme:
    """The programme's whole history in an alliance."""

    versions: tuple[ProgrammeVersion, ...] = ()
    amendments: PMap[EventId, Amendment] = field(default_factory=PMap)
    #: ``(cell, version)`` -> endorsement.
    endorsements: PMap[tuple[str, int], Endorsement] = field(default_factory=PMap)

    @property
    def number(self) -> int:
        """The current version's number (0: nothing ratified yet)."""
        return len(self.versions)

    @property
    def current(self) -> ProgrammeVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.versions[-1].sections if self.versions else ()

    def version(self, number: int) -> ProgrammeVersion | None:
        return self.versions[number - 1] if 1 <= number <= len(self.versions) else None


def _section(prog: Programme, title: str) -> Section | None:
    return next((s for s in prog.sections if s.title == title), None)


def changed_since(prog: Programme, title: str, base: int) -> bool:
    """Whether section `title` changed (was added, edited or removed) after version
    `base`: an amendment drafted on `base` would then overwrite a change it never saw."""
    for version in prog.versions[base:]:
        amendment = prog.amendments.get(version.amendment_id)
        if amendment is not None and amendment.section == title:
            return True
    return False


def _digest(
    previous: bytes, number: int, amendment_id: bytes, sections: tuple[Section, ...]
) -> bytes:
    body = msgspec.msgpack.encode(
        [number, amendment_id, [[s.title, s.text, s.changed_in] for s in sections]]
    )
    return hashlib.sha256(_DIGEST_CONTEXT + previous + body).digest()


def ratify(prog: Programme, amendment_id: EventId, at: int) -> Programme:
    """The programme with amendment `amendment_id` as its next version. The caller has
    checked it is adopted and its section unchanged since its base."""
    amendment = prog.amendments[amendment_id]
    number = prog.number + 1
    kept = [s for s in prog.sections if s.title != amendment.section]
    if amendment.text:
        new = Section(amendment.section, amendment.text, number)
        old = _section(prog, amendment.section)
        if old is None:
            kept.append(new)
        else:
            kept.insert(prog.sections.index(old), new)
    sections = tuple(kept)
    previous = prog.current.digest if prog.current else _GENESIS
    version = ProgrammeVersion(
        number,
        sections,
        amendment_id,
        amendment.proposed_by,
        at,
        _digest(previous, number, amendment_id, sections),
    )
    done = replace(amendment, ratified_as=number)
    return replace(
        prog,
        versions=(*prog.versions, version),
        amendments=prog.amendments.set(amendment_id, done),
    )


def endorsement_message(version: ProgrammeVersion) -> bytes:
    """What a cell's key signs to endorse `version`."""
    return ENDORSEMENT_CONTEXT + version.number.to_bytes(4, "big") + version.digest


def sign_endorsement(key: Ed25519PrivateKey, version: ProgrammeVersion) -> bytes:
    """The cell key's signature endorsing `version` (deterministic, RFC 8032)."""
    return key.sign(endorsement_message(version))


def verify_endorsement(public_key: bytes, version: ProgrammeVersion, signature: bytes) -> bool:
    """Whether `signature` is `public_key`'s endorsement of `version`. False for a
    malformed key or signature, never an exception."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, endorsement_message(version)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def endorsers(prog: Programme, number: int) -> list[str]:
    """The pseudonyms of the cells that endorsed version `number`, sorted."""
    return sorted(cell for cell, version in prog.endorsements if version == number)
