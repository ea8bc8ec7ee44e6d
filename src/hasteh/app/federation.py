"""Federation for a delegate (issue 17): joint actions, the programme, warnings, the
council and report-backs, through the alliance's runtime (internal API of the faces).

    federation.declare_council(ws, "national")                     # CouncilDeclared
    action = federation.propose_joint(ws, "north", title, demands, date, decide_by)
    federation.opt_in(ws, "north", action, 7)                      # a number, never names
    amendment = federation.propose_amendment(ws, "north", "Wages", text, deadline)
    federation.vote(...)  is `alliances.vote`: an amendment's id is its motion's id
    federation.endorse(ws, "north", version, key)                  # the cell key signs
    federation.warn(ws, "north", "informer", text)
    federation.report_down(ws, "national", motion, into="north")   # one level down
    naming = federation.name_editors(ws, "north", ["cell-a", "cell-b"], deadline)
    federation.compile_issue(ws, "north", editorial, title="...")  # an editor's device
    federation.republish(ws, "north", 1, into="bakery")           # claim, key chain, text

The lowest seat closes votes and ratifies adopted amendments (`alliance_domain.duties`).
A report-back goes from a group this profile sits in (an alliance or a council) into
another one it sits in, one level down (an alliance, or its own cell): the delegate's
device holds both, and nothing of the upper group but the question, the outcome and the
chain of group names crosses into the lower one.

The nationwide bulletin is signed with **the alliance's bulletin key**: the alliance
names its editors (cells, by pseudonym) by an adopted motion (`name_editors`), and the
key then lives on their delegates' seats exactly as a cell's lives on its editors'
devices (`hasteh.app.bulletin_key`): made, sealed, rotated, deleted by the seats' duties.
`compile_issue` signs with the key this device holds, and refuses (nothing sent) on a
device that holds none. A republished issue carries the alliance's key chain (its first
key and every rotation, each signed by the key it replaced), and a cell checks every
issue against the longest chain it has been given from that alliance: an issue signed
by a key the alliance rotated away is flagged (`stale-key`), never "genuine".
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hasteh.app import bulletin_key, runtime
from hasteh.app.alliances import find_alliance
from hasteh.app.errors import AppCode, BadInput, clean_or_refuse, refused
from hasteh.app.kinds import all_groups
from hasteh.app.runtime import GroupRuntime
from hasteh.i18n import parse_digits, whole_number
from hasteh.jalali import jalali_date
from hasteh.org import EventEnvelope, EventId, InvalidEvent
from hasteh.org.alliance import AllianceState, Motion, key_holders
from hasteh.org.events import MAX_EVENT_BYTES
from hasteh.org.events.federation import (
    MAX_DEMANDS,
    MAX_EDITORS,
    AmendmentProposed,
    ArticleSubmitted,
    CarriedDown,
    CouncilDeclared,
    EditorsNamed,
    IssueCompiled,
    JointActionProposed,
    JointOptedIn,
    ProgrammeEndorsed,
    WarningKind,
    WarningRaised,
)
from hasteh.org.joint import go
from hasteh.org.keychain import reason_digest, rotation_due
from hasteh.org.nationwide import SubmittedArticle
from hasteh.org.programme import Programme, ProgrammeVersion, Section, endorsers, sign_endorsement
from hasteh.org.reports import CellWarning, Report, ordered
from hasteh.publish import press, signing
from hasteh.publish.claim import ClaimRefused, make_claim, read_claim
from hasteh.publish.errors import PublishError
from hasteh.publish.issue import parse_issue
from hasteh.publish.keys import BulletinKey, fingerprint_of, fingerprint_text
from hasteh.publish.rotation import ChainBroken, Rotation, follow

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "WORDS",
    "AmendmentView",
    "FederationView",
    "IssueStatus",
    "JointView",
    "KeyView",
    "VersionView",
    "VoteView",
    "bulletin_status",
    "bulletin_statuses",
    "compile_issue",
    "declare_council",
    "endorse",
    "find_group",
    "issue_source",
    "issue_status",
    "issue_text",
    "joint_ref",
    "key_view",
    "name_editors",
    "opt_in",
    "pass_down",
    "press_issue",
    "propose_amendment",
    "propose_joint",
    "report_down",
    "report_ref",
    "report_warning",
    "reports_in",
    "republish",
    "submit_article",
    "view",
    "vote_ref",
    "warn",
    "warning_ref",
]

#: How the faces show statuses, kinds of warning and report, and a bulletin's verdict
#: (English msgids; each face translates).
WORDS: Final[Mapping[str, str]] = {
    "open": "open",
    "adopted": "adopted",
    "rejected": "rejected",
    "go": "go",
    "no-go": "no go",
    "informer": "an informer's methods",
    "place": "a compromised place",
    "other": "other",
    "decision": "decision",
    "warning": "warning",
    "programme": "programme",
    "action": "joint action",
    "bulletin": "bulletin",
    "genuine": "genuine",
    "altered": "altered: not what its claim signs",
    "other-key": "signed by another key than the alliance's",
    "stale-key": "signed by a key the alliance replaced: a forgery, or a stolen key",
}

#: A section's text, a warning: at most this many characters (well inside one event).
MAX_TEXT = 16_000


def _id(env: EventEnvelope) -> EventId:
    return EventId(env.event_id)


def declare_council(ws: Workspace, alliance: str) -> EventEnvelope:
    """Mark the alliance this profile just formed, still alone in it, as a council."""
    return runtime.send_event(ws, find_alliance(ws, alliance), CouncilDeclared())


def propose_joint(
    ws: Workspace,
    alliance: str,
    title: str,
    demands: Sequence[str],
    *,
    date: int,
    decide_by: int,
) -> EventId:
    """A joint action of the member cells; it opens the alliance's go/no-go vote."""
    clean_title = clean_or_refuse(title, limit=200)
    listed = tuple(d.strip() for d in demands if d.strip())
    if not listed or len(listed) > MAX_DEMANDS or any(len(d) > 200 for d in listed):
        raise BadInput("bad-demands")
    body = JointActionProposed(clean_title, listed, date, decide_by)
    return _id(runtime.send_event(ws, find_alliance(ws, alliance), body))


def opt_in(ws: Workspace, alliance: str, action: bytes, count: int) -> EventEnvelope:
    """Our cell's count of members taking part: a number the cell agreed to give."""
    if not 0 <= count <= 1_000:
        raise BadInput("bad-count")
    body = JointOptedIn(EventId(action), count)
    return runtime.send_event(ws, find_alliance(ws, alliance), body)


def propose_amendment(
    ws: Workspace, alliance: str, section: str, text: str, *, deadline: int
) -> EventId:
    """Our cell proposes that `section` read `text` (empty: remove it), on the current
    version; the alliance votes on it (its id is the vote's id)."""
    rt = find_alliance(ws, alliance)
    title = clean_or_refuse(section, limit=200)
    body = text.strip()
    if len(body) > MAX_TEXT:
        raise BadInput("message-too-long")
    amendment = AmendmentProposed(title, body, rt.org.programme.number, deadline)
    return _id(runtime.send_event(ws, rt, amendment))


def endorse(ws: Workspace, alliance: str, version: int, key: Ed25519PrivateKey) -> EventEnvelope:
    """Our cell endorses programme `version`, signed with the cell's key (which the cell
    uses only after it decided to endorse)."""
    rt = find_alliance(ws, alliance)
    ratified = rt.org.programme.version(version)
    if ratified is None:
        raise refused(InvalidEvent("unknown-version", version=version))
    body = ProgrammeEndorsed(version, sign_endorsement(key, ratified))
    return runtime.send_event(ws, rt, body)


def warn(ws: Workspace, alliance: str, kind: WarningKind, text: str) -> EventId:
    """Our cell's warning to the alliance, under its pseudonym."""
    body = text.strip()
    if not body:
        raise BadInput("empty-message")
    if len(body) > MAX_TEXT:
        raise BadInput("message-too-long")
    return _id(runtime.send_event(ws, find_alliance(ws, alliance), WarningRaised(kind, body)))


def find_group(ws: Workspace, ref: str) -> GroupRuntime[Any]:
    """A group of this profile (a cell, an alliance, a council) by name or id start."""
    wanted = ref.strip()
    found = [
        rt
        for rt in all_groups(ws)
        if rt.name == wanted or (len(wanted) >= 6 and rt.group_id.hex().startswith(wanted))
    ]
    if len(found) != 1:
        raise BadInput("unknown-group")
    return found[0]


def report_down(ws: Workspace, source: str, motion: bytes, *, into: str) -> EventEnvelope:
    """Carry the closed motion `motion` of group `source` (an alliance or a council this
    profile sits in) into group `into`, one level down: its question and outcome."""
    upper = find_alliance(ws, source)
    decided = upper.org.motions.get(EventId(motion))
    if decided is None or decided.outcome is None:
        raise BadInput("unknown-decision")
    body = CarriedDown(
        "decision", upper.name[:64], decided.question, decided.outcome, (upper.name[:200],)
    )
    return _carry(ws, into, body)


def report_warning(ws: Workspace, source: str, warning: bytes, *, into: str) -> EventEnvelope:
    """Carry a member cell's warning from alliance `source` into group `into` (our
    cell, or the alliance below a council), naming the warning cell's pseudonym only."""
    upper = find_alliance(ws, source)
    raised = upper.org.warnings.get(EventId(warning))
    if raised is None:
        raise BadInput("unknown-decision")
    text = f"[{raised.kind}] {raised.cell}: {raised.text}"[:MAX_TEXT]
    body = CarriedDown("warning", upper.name[:64], text, None, (upper.name[:200],))
    return _carry(ws, into, body)


def pass_down(ws: Workspace, source: str, report: bytes, *, into: str) -> EventEnvelope:
    """Carry a report-back that reached group `source` (from the level above) one level
    further down, into group `into`: the chain of groups grows by `source`."""
    upper = find_alliance(ws, source)
    got = upper.org.carried.get(EventId(report))
    if got is None:
        raise BadInput("unknown-decision")
    path = (*got.path[-7:], upper.name[:200])
    body = CarriedDown(got.kind, upper.name[:64], got.text, got.outcome, path)
    return _carry(ws, into, body)


def _carry(ws: Workspace, into: str, body: CarriedDown) -> EventEnvelope:
    lower = find_group(ws, into)
    if len(body.text.encode()) > MAX_EVENT_BYTES // 2:
        raise BadInput("message-too-long")
    return runtime.send_event(ws, lower, body)


# --- what the faces show -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoteView:
    """An alliance vote (a motion, an amendment's or a joint action's), by its number."""

    number: int
    motion_id: EventId
    question: str
    deadline: int
    opened_by: str
    votes: int
    #: "open", "adopted" or "rejected".
    status: str
    agree: int = 0
    disagree: int = 0


@dataclass(frozen=True, slots=True)
class AmendmentView:
    vote: VoteView
    section: str
    text: str
    base: int
    proposed_by: str
    ratified_as: int | None


@dataclass(frozen=True, slots=True)
class JointView:
    vote: VoteView
    title: str
    demands: tuple[str, ...]
    date: int
    proposed_by: str
    #: ``(cell pseudonym, count)``, sorted by pseudonym: numbers only.
    counts: tuple[tuple[str, int], ...]
    total: int
    go: str


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    at: int
    proposed_by: str
    sections: tuple[Section, ...]
    endorsers: tuple[str, ...]
    #: The first 16 hex digits of the version's digest, to compare in person.
    fingerprint: str


@dataclass(frozen=True, slots=True)
class FederationView:
    """One alliance (or council) as a delegate's faces show it."""

    name: str
    council: bool
    cells: tuple[str, ...]
    my_cell: str
    current: VersionView | None
    history: tuple[VersionView, ...]
    amendments: tuple[AmendmentView, ...]
    joint: tuple[JointView, ...]
    votes: tuple[VoteView, ...]
    warnings: tuple[CellWarning, ...]
    reports: tuple[Report, ...]
    #: Articles submitted for the nationwide bulletin, oldest first.
    articles: tuple[SubmittedArticle, ...] = ()
    #: ``(number, title, status)`` of every issue compiled (`issue_status`).
    issues: tuple[tuple[int, str, str], ...] = ()


def _motions(state: AllianceState) -> list[Motion]:
    return sorted(state.motions.values(), key=lambda m: (m.at, m.motion_id))


def _vote_view(number: int, m: Motion) -> VoteView:
    if m.outcome is None:
        return VoteView(
            number, m.motion_id, m.question, m.deadline, m.opened_by, len(m.votes), "open"
        )
    status = "adopted" if m.outcome.adopted else "rejected"
    o = m.outcome
    return VoteView(
        number,
        m.motion_id,
        m.question,
        m.deadline,
        m.opened_by,
        len(m.votes),
        status,
        o.agree,
        o.disagree,
    )


def _version_view(prog: Programme, v: ProgrammeVersion) -> VersionView:
    return VersionView(
        v.number,
        v.at,
        v.proposed_by,
        v.sections,
        tuple(endorsers(prog, v.number)),
        v.digest.hex()[:16],
    )


def view(ws: Workspace, alliance: str) -> FederationView:
    """Everything the programme page and `hasteh federation show` show."""
    rt = find_alliance(ws, alliance)
    state = rt.org
    votes = {m.motion_id: _vote_view(i, m) for i, m in enumerate(_motions(state), 1)}
    prog = state.programme
    amendments = tuple(
        AmendmentView(
            votes[a.amendment_id], a.section, a.text, a.base, a.proposed_by, a.ratified_as
        )
        for a in sorted(prog.amendments.values(), key=lambda a: (a.at, a.amendment_id))
    )
    joint = tuple(
        JointView(
            votes[j.action_id],
            j.title,
            j.demands,
            j.date,
            j.proposed_by,
            tuple(sorted(j.counts.items())),
            j.total,
            go(None if (o := state.motions[j.action_id].outcome) is None else o.adopted),
        )
        for j in sorted(state.joint.values(), key=lambda j: (j.at, j.action_id))
    )
    history = tuple(_version_view(prog, v) for v in reversed(prog.versions))
    return FederationView(
        name=rt.name,
        council=state.council,
        cells=tuple(sorted(state.cells)),
        my_cell=state.cover_name(rt.own_leaf),
        current=history[0] if history else None,
        history=history,
        amendments=amendments,
        joint=joint,
        votes=tuple(votes.values()),
        warnings=tuple(sorted(state.warnings.values(), key=lambda w: (w.at, w.warning_id))),
        reports=tuple(ordered(state.carried)),
        articles=tuple(sorted(state.articles.values(), key=lambda a: (a.at, a.article_id))),
        issues=tuple((i.number, i.title, _issue_status(state, i.number)) for i in state.issues),
    )


def reports_in(ws: Workspace, group: str) -> tuple[Report, ...]:
    """The report-backs carried into a group of this profile (a cell or an alliance)."""
    return tuple(ordered(find_group(ws, group).org.carried))


def _pick(ids: Sequence[EventId], ref: str, code: AppCode) -> EventId:
    """An id by its number (1, ۱, #2) or the start (4+ hex digits) of its id."""
    value = parse_digits(ref).strip().lstrip("#")
    number = whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(ids):
        return ids[number - 1]
    low = value.lower()
    matches = [i for i in ids if len(low) >= 4 and i.hex().startswith(low)]
    if len(matches) != 1:
        raise BadInput(code)
    return matches[0]


def vote_ref(ws: Workspace, alliance: str, ref: str) -> EventId:
    """A vote of the alliance by its number (`view(...).votes`)."""
    state = find_alliance(ws, alliance).org
    return _pick([m.motion_id for m in _motions(state)], ref, "unknown-fed-item")


def joint_ref(ws: Workspace, alliance: str, ref: str) -> EventId:
    """A joint action by its number among the joint actions."""
    state = find_alliance(ws, alliance).org
    ids = [j.action_id for j in sorted(state.joint.values(), key=lambda j: (j.at, j.action_id))]
    return _pick(ids, ref, "unknown-joint-action")


def warning_ref(ws: Workspace, alliance: str, ref: str) -> EventId:
    state = find_alliance(ws, alliance).org
    ids = [
        w.warning_id for w in sorted(state.warnings.values(), key=lambda w: (w.at, w.warning_id))
    ]
    return _pick(ids, ref, "unknown-fed-item")


def report_ref(ws: Workspace, group: str, ref: str) -> EventId:
    return _pick([r.report_id for r in reports_in(ws, group)], ref, "unknown-fed-item")


# --- the nationwide bulletin ---------------------------------------------------------------

#: What `issue_status` answers.
IssueStatus = Literal["genuine", "altered", "other-key", "stale-key"]


def submit_article(ws: Workspace, alliance: str, title: str, body: str) -> EventId:
    """Our cell's article for the nationwide bulletin (Markdown, as the press reads it)."""
    heading = " ".join(title.split())
    text = body.strip()
    if not heading or len(heading) > 120:
        raise BadInput("bad-thread-title")
    if not text:
        raise BadInput("empty-message")
    if len(text) > MAX_TEXT:
        raise BadInput("message-too-long")
    rt = find_alliance(ws, alliance)
    return _id(runtime.send_event(ws, rt, ArticleSubmitted(heading, text)))


def issue_source(
    state: AllianceState, title: str, number: int, day: int, articles: Sequence[EventId]
) -> str:
    """The issue file (`hasteh.publish.issue` format) the articles make: the same text on
    every delegate's device, so the claim can be checked against it."""
    date = jalali_date(dt.datetime.fromtimestamp(day, dt.UTC).date())
    parts = [f"---\ntitle: {title}\nnumber: {number}\ndate: {date}\n---"]
    for ref in articles:
        article = state.articles[ref]
        parts.append(f"# {article.title}\n\n{article.body}")
    return "\n\n".join(parts) + "\n"


def _editor_key(rt: GroupRuntime[AllianceState]) -> BulletinKey:
    """The alliance's current bulletin key on this device: `fed-not-editor` if this seat
    is not named or holds no key, `fed-key-rotating` while a rotation is due or the key
    has not reached this seat yet."""
    holders = key_holders(rt.org)
    if rt.own_leaf not in holders.named:
        raise BadInput("fed-not-editor")
    if holders.current is None or rotation_due(holders) is not None:
        raise BadInput("fed-key-rotating")
    key = bulletin_key.held_key(rt, key_holders)
    if key is None:
        raise BadInput("fed-key-rotating")
    return key


def compile_issue(
    ws: Workspace,
    alliance: str,
    motion: bytes,
    *,
    title: str,
    articles: Sequence[bytes] | None = None,
) -> int:
    """Compile the next issue as motion `motion` (adopted) decided: the articles named,
    or every article not yet in an issue, oldest first; the claim signed with the
    alliance's bulletin key, which this device must hold (an editor's seat; else
    `fed-not-editor`, nothing sent). Returns the issue's number."""
    rt = find_alliance(ws, alliance)
    key = _editor_key(rt)
    state = rt.org
    used = {a for issue in state.issues for a in issue.articles}
    chosen = (
        [EventId(a) for a in articles]
        if articles is not None
        else [
            a.article_id
            for a in sorted(state.articles.values(), key=lambda a: (a.at, a.article_id))
            if a.article_id not in used
        ]
    )
    if not chosen:
        raise BadInput("empty-message")
    number, day = len(state.issues) + 1, ws.now()
    heading = clean_or_refuse(title, limit=120)
    source = issue_source(state, heading, number, day, chosen)
    try:
        issue = parse_issue(source.encode())
    except PublishError as exc:
        raise BadInput("message-too-long") from exc
    claim = make_claim(key, number, issue.digest()).to_text()
    body = IssueCompiled(EventId(motion), number, heading, day, tuple(chosen), claim, key.public)
    runtime.send_event(ws, rt, body)
    return number


def _status(source: str, claim_text: str, issuer: bytes | None) -> IssueStatus:
    try:
        claim = read_claim(claim_text)
        issue = parse_issue(source.encode())
    except (ClaimRefused, PublishError):
        return "altered"
    if claim.content_hash != issue.digest():
        return "altered"
    if issuer is not None and claim.issuer != issuer:
        return "other-key"
    return "genuine"


def issue_status(ws: Workspace, alliance: str, number: int) -> IssueStatus:
    """Whether issue `number` is genuine: its claim is signed, its content hash is that
    of the articles in the log, and its key is the alliance's key that was current when
    the issue was compiled (the log accepts an issue only from a holder of it)."""
    state = find_alliance(ws, alliance).org
    if not 1 <= number <= len(state.issues):
        raise BadInput("unknown-fed-item")
    return _issue_status(state, number)


def _issue_status(state: AllianceState, number: int) -> IssueStatus:
    compiled = state.issues[number - 1]
    source = issue_source(state, compiled.title, number, compiled.day, compiled.articles)
    issuer = fingerprint_of(compiled.key) if len(compiled.key) == 32 else b"\0"
    return _status(source, compiled.claim, issuer)


def issue_text(ws: Workspace, alliance: str, number: int) -> str:
    """Issue `number`'s file (what the press renders), rebuilt from the log."""
    state = find_alliance(ws, alliance).org
    if not 1 <= number <= len(state.issues):
        raise BadInput("unknown-fed-item")
    compiled = state.issues[number - 1]
    return issue_source(state, compiled.title, number, compiled.day, compiled.articles)


def chain_line(state: AllianceState) -> str:
    """The alliance's key chain as one line of a republished issue: ``keys:`` then its
    first key (hex) and each rotation (`publish.rotation.Rotation`: sequence, old key,
    new key, the reason's digest, the old key's signature; URL-safe base64), comma
    separated."""
    keys = state.keychain.keys
    if not keys:
        return _CHAIN_PREFIX
    parts = [keys[0].public.hex()]
    for record in keys[1:]:
        link = record.rotation
        if link is None or record.reason_id is None:
            break
        raw = (
            link.sequence.to_bytes(4, "big")
            + link.old
            + record.public
            + reason_digest(record.reason_id)
            + link.signature
        )
        parts.append(base64.urlsafe_b64encode(raw).decode("ascii"))
    return _CHAIN_PREFIX + ",".join(parts)


_CHAIN_PREFIX: Final = "keys:"
_LINK_SIZE: Final = 4 + 32 + 32 + 32 + 64
#: At most this many rotations are read from a republished issue.
MAX_CHAIN_LINKS: Final = 64


def read_chain(line: str) -> tuple[bytes, tuple[Rotation, ...]]:
    """A chain line's first key and rotations (not yet followed); `ValueError` if it is
    not one."""
    if not line.startswith(_CHAIN_PREFIX):
        raise ValueError("no key chain")
    parts = line[len(_CHAIN_PREFIX) :].split(",")
    if not parts[0] or len(parts) > MAX_CHAIN_LINKS + 1:
        raise ValueError("no key chain")
    root = bytes.fromhex(parts[0])
    if len(root) != 32:
        raise ValueError("no key chain")
    links = []
    for part in parts[1:]:
        raw = base64.urlsafe_b64decode(part.encode("ascii"))
        if len(raw) != _LINK_SIZE:
            raise ValueError("bad link")
        links.append(
            Rotation(int.from_bytes(raw[:4], "big"), raw[4:36], raw[36:68], raw[68:100], raw[100:])
        )
    return root, tuple(links)


def republish(ws: Workspace, alliance: str, number: int, *, into: str) -> EventEnvelope:
    """Carry a genuine issue into our cell: its claim, the alliance's key chain, then its
    file, so every member can check it (`bulletin_status`) and print it with the press."""
    if issue_status(ws, alliance, number) != "genuine":
        raise BadInput("unknown-fed-item")
    rt = find_alliance(ws, alliance)
    claim = rt.org.issues[number - 1].claim
    text = claim + "\n" + chain_line(rt.org) + "\n" + issue_text(ws, alliance, number)
    body = CarriedDown("bulletin", rt.name[:64], text[:16_000], None, (rt.name[:200],))
    if len(text) > 16_000:
        raise BadInput("message-too-long")
    return _carry(ws, into, body)


@dataclass(frozen=True, slots=True)
class _Republished:
    claim: str
    root: bytes
    links: tuple[Rotation, ...]
    source: str


def _read_republished(report: Report) -> _Republished | None:
    claim, _, rest = report.text.partition("\n")
    line, _, source = rest.partition("\n")
    try:
        root, links = read_chain(line)
    except (ValueError, UnicodeEncodeError):
        return None
    return _Republished(claim, root, links, source)


def _extends(longer: tuple[Rotation, ...], shorter: tuple[Rotation, ...]) -> bool:
    return longer[: len(shorter)] == shorter


def _keys_of(root: bytes, links: Sequence[Rotation]) -> list[bytes]:
    """The fingerprints of a chain's keys, oldest first."""
    return [fingerprint_of(root), *(fingerprint_of(link.new) for link in links)]


def bulletin_statuses(reports: Sequence[Report]) -> dict[int, IssueStatus]:
    """Each republished issue among `reports` (by position), checked the way every
    member of the cell checks it, whatever order the reports arrived in:

    * its text must be what its claim signs (else `altered`);
    * its key chain must hold (each rotation signed by the key it replaced), start at
      the first key this cell was given by the same alliance (the first of the path, in
      the log's order), and agree with the longest chain the cell holds from it (else
      `other-key`); its claim's key must be a key of that chain (else `other-key`);
    * signed by the chain's current key, it is `genuine`; signed by a key the chain
      retired, it is genuine only if no issue numbered the same or lower was signed by
      a later key: otherwise the old key signed after it was replaced (`stale-key`: a
      forgery with a copy taken from a seized or recalled device).

    The first key itself is trusted on first sight; its fingerprint is printed on every
    issue's last page, for members to compare with their delegate in person."""
    read: dict[int, tuple[str, _Republished]] = {}
    found: dict[int, IssueStatus] = {}
    for index, report in enumerate(reports):
        if report.kind != "bulletin":
            continue
        got = _read_republished(report)
        if got is None:
            found[index] = "other-key"
            continue
        content = _status(got.source, got.claim, None)
        if content != "genuine":
            found[index] = content
            continue
        try:
            follow(fingerprint_of(got.root), got.links)
        except ChainBroken:
            found[index] = "other-key"
            continue
        read[index] = (report.path[0] if report.path else report.source, got)
    roots: dict[str, bytes] = {}
    best: dict[str, tuple[Rotation, ...]] = {}
    for origin, got in read.values():
        root = roots.setdefault(origin, got.root)
        if got.root == root and len(got.links) > len(best.get(origin, ())):
            best[origin] = got.links
    signed: dict[int, tuple[str, int, int]] = {}  # index → (origin, key index, number)
    for index, (origin, got) in read.items():
        known = best.get(origin, ())
        consistent = _extends(known, got.links)
        claim = read_claim(got.claim)
        keys = _keys_of(roots[origin], known)
        if got.root != roots[origin] or not consistent or claim.issuer not in keys:
            found[index] = "other-key"
            continue
        signed[index] = (origin, keys.index(claim.issuer), claim.number)
    for index, (origin, key, number) in signed.items():
        later = any(o == origin and k > key and n <= number for o, k, n in signed.values())
        found[index] = "stale-key" if later else "genuine"
    return found


def bulletin_status(report: Report, among: Sequence[Report] = ()) -> IssueStatus:
    """Whether a republished issue is genuine (`bulletin_statuses`), given the report-backs
    of its cell (`among`, oldest first; the issue is checked after them if not among
    them)."""
    listed = list(among)
    where = next((i for i, r in enumerate(listed) if r == report), None)
    if where is None:
        listed.append(report)
        where = len(listed) - 1
    return bulletin_statuses(listed).get(where, "other-key")


def _fingerprint(public: bytes) -> str:
    return fingerprint_text(fingerprint_of(public))


@dataclass(frozen=True, slots=True)
class KeyView:
    """The alliance's bulletin key, as the programme page and `federation editors` show it."""

    #: The cells whose seats hold the key (the latest adopted naming), sorted.
    editors: tuple[str, ...]
    #: Whether this seat is named, and whether it holds the current key.
    named: bool
    holds: bool
    #: The current key's fingerprint (to compare in person), "" before the first key.
    fingerprint: str
    #: How many times the key was replaced.
    rotations: int
    rotation_due: bool
    #: Namings still put to the vote: ``(vote number, the cells it names)``.
    open_namings: tuple[tuple[int, tuple[str, ...]], ...] = ()


def key_view(ws: Workspace, alliance: str) -> KeyView:
    rt = find_alliance(ws, alliance)
    state = rt.org
    holders = key_holders(state)
    current = holders.current
    cells = sorted({state.cover_name(leaf) for leaf in holders.named})
    return KeyView(
        editors=tuple(cells),
        named=rt.own_leaf in holders.named,
        holds=bulletin_key.held_key(rt, key_holders) is not None,
        fingerprint=_fingerprint(current.public) if current is not None else "",
        rotations=max(len(holders.chain.keys) - 1, 0),
        rotation_due=rotation_due(holders) is not None,
        open_namings=tuple(
            (number, state.editor_namings[m.motion_id])
            for number, m in enumerate(_motions(state), 1)
            if m.motion_id in state.editor_namings and m.is_open
        ),
    )


def name_editors(ws: Workspace, alliance: str, cells: Sequence[str], *, deadline: int) -> EventId:
    """Our cell proposes that the delegates of `cells` (member cells, by pseudonym) hold
    the alliance's bulletin key; the alliance votes on it (its id is the vote's id)."""
    rt = find_alliance(ws, alliance)
    named = tuple(dict.fromkeys(c.strip() for c in cells if c.strip()))
    if not named or len(named) > MAX_EDITORS:
        raise BadInput("bad-editors", most=MAX_EDITORS)
    for cell in named:
        if cell not in rt.org.cells:
            raise refused(InvalidEvent("not-a-member-cell", cell=cell[:64]))
    return _id(runtime.send_event(ws, rt, EditorsNamed(named, deadline)))


def press_issue(ws: Workspace, alliance: str, number: int) -> bytes:
    """Issue `number` as a signed PDF (A4, the claim's QR on its last page): rendered by
    the press from the articles in the log and signed with the alliance's bulletin key
    (held by this editor's seat: the key the issue was compiled with), dated the issue's
    day. Only a genuine issue is printed."""
    if issue_status(ws, alliance, number) != "genuine":
        raise BadInput("unknown-fed-item")
    rt = find_alliance(ws, alliance)
    state = rt.org
    compiled = state.issues[number - 1]
    seed = rt.record.bulletin_keys.get(compiled.key.hex())
    if seed is None:
        raise BadInput("fed-not-editor")
    key = BulletinKey.from_seed(seed)
    issue = parse_issue(issue_text(ws, alliance, number).encode())
    pdf = press.render(issue, press.Layout.A4, read_claim(compiled.claim))
    return signing.sign(pdf, key, dt.datetime.fromtimestamp(compiled.day, dt.UTC))
