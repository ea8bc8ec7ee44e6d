"""Proposals received during an epoch, kept for Commits that reference them (RFC 9420 §12.1).

§12.1: a member that verifies a proposal "should [cache it] in such a way that it can be
retrieved by hash (as a ProposalOrRef object) in a later Commit message". The hash is the
ProposalRef, RefHash over the proposal's AuthenticatedContent (§5.2), so two identical
proposal bodies sent by different members (or at different times) stay distinct.

The store is an immutable value held by the immutable `GroupState`: `add` returns a new
store. It is scoped to one epoch. Proposals are premised on the epoch they were sent in
(§12.1 checks the epoch on receipt), so a new epoch starts with an empty store and the
old proposals are forgotten; a proposer whose proposal was not committed may resend it
(§12.4).

Order is kept: a committer that includes "all proposals it has received" (§12.4 SHOULD)
lists them in the order they arrived, which is also what §12.2 means by "the most
recent Update".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .commit import ProposalRef
from .framing import Sender
from .proposals import Proposal


@dataclass(frozen=True, slots=True)
class CachedProposal:
    """A verified proposal of the current epoch, with the reference a Commit uses for it."""

    ref: ProposalRef
    proposal: Proposal
    sender: Sender
    #: True for proposals this member sent itself (a Commit may still include them by
    #: reference, §12.4; §12.2 forbids only committing one's own Update).
    own: bool = False


@dataclass(frozen=True, slots=True)
class ProposalStore:
    """The current epoch's proposals, in arrival order, addressable by ProposalRef."""

    entries: tuple[CachedProposal, ...] = ()

    def add(self, cached: CachedProposal) -> ProposalStore:
        """This store plus `cached`. The same reference twice is one proposal: a replay
        of a proposal message changes nothing (the second copy is ignored)."""
        if self.get(cached.ref) is not None:
            return self
        return ProposalStore((*self.entries, cached))

    def get(self, ref: ProposalRef) -> CachedProposal | None:
        for entry in self.entries:
            if entry.ref == ref:
                return entry
        return None

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, ProposalRef) and self.get(ref) is not None

    def __iter__(self) -> Iterator[CachedProposal]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def cleared(self) -> ProposalStore:
        """The empty store a new epoch starts with."""
        return ProposalStore()
