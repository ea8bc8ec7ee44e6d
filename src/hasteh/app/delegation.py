"""Delegates: a cell's side of an alliance, and the bridge a delegate's device makes.

    delegation.elect(ws, cell, "3", pseudonym="north-3", term_days=180, mandate="...")
    delegation.create_key(ws, cell, "3")          # the cell's key (the delegate's device)
    code = delegation.key_code(ws, cell)          # shown once, handed over in person
    delegation.import_key(alt_ws, cell, code)     # the alternate now holds it too
    delegation.register_key(ws, alliance, cell)   # CellKeyRegistered in the alliance
    delegation.register_alternate(ws, alliance, cell, alternate_card)
    delegation.give_mandate(ws, cell, motion, question, "5")   # the cell decides first
    delegation.vote_as_mandated(ws, alliance, cell, motion)    # CellVoted with its ref
    delegation.sign_tally(ws, alliance, cell, motion)          # TallySigned
    delegation.report(ws, cell, alliance, motion)              # ReportedBack in the cell
    code = delegation.recall(alt_ws, cell, "7", alternate_card)  # DelegateRecalled
    delegation.carry_recall(other_delegate_ws, alliance, code)   # DelegateSwapped

**Two identities, one device.** A delegate's cell membership and alliance seat are two
groups with nothing in common: the alliance seat comes from its own card (a fresh
signature key, KeyPackage and pickup mailbox, under the cell's pseudonym), and its
group has its own mailbox. Nothing stored links them: the functions that act on both
take the cell and the alliance as arguments, so the link is in the person's head and
the command they type, never in the vault or on a relay. What crosses from cell to
alliance is signed by the cell's key and names only the pseudonym; decision ids cross
only as commitments (`org.cell_key.decision_ref`, `mandate_ref`).

**The cell's key.** Made on the device of whoever sets it (`create_key`), kept in that
cell's record in the vault (`CellRecord.held_keys`), and given to the other holders in
person as a key code (`key_code` / `import_key`), as an invitation card is. A rotation
signs the new key with the old one and forgets the old seed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hasteh.app import alliances, cells, decisions, federation, runtime
from hasteh.app.alliance_domain import AllianceRuntime
from hasteh.app.cards import card_bytes, read_card_input
from hasteh.app.errors import BadInput, clean_or_refuse, refused
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import whole_number
from hasteh.org import EventEnvelope, EventId, InvalidEvent
from hasteh.org import cell_key as keys
from hasteh.org.alliance import Motion, signed_tally, tally_to_sign
from hasteh.org.delegation import Delegation
from hasteh.org.events import (
    DAY,
    AlternateRegistered,
    CellKeyRegistered,
    CellKeyRotated,
    CellKeySet,
    CellVoted,
    DelegateRecalled,
    DelegatesElected,
    DelegateSwapped,
    MandateGiven,
    ReportedBack,
    TallySigned,
)
from hasteh.org.fed import MAX_TERM, adopted, key_due, mandated_vote
from hasteh.vault import Connection

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "AllianceView",
    "DelegateView",
    "MotionLine",
    "RecallCode",
    "ReportLine",
    "alliance_view",
    "carry_recall",
    "carry_rotation",
    "create_key",
    "delegate_view",
    "elect",
    "endorse",
    "find_motion",
    "give_mandate",
    "import_key",
    "key_code",
    "key_fingerprint",
    "read_recall_code",
    "recall",
    "register_alternate",
    "register_key",
    "report",
    "sign_tally",
    "vote_as_mandated",
]

T = TypeVar("T")

KEY_PREFIX: Final = "HK1:"
RECALL_PREFIX: Final = "HR1:"
_KEY_CHECK: Final = b"hasteh/cell-key-code/v1\0"
_RECALL_CHECK: Final = b"hasteh/recall-code/v1\0"


# --- codes handed over in person ----------------------------------------------------------


def _encode(prefix: str, check: bytes, payload: bytes) -> str:
    digest = hashlib.sha256(check + payload).digest()[:4]
    return prefix + base64.b32encode(payload + digest).decode("ascii").rstrip("=")


def _decode(prefix: str, check: bytes, text: str) -> bytes:
    """The payload of a code; `BadInput("bad-key-code")` for anything else (the code is
    read as typed: case, spaces and dashes forgiven)."""
    body = "".join(text.split()).replace("-", "").upper()
    if not body.startswith(prefix) or len(body) > 512:
        raise BadInput("bad-key-code")
    body = body[len(prefix) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        raise BadInput("bad-key-code") from None
    payload, digest = raw[:-4], raw[-4:]
    if len(raw) < 5 or hashlib.sha256(check + payload).digest()[:4] != digest:
        raise BadInput("bad-key-code")
    return payload


class RecallCode(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    """A recall as a holder carries it to any delegate of the alliance."""

    cell: str
    card_fingerprint: bytes
    recall: bytes
    signature: bytes


def read_recall_code(text: str) -> RecallCode:
    payload = _decode(RECALL_PREFIX, _RECALL_CHECK, text)
    try:
        code = msgspec.msgpack.decode(payload, type=RecallCode)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise BadInput("bad-key-code") from None
    if len(code.recall) != 32 or len(code.signature) != keys.SIGNATURE_SIZE:
        raise BadInput("bad-key-code")
    return code


# --- the cell's side ----------------------------------------------------------------------


def _delegation(rt: CellRuntime) -> Delegation:
    delegation = rt.org.fed.delegation
    if delegation is None:
        raise refused(InvalidEvent("no-delegates"))
    return delegation


def elect(
    ws: Workspace, cell: str, decision: str, *, pseudonym: str, term_days: int, mandate: str
) -> EventEnvelope:
    """Record the delegate and alternate that ranked decision `decision` elected (its
    first two winners), the cell's `pseudonym` in the alliance, the term and mandate."""
    rt = cells.find_cell(ws, cell)
    found = decisions.find(rt, decision)
    outcome = found.outcome
    if outcome is None or outcome.status != "elected" or len(outcome.winners) < 2:
        raise refused(InvalidEvent("not-elected"))
    by_name = {m.cover_name: leaf for leaf, m in rt.org.members.items()}
    chosen = [by_name.get(found.options[i]) for i in outcome.winners[:2]]
    if None in chosen:
        raise refused(InvalidEvent("not-elected"))
    if not 1 <= term_days <= MAX_TERM // DAY:
        raise refused(InvalidEvent("date-out-of-range", days=MAX_TERM // DAY))
    delegate, alternate = (int(leaf) for leaf in chosen if leaf is not None)
    body = DelegatesElected(
        found.decision_id,
        delegate,
        alternate,
        clean_or_refuse(pseudonym),
        ws.now() + term_days * DAY,
        mandate.strip(),
    )
    return runtime.send_event(ws, rt, body)


def _held(rt: CellRuntime) -> bytes:
    """The seed of the cell's current key, if this device holds it; else `no-cell-key`."""
    key = rt.org.fed.key
    seed = rt.record.held_keys.get(key.public_key.hex()) if key is not None else None
    if seed is None:
        raise refused(InvalidEvent("no-cell-key"))
    return seed


def create_key(ws: Workspace, cell: str, decision: str) -> bytes:
    """Make the cell's key on this device (a delegate or the alternate), held by both,
    by the election (or, for a new key, by a decision to rotate); a new key is signed by
    the old one, whose seed this device then forgets. Returns the public key."""
    rt = cells.find_cell(ws, cell)
    delegation = _delegation(rt)
    if rt.own_leaf not in (delegation.delegate, delegation.alternate):
        raise refused(InvalidEvent("not-a-delegate"))
    found = decisions.find(rt, decision)
    seed = ws.rng(32)
    public = keys.public_of(seed)
    holders = tuple(
        int(leaf) for leaf in (delegation.delegate, delegation.alternate) if leaf is not None
    )
    old = rt.org.fed.key
    signature = b""
    if old is not None:
        signed = keys.rotation_body(
            old.sequence + 1, old.public_key, public, keys.decision_ref(found.decision_id)
        )
        signature = keys.sign(_held(rt), signed)

    def keep(conn: Connection, env: EventEnvelope) -> None:
        rt.record.held_keys = {public.hex(): seed}
        rt.record_dirty = True

    runtime.send_event(ws, rt, CellKeySet(public, holders, found.decision_id, signature), also=keep)
    return public


def key_code(ws: Workspace, cell: str) -> str:
    """The cell's key as a code for another holder, to be shown once and handed over in
    person (never sent: whoever has it speaks for the cell)."""
    return _encode(KEY_PREFIX, _KEY_CHECK, _held(cells.find_cell(ws, cell)))


def import_key(ws: Workspace, cell: str, code: str) -> bytes:
    """Keep the cell's key from `code`, if it is the cell's current key and this member
    is one of its holders. Returns the public key."""
    rt = cells.find_cell(ws, cell)
    seed = _decode(KEY_PREFIX, _KEY_CHECK, code)
    key = rt.org.fed.key
    if len(seed) != 32 or key is None or keys.public_of(seed) != key.public_key:
        raise BadInput("bad-key-code")
    if rt.own_leaf not in key.holders:
        raise refused(InvalidEvent("not-a-delegate"))

    def keep(conn: Connection) -> None:
        rt.record.held_keys = {key.public_key.hex(): seed}
        rt.record_dirty = True

    runtime.write(ws, rt, keep)
    return key.public_key


def give_mandate(
    ws: Workspace, cell: str, motion: str, question: str, decision: str
) -> EventEnvelope:
    """Tie alliance motion `motion` (its id in hex, as the delegate reports it) to the
    cell's consent or proposal decision `decision`: the cell decides first."""
    rt = cells.find_cell(ws, cell)
    motion_id = _motion_id(motion)
    found = decisions.find(rt, decision)
    body = MandateGiven(motion_id, question.strip(), found.decision_id)
    return runtime.send_event(ws, rt, body)


def recall(ws: Workspace, cell: str, decision: str, alternate_card: str) -> str:
    """The cell's adopted decision `decision` recalls its delegate: sign the recall with
    the cell's key (this device must hold it), record it in the cell, and return the
    recall code any delegate of the alliance posts (`carry_recall`)."""
    rt = cells.find_cell(ws, cell)
    delegation = _delegation(rt)
    found = decisions.find(rt, decision)
    card = read_card_input(alternate_card, now=None)
    ref = keys.decision_ref(found.decision_id)
    body = keys.recall_body(delegation.pseudonym, card.fingerprint, ref)
    signature = keys.sign(_held(rt), body)
    runtime.send_event(ws, rt, DelegateRecalled(found.decision_id, card.fingerprint, signature))
    code = RecallCode(delegation.pseudonym, card.fingerprint, ref, signature)
    return _encode(RECALL_PREFIX, _RECALL_CHECK, msgspec.msgpack.encode(code))


def endorse(ws: Workspace, cell: str, alliance: str, version: str, decision: str) -> EventEnvelope:
    """Our cell endorses programme `version` of `alliance`, signed with the cell's key,
    once the cell's consent or proposal decision `decision` adopted it: the key is used
    only after the cell decided (this device must hold it). The signature names the cell
    by its pseudonym only; every delegate's device checks it against the cell's key."""
    number = whole_number(version, max_digits=4)
    if number is None:
        raise refused(InvalidEvent("unknown-version", version=version.strip()[:8]))
    rt = cells.find_cell(ws, cell)
    found = decisions.find(rt, decision)
    _org_call(lambda: adopted(rt.org, found.decision_id))
    seed = _held(rt)
    return federation.endorse(ws, alliance, number, Ed25519PrivateKey.from_private_bytes(seed))


def report(ws: Workspace, cell: str, alliance: str, motion: str, note: str = "") -> EventEnvelope:
    """Carry the signed tally of closed alliance motion `motion` back into the cell."""
    art = alliances.find_alliance(ws, alliance)
    found = find_motion(art, motion)
    tally = _org_call(lambda: signed_tally(art.org, found.motion_id))
    rt = cells.find_cell(ws, cell)
    return runtime.send_event(ws, rt, ReportedBack(tally, note.strip()))


# --- the alliance's side ------------------------------------------------------------------


def _motion_id(text: str) -> EventId:
    value = text.strip().lower()
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise BadInput("unknown-motion") from None
    if len(raw) != 16:
        raise BadInput("unknown-motion")
    return EventId(raw)


def find_motion(rt: AllianceRuntime, ref: str) -> Motion:
    """A motion by the start (6+ hex digits) of its id."""
    wanted = ref.strip().lower()
    found = [m for m in rt.org.motions.values() if m.motion_id.hex().startswith(wanted)]
    if len(wanted) < 6 or len(found) != 1:
        raise BadInput("unknown-motion")
    return found[0]


def _org_call(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except InvalidEvent as exc:
        raise refused(exc) from None


def register_key(ws: Workspace, alliance: str, cell: str) -> EventEnvelope:
    """Register the cell's key with the alliance, proved by a signature under the cell's
    pseudonym there (our seat's cover name)."""
    art = alliances.find_alliance(ws, alliance)
    seed = _held(cells.find_cell(ws, cell))
    public = keys.public_of(seed)
    pseudonym = art.org.cover_name(art.own_leaf)
    proof = keys.sign(seed, keys.possession_body(pseudonym, public))
    return runtime.send_event(ws, art, CellKeyRegistered(public, proof))


def register_alternate(
    ws: Workspace, alliance: str, cell: str, alternate_card: str
) -> EventEnvelope:
    """Register the alternate's alliance card (made under the cell's pseudonym and
    handed over in person), signed by the cell's key: every delegate then holds it."""
    art = alliances.find_alliance(ws, alliance)
    seed = _held(cells.find_cell(ws, cell))
    card = read_card_input(alternate_card, now=ws.now())
    pseudonym = art.org.cover_name(art.own_leaf)
    signature = keys.sign(seed, keys.alternate_body(pseudonym, card.fingerprint))
    body = AlternateRegistered(card_bytes(card), card.fingerprint, card.expires_at, signature)
    return runtime.send_event(ws, art, body)


def vote_as_mandated(ws: Workspace, alliance: str, cell: str, motion: str) -> EventEnvelope:
    """Cast the cell's vote on `motion` as the cell's closed mandate decision says, with
    its reference (the cell later sees, in the signed tally, that it was so)."""
    art = alliances.find_alliance(ws, alliance)
    found = find_motion(art, motion)
    rt = cells.find_cell(ws, cell)
    agree = mandated_vote(rt.org, found.motion_id)
    mandate = rt.org.fed.mandates.get(found.motion_id)
    if agree is None or mandate is None:
        raise refused(InvalidEvent("not-due"))
    return runtime.send_event(ws, art, CellVoted(found.motion_id, agree, mandate.ref))


def sign_tally(ws: Workspace, alliance: str, cell: str, motion: str) -> EventEnvelope:
    """Sign the tally of closed motion `motion` with the cell's key."""
    art = alliances.find_alliance(ws, alliance)
    found = find_motion(art, motion)
    seed = _held(cells.find_cell(ws, cell))
    signed = _org_call(lambda: tally_to_sign(art.org, found.motion_id))
    return runtime.send_event(ws, art, TallySigned(found.motion_id, keys.sign(seed, signed)))


def carry_rotation(ws: Workspace, alliance: str, cell: str) -> EventEnvelope:
    """Carry the cell's last key rotation (signed by the old key, in the cell's log) to
    the alliance, which then knows the cell by its new key."""
    art = alliances.find_alliance(ws, alliance)
    key = cells.find_cell(ws, cell).org.fed.key
    if key is None or key.sequence == 0:
        raise refused(InvalidEvent("no-cell-key"))
    pseudonym = art.org.cover_name(art.own_leaf)
    ref = keys.decision_ref(key.decision_id)
    return runtime.send_event(
        ws, art, CellKeyRotated(pseudonym, key.public_key, ref, key.signature)
    )


def carry_recall(ws: Workspace, alliance: str, code: str) -> EventEnvelope:
    """Post a cell's recall (handed over as a recall code) to the alliance; every
    delegate checks the cell's signature, and the first who can commits the swap."""
    art = alliances.find_alliance(ws, alliance)
    got = read_recall_code(code)
    body = DelegateSwapped(got.cell, got.card_fingerprint, got.recall, got.signature)
    env = runtime.send_event(ws, art, body)
    runtime.plan(ws, art)
    return env


# --- what the faces show ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportLine:
    motion: str
    question: str
    adopted: bool
    agree: int
    disagree: int
    cast: bool | None
    mandated: bool | None
    followed: bool | None
    signed_by: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class DelegateView:
    """A cell's federation as its members see it."""

    delegate: str
    alternate: str
    pseudonym: str
    term_end: int
    mandate: str
    #: The cell key's fingerprint (hex, 16 digits), "" without a key.
    key_fingerprint: str
    holders: tuple[str, ...]
    key_due: bool
    holds_key: bool
    recalled: tuple[str, ...]
    mandates: tuple[tuple[str, str], ...]
    reports: tuple[ReportLine, ...]


def key_fingerprint(public: bytes) -> str:
    """What holders compare in person: 16 hex digits of the key's SHA-256."""
    return hashlib.sha256(b"hasteh-cell-key\0" + public).hexdigest()[:16]


def delegate_view(ws: Workspace, cell: str) -> DelegateView:
    rt = cells.find_cell(ws, cell)
    fed = rt.org.fed
    d = fed.delegation
    key = fed.key
    return DelegateView(
        delegate=d.delegate_name if d else "",
        alternate=d.alternate_name if d else "",
        pseudonym=d.pseudonym if d else "",
        term_end=d.term_end if d else 0,
        mandate=d.mandate if d else "",
        key_fingerprint=key_fingerprint(key.public_key) if key else "",
        holders=tuple(sorted(rt.org.cover_name(h) for h in key.holders)) if key else (),
        key_due=key_due(rt.org),
        holds_key=key is not None and key.public_key.hex() in rt.record.held_keys,
        recalled=tuple(r.recalled_name for r in fed.recalls),
        mandates=tuple((m.motion_id.hex(), m.question) for m in fed.mandates.values()),
        reports=tuple(
            ReportLine(
                r.motion_id.hex()[:8],
                r.question,
                r.outcome.adopted,
                r.outcome.agree,
                r.outcome.disagree,
                r.cast,
                r.mandated,
                r.followed,
                r.signed_by,
                r.note,
            )
            for r in sorted(fed.reports.values(), key=lambda r: (r.at, r.report_id))
        ),
    )


@dataclass(frozen=True, slots=True)
class MotionLine:
    motion: str
    question: str
    deadline: int
    is_open: bool
    votes: tuple[tuple[str, bool], ...]
    adopted: bool | None
    signed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AllianceView:
    """An alliance as a delegate sees it: cells by pseudonym, never a person."""

    name: str
    me: str
    cells: tuple[str, ...]
    keyed: tuple[str, ...]
    alternates: tuple[str, ...]
    proposals: tuple[str, ...]
    recalls: tuple[str, ...]
    motions: tuple[MotionLine, ...]
    alarms: int
    #: Proposed cells whose card came through a vouching code (`hasteh.app.vouching`).
    vouched: tuple[str, ...] = ()
    #: This delegate's vouching codes nobody has used yet.
    vouch_codes: int = 0


def alliance_view(ws: Workspace, alliance: str) -> AllianceView:
    rt = alliances.find_alliance(ws, alliance)
    state = rt.org
    motions = sorted(state.motions.values(), key=lambda m: (m.at, m.motion_id))
    return AllianceView(
        name=state.name,
        me=state.cover_name(rt.own_leaf) if rt.active else "",
        cells=tuple(sorted(state.cells)),
        keyed=tuple(sorted(state.cell_keys)),
        alternates=tuple(sorted(state.alternates)),
        proposals=tuple(sorted(p.cell for p in state.proposals.values())),
        recalls=tuple(sorted(state.recalls)),
        motions=tuple(
            MotionLine(
                m.motion_id.hex(),
                m.question,
                m.deadline,
                m.is_open,
                tuple(sorted(m.votes.items())),
                None if m.outcome is None else m.outcome.adopted,
                tuple(sorted(m.signatures)),
            )
            for m in motions
        ),
        alarms=len(state.alarms),
        vouched=tuple(sorted(p.cell for p in state.proposals.values() if p.vouched)),
        vouch_codes=sum(1 for v in rt.record.vouches if v.expires_at > ws.now()),
    )
