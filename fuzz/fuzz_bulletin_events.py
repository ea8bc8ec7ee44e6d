"""``bulletin.*`` events as a member's client receives them (issue 16): the bytes are an
envelope, decoded and received on a cell of three whose newsroom holds an article, an
approved issue, two named editors with inboxes, a bulletin key, a rotation already due
(leaf 1, a holder, reported seized) and a publication half received (`build`). Only
`OrgError` may escape; a refused event leaves the state as it was; an accepted one folds
to the same state unchecked, and a replay of the log with it gives the same newsroom;
the key chain the log holds always follows (`hasteh.publish.rotation.follow`, each link
signed by the key it replaces); no publication is complete with bytes whose SHA-256 is
not the announced one; and nothing is published or signed while a rotation is due."""

from __future__ import annotations

import hashlib

from fuzz._common import NOW, Finding, harness, main
from hasteh import org
from hasteh.org import (
    CellCreated,
    Consent,
    DecisionClosed,
    DecisionOpened,
    EventEnvelope,
    EventId,
    MemberAdded,
    MemberSeized,
    NewcomerProposed,
    OrgError,
    OrgState,
    StanceCast,
    Vouched,
    compute_outcome,
)
from hasteh.org.bulletin import reason_digest, rotation_due
from hasteh.org.events import (
    ArticleDrafted,
    BulletinLinked,
    EditorInbox,
    EditorsProposed,
    Event,
    IssueAssembled,
    IssueChunk,
    IssuePublished,
    KeyIssued,
)
from hasteh.org.events.bulletin import CHUNK_SIZE, Pinned, SealedKey
from hasteh.publish.keys import BulletinKey, fingerprint_of
from hasteh.publish.rotation import ChainBroken, Rotation, follow

NAMES = ("Bahar", "Kaveh", "Shirin")
KEY = BulletinKey.from_seed(b"k" * 32)
NEW_KEY = BulletinKey.from_seed(b"n" * 32)
FILE = bytes(range(256)) * 196  # two chunks, the second of 1 KiB
DAY_ORDINAL = 739_500


def event_id(n: int) -> EventId:
    return EventId(hashlib.sha256(b"bulletin" + n.to_bytes(8, "big")).digest()[:16])


def build() -> tuple[OrgState, list[EventEnvelope], dict[str, EventId]]:
    """The cell (see the module docstring) and the ids a seed needs by name."""
    state, log, n = OrgState(), [], 0
    ids: dict[str, EventId] = {}

    def do(author: int, body: Event) -> EventId:
        nonlocal state, n
        n += 1
        env = EventEnvelope(1, event_id(n), author, NOW - 3_600 + n, body)  # type: ignore[arg-type]
        state = org.apply(state, env)
        log.append(env)
        return EventId(env.event_id)

    def adopt(subject: EventId) -> EventId:
        did = do(0, DecisionOpened("consent", "OK?", NOW + 86_400))
        do(0, BulletinLinked(subject, did))
        for leaf in (0, 1, 2):
            do(leaf, StanceCast(did, Consent()))
        do(0, DecisionClosed(did, compute_outcome(state.decisions[did])))
        return did

    do(0, CellCreated("cell", NAMES[0]))
    for leaf in (1, 2):
        card = hashlib.sha256(NAMES[leaf].encode()).digest()
        proposal = do(0, NewcomerProposed(card, NAMES[leaf], NOW + 86_400))
        if leaf == 2:
            do(1, Vouched(proposal))
        do(0, MemberAdded(leaf, NAMES[leaf], card, 0, leaf))
    adopt(do(0, EditorsProposed((0, 1))))
    do(0, EditorInbox(bytes(32)))
    do(1, EditorInbox(bytes(32)))
    ids["key"] = do(0, KeyIssued(KEY.public, (SealedKey(1, bytes(32), bytes(48)),)))
    ids["article"] = do(2, ArticleDrafted("Wages", "The wages are late."))
    pinned = (Pinned(ids["article"], ids["article"]),)
    ids["issue"] = do(1, IssueAssembled(1, "Voice", DAY_ORDINAL, pinned))
    adopt(ids["issue"])
    ids["article2"] = do(2, ArticleDrafted("Safety", "Gear."))
    pinned2 = (Pinned(ids["article2"], ids["article2"]),)
    ids["issue2"] = do(1, IssueAssembled(2, "Voice", DAY_ORDINAL, pinned2))
    adopt(ids["issue2"])
    digest = hashlib.sha256(FILE).digest()
    ids["publication"] = do(0, IssuePublished(ids["issue"], KEY.public, len(FILE), 2, digest))
    do(0, IssueChunk(ids["publication"], 0, FILE[:CHUNK_SIZE]))
    ids["seizure"] = do(2, MemberSeized(1))
    return state, log, ids


STATE, LOG, IDS = build()
PRISTINE, _, _ = build()


def _chain_follows(state: OrgState) -> None:
    keys = state.bulletin.keys
    links = [
        Rotation(
            k.rotation.sequence,
            k.rotation.old,
            k.public,
            reason_digest(k.reason_id),
            k.rotation.signature,
        )
        for k in keys[1:]
        if k.rotation is not None and k.reason_id is not None
    ]
    if len(links) != len(keys) - 1:
        raise Finding("a later key without a rotation entered the log")
    try:
        walked = follow(fingerprint_of(keys[0].public), links)
    except ChainBroken as exc:
        raise Finding(f"the log holds a broken key chain: {exc.reason}") from None
    if walked.current != fingerprint_of(keys[-1].public):
        raise Finding("the chain does not lead to the current key")


@harness
def TestOneInput(data: bytes) -> None:
    try:
        env = org.decode(data)
    except OrgError:
        return
    try:
        received = org.receive(STATE, env)
    except OrgError:
        if STATE != PRISTINE:
            raise Finding("a refused event changed the state") from None
        return
    new = received.state
    if org.fold(STATE, env) != new:
        raise Finding("checked and unchecked folds disagree")
    if org.replay([*LOG, env]).bulletin != new.bulletin:
        raise Finding("a replay of the log gives another newsroom")
    _chain_follows(new)
    for pub in new.bulletin.publications.values():
        data_ = pub.data()
        if data_ is not None and hashlib.sha256(data_).digest() != pub.sha256:
            raise Finding("a publication completed with bytes of another hash")
    due = rotation_due(STATE) is not None
    if due and isinstance(env.body, IssuePublished):
        raise Finding("an issue was published while the key was due for rotation")
    if STATE != PRISTINE:
        raise Finding("receiving changed the state it started from")


if __name__ == "__main__":
    main(TestOneInput)
