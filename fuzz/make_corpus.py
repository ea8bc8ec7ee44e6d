"""Write the seed corpora (`fuzz/corpus/<target>/`) from real objects: envelopes, relay
requests and answers, bundles, cards, MLS messages of the harness groups, org events of the
harness cell, and typed form values. Deterministic: ``uv run python -m fuzz.make_corpus``
rewrites the same files. Seeds stay small (a few dozen files of a few KiB per target)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import sys
from collections.abc import Callable

import msgspec
import pypdf

from fuzz import _actions_cell, _alliance, _mls_world, _org_cell, _study_cell
from fuzz._common import CORPUS, NOW, DetRng
from hasteh import org
from hasteh.app.cards import Card, card_bytes, encode_card
from hasteh.envelope import Kind, seal
from hasteh.mls.codec import encode
from hasteh.mls.framing import MLSMessage, PublicMessage
from hasteh.mls.proposals import proposal_to_bytes
from hasteh.publish.claim import make_claim
from hasteh.publish.keys import BulletinKey
from hasteh.publish.press import scrub
from hasteh.publish.signing import sign


def course() -> list[bytes]:
    """Lesson files as shipped and cut short; quiz forms right, wrong and hostile;
    checklist ticks."""
    from importlib import resources

    lessons = sorted((resources.files("hasteh.course") / "lessons").iterdir(), key=str)
    texts = [item.read_text(encoding="utf-8").encode() for item in lessons][:3]
    seeds = [b"\x00" + t for t in texts] + [b"\x00" + texts[0][:300]]
    for answers in (b"q1=2\nq2=2\nq3=1", b"q1=1\nq2=1", b"q1=9\nq2=x\nq3=", b"q4=1\ncsrf=a"):
        seeds.append(b"\x01" + answers)
    seeds += [b"\x02" + b"1\n3", b"\x02" + b"0", b"\x02\xdb\xb2"]
    return seeds


def write(target: str, seeds: list[bytes]) -> None:
    """Replace the generated seeds of `target`; minimized findings (``crash-*``) stay."""
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if not old.name.startswith("crash-"):
            old.unlink()
    for seed in seeds:
        name = hashlib.sha1(seed).hexdigest()  # noqa: S324 — a file name, like libFuzzer's
        (folder / name).write_bytes(seed)


def envelopes() -> list[bytes]:
    rng = DetRng(b"envelopes")
    found = []
    for kind in Kind:
        for size in (0, 1, 200, 3000):
            epoch = 7 if kind is Kind.COMMIT else 0
            env = seal(kind=kind, mailbox=rng(32), payload=rng(size), rng=rng, epoch=epoch)
            found.append(env.to_bytes())
    return found


def relay_http(envs: list[bytes]) -> list[bytes]:
    mailbox = "ab" * 32
    fetches = [
        {"mailbox": mailbox, "after": "0", "limit": 10, "wait": 0},
        {"mailbox": mailbox, "after": "5", "limit": 1000000, "wait": 0},
        {"mailbox": "zz", "after": "0"},
        {"mailbox": mailbox, "after": "-1", "limit": -1, "wait": -1},
        {"mailbox": mailbox, "after": "9" * 30, "limit": 1, "wait": 0},
    ]
    seeds = [b"\x00" + e for e in envs[:6]]
    seeds += [bytes([1]) + msgspec.json.encode(f) for f in fetches]
    seeds += [b"\x02{}", b"\x03", b"\x04" + envs[0], b"\x01[1,2,3]", b"\x01\xff"]
    return seeds


def relay_client() -> list[bytes]:
    answers = [
        (0, {"id": "ab" * 32, "cursor": "12"}),
        (0, {"id": "ab" * 32, "cursor": "12", "epoch": 3}),
        (0x80, {"envelopes": ["AAAA"], "cursor": "3", "epoch": None, "more": False}),
        (0x80, {"envelopes": [], "cursor": "x", "epoch": 1, "more": True}),
        (6, {"error": "bad_envelope", "detail": "truncated"}),
        (10, {"error": "epoch_conflict", "detail": "", "epoch": 4}),
        (0x80 | 10, {"error": "epoch_conflict", "epoch": "4"}),
    ]
    return [bytes([b]) + msgspec.json.encode(a) for b, a in answers] + [b"\x00", b"\x8e{"]


def courier() -> list[bytes]:
    env = envelopes()
    bodies = [
        [1, [[["https://relay.example"], env[0]]]],
        [1, [[["https://a.example", "http://b.example"], e] for e in env[:4]]],
        [1, []],
        [2, []],
        [1, [[[], env[1]]]],
    ]
    seeds = [b"\x02" + msgspec.msgpack.encode(b) for b in bodies]
    seeds += [b"\x01" + b"\x00\x00\x00\x03" + msgspec.msgpack.encode([1, []]), b"\x00" * 3]
    return seeds


def cards() -> list[bytes]:
    kps = [_mls_world.key_package(n, DetRng(n.encode())) for n in ("reza", "maryam", "سپیده")]
    seeds = []
    for kp in kps:
        card = Card(kp.key_package, b"p" * 32, ("https://relay.example",), NOW + 86_400)
        seeds.append(b"\x00" + encode_card(card).encode())
        seeds.append(b"\x01" + card_bytes(card))
        seeds.append(b"\x02" + kp.key_package.to_bytes())
    seeds.append(b"\x00HC1:SUA4IAGEACI2D7YA6KRDOZQ")
    return seeds


def mls_member() -> list[bytes]:
    seeds = []
    for private in (False, True):
        world = _mls_world.world(private)
        flag = int(private)
        seeds += [bytes([flag | 6]) + world.commit, bytes([flag | 6]) + world.proposal]
        seeds.append(bytes([flag | 4]) + b"hello")
    public = _mls_world.world(False)
    for wire in (public.commit, public.proposal):
        body = MLSMessage.from_bytes(wire).body
        assert isinstance(body, PublicMessage)
        kind = 2 if wire is public.commit else 0
        content = body.content.content
        # A proposal's TLS encoding starts with its type (`proposal_to_bytes`).
        raw = encode(content) if kind == 2 else proposal_to_bytes(content)  # type: ignore[arg-type]
        seeds += [bytes([kind]) + raw, bytes([kind | 1]) + raw]
        if kind == 2:  # bob computes the real confirmation tag (bit 3)
            seeds += [bytes([kind | 8]) + raw, bytes([kind | 9]) + raw]
    return seeds


def mls_welcome() -> list[bytes]:
    from fuzz import fuzz_mls_welcome as w

    info = w.GROUP_INFO
    return [
        b"\x00" + info.tbs.to_bytes(),
        b"\x01" + info.to_bytes(),
        b"\x02" + w.GROUP_SECRETS,
        b"\x03" + _mls_world.world(True).welcome,
    ]


def org_events() -> tuple[list[bytes], list[bytes]]:
    _state, log = _org_cell.build()
    encoded = [org.encode(e) for e in log]
    d = _org_cell.event_id
    extra = [
        org.EventEnvelope(org.VERSION, d(100), org.LeafIndex(2), NOW + 10, body)
        for body in (
            org.StanceCast(log[-2].event_id, org.ProposalStance("block", "no")),
            org.SeizureReviewed(log[-1].event_id, upheld=False, note="not true"),
            org.Vouched(d(8)),
            org.SettingsChanged(d(13)),
            org.DecisionClosed(log[-2].event_id, org.Outcome("adopted")),
            org.MessageDeleted(d(7)) if hasattr(org, "MessageDeleted") else org.Alarm("x"),
            org.LeaveAnnounced(),
            org.Alarm("safety-words-mismatch", org.LeafIndex(1), "words differ"),
        )
    ]
    receive = encoded + [org.encode(e) for e in extra]
    from fuzz.fuzz_join_history import history_body, join

    dave = org.EventEnvelope(
        org.VERSION,
        d(200),
        org.LeafIndex(0),
        0,
        org.MemberAdded(
            org.LeafIndex(3), _org_cell.NAMES[3], _org_cell.card("x"), org.LeafIndex(0), 3
        ),
    )
    full = [*encoded, org.encode(dave)]  # the history dave gets: the tree matches
    logs = [full, encoded, encoded[:5], [*encoded, org.encode(extra[3])]]
    logs += [[*encoded[:1], org.encode(e)] for e in extra[:4]]
    history = [b"\x00" + join(log) for log in logs]
    history += [b"\x01" + join(log) for log in logs[:4]]
    history.append(b"\x02" + history_body(full))
    return receive, history


def mls_diff() -> list[bytes]:
    from hasteh.mls.credential import BasicCredential
    from hasteh.mls.key_package_ops import create_key_package
    from hasteh.mls.leaf_node import Lifetime

    seeds = []
    for private in (False, True):
        world = _mls_world.world(private)
        seeds += [b"\x00" + m for m in (world.commit, world.proposal, world.welcome)]
    rng = DetRng(b"mls-diff")
    for name in (b"x", b"reza", "سپیده".encode()):
        private_key, _ = _mls_world.SUITE.generate_signature_key(rng)
        decade = Lifetime(NOW - 3600, NOW + 10 * 365 * 86_400)  # valid for mls-rs's clock
        kp = create_key_package(
            1, BasicCredential(name), private_key, rng=rng, now=NOW, lifetime=decade
        )
        wire = MLSMessage(kp.key_package).to_bytes()
        seeds += [b"\x00" + wire, b"\x01" + wire]
    from fuzz import fuzz_mls_welcome as w

    seeds.append(b"\x00" + MLSMessage(w.GROUP_INFO).to_bytes())
    return seeds


def mls_diff_group() -> list[bytes]:
    """Each valid message as is and with one edit of each kind; bob re-signing a few
    bodies (an empty commit with and without the real tag, a Remove, application data)."""
    from fuzz.fuzz_mls_diff_group import WORLD

    seeds = []
    for index, (_label, message) in enumerate(WORLD.messages):
        seeds.append(bytes([0, index]))
        middle = (len(message) // 2).to_bytes(2, "big")
        seeds.append(bytes([0, index, 0]) + middle + b"\x01")  # flip a bit mid-message
        if index % 3 == 0:
            seeds.append(bytes([0, index, 3]) + middle + b"\x00")  # truncate there
    empty_commit = b"\x00\x00"  # no proposals, no path
    seeds += [b"\x01\x01" + empty_commit, b"\x01\x05" + empty_commit]
    for index in range(3):  # bob's own proposals and commits, re-signed, unchanged or
        for flags in (0x08, 0x09, 0x0D):  # edited; bit 2: with the real confirmation tag
            seeds.append(bytes([1, flags, index]))
            seeds.append(bytes([1, flags, index, 0, 0, 4, 1]))  # flip a bit early on
    seeds += [b"\x01\x00" + b"\x00\x03\x00\x00\x00\x03", b"\x01\x02hello"]  # Remove(3)
    return seeds


def web_forms() -> list[bytes]:
    texts = ["12", "۱۲", "١٢", "²³", "0" * 20, "-1", " 7 ", "\u200c5", "9" * 5000, "٣٠"]
    seeds = [b"\x00" + t.encode() for t in texts] + [b"\x00\xff\xfe"]
    seeds.append("\x01https://relay.example\nhttp://b\x00socks5h://127.0.0.1:9050\x00۱۴".encode())
    seeds.append(b"\x01\x00\x00" + "٣٦٥".encode())
    seeds += [b"\x02HC1:SUA4IAGEACI2D7YA6KRDOZQ", b"\x02/etc/passwd", b"\x02hc1:\xff\x00"]
    seeds += [b"\x03K7QF-2M9X-ABCD-EFGH-JKLM", b"\x03\xff", "\x03۲۳۴۵".encode()]
    return seeds


def rendezvous() -> list[bytes]:
    """Real frames of a spoken-code exchange, a card payload, an answer, typed codes."""
    from fuzz import fuzz_rendezvous as fr
    from hasteh.app.invite_code import Answer, encode_answer

    newcomer, member = fr.sides()
    opened = newcomer.open()
    (reply,) = member.receive(opened)
    kp = _mls_world.key_package("reza", DetRng(b"rendezvous"))
    card = Card(kp.key_package, b"p" * 32, ("https://relay.example",), NOW + 86_400)
    return [
        b"\x00" + reply.data,  # type: ignore[union-attr]
        b"\x01" + opened,
        b"\x02" + encode_answer(Answer(True, b"g" * 32, "bakery", "sepideh")),
        b"\x02" + encode_answer(Answer(False)),
        b"\x03" + card_bytes(card),
        b"\x04" + fr.CODE.text("fa").encode(),
        b"\x04" + "۴۲ ستاره پلنگ قناری".encode(),
    ]


def fund_ledger() -> list[bytes]:
    """Entries on the harness's fund (mode 0) and typed text (mode 1)."""
    from fuzz.fuzz_fund_ledger import LOG, STATE, event_id
    from hasteh.org.events import Contributed, Disbursed, PledgeKept, RequestApproved

    prev, request, pledge = STATE.fund.prev, event_id(203), event_id(202)
    bodies = [
        Contributed(prev, "cash", 2_500, "از کارگاه"),
        Contributed(prev, "in-kind", 700),
        PledgeKept(prev, pledge, 200),
        RequestApproved(prev, request),
        Disbursed(prev, request, "cash", 3_000),
        Disbursed(prev, request, "cash", 9_000),
        Contributed((bytes(32),), "cash", 1),
        Contributed(prev, "cash", 5, "6037991234567893"),
    ]
    seeds = []
    for n, (author, body) in enumerate(zip((1, 2, 2, 0, 0, 0, 1, 1), bodies, strict=True)):
        env = org.EventEnvelope(1, event_id(900 + n), author, LOG[-1].at + 60, body)
        seeds.append(b"\x00" + org.encode(env))
    texts = ["6037-9912-3456-7893", "IR820540102680020817909002", "۱٬۲۰۰٬۰۰۰", "12a", "0"]
    seeds += [b"\x01" + t.encode() for t in texts]
    return seeds


def bulletin_events() -> list[bytes]:
    """``bulletin.*`` events against the harness's newsroom: the rotation the seizure
    makes due (signed by the old key), forged and misdirected ones, the missing chunk and
    a wrong one, a publication while the rotation is due, copies, a draft, an inbox."""
    from fuzz.fuzz_bulletin_events import FILE, IDS, KEY, LOG, NEW_KEY, event_id
    from hasteh.org.bulletin import rotation_body
    from hasteh.org.events import (
        ArticleCommented,
        ArticleDrafted,
        CopiesDistributed,
        EditorInbox,
        IssueChunk,
        IssuePublished,
        KeyIssued,
    )
    from hasteh.org.events.bulletin import CHUNK_SIZE, RotationLink

    seizure = IDS["seizure"]
    good = KEY.sign(rotation_body(1, KEY.public, NEW_KEY.public, seizure))
    forged = NEW_KEY.sign(rotation_body(1, KEY.public, NEW_KEY.public, seizure))
    digest = bytes(32)
    cases = [
        (0, KeyIssued(NEW_KEY.public, (), RotationLink(1, KEY.public, good), seizure)),
        (0, KeyIssued(NEW_KEY.public, (), RotationLink(1, KEY.public, forged), seizure)),
        (1, KeyIssued(NEW_KEY.public, (), RotationLink(1, KEY.public, good), seizure)),
        (0, KeyIssued(NEW_KEY.public, (), RotationLink(2, KEY.public, good), seizure)),
        (0, IssueChunk(IDS["publication"], 1, FILE[CHUNK_SIZE:])),
        (0, IssueChunk(IDS["publication"], 1, bytes(len(FILE) - CHUNK_SIZE))),
        (0, IssuePublished(IDS["issue2"], KEY.public, 10, 1, digest)),
        (2, CopiesDistributed(IDS["issue"], "Workshop 3", 40)),
        (2, CopiesDistributed(IDS["issue"], "Kaveh", 2)),
        (2, ArticleDrafted("Pay\u202eday", "x")),
        (2, ArticleCommented(IDS["article"], "Shorter")),
        (2, EditorInbox(bytes(32))),
    ]
    return [
        org.encode(org.EventEnvelope(1, event_id(900 + n), author, LOG[-1].at + 60, body))
        for n, (author, body) in enumerate(cases)
    ]


def action_events() -> list[bytes]:
    """Every event of the actions cell's log, and ``action.*`` events against it: valid
    ones, and ones each rule refuses (a close of the turnout among them)."""
    from hasteh.org.events import (
        ActionLinked,
        ActionPlanned,
        ActionReviewed,
        DemandAdded,
        TaskAdded,
        TaskUpdated,
    )

    state, log = _actions_cell.build()
    action, task, turnout = log[-8].event_id, log[-5].event_id, log[-4].event_id
    at = _actions_cell.AT
    (close,) = [c for c in org.close_due(state, at + _actions_cell.DAY) if c.decision_id == turnout]
    bodies: list[tuple[int, int, org.AnyEvent]] = [
        (0, at, ActionPlanned("protest", "Gate", at + 3600, "", True)),
        (0, at, ActionPlanned("petition", "Gate", at + 400 * 86_400)),
        (1, at, DemandAdded(action, "No forced overtime")),
        (1, at, DemandAdded(action, "Safety gear")),
        (2, at, DemandAdded(_org_cell.event_id(9999), "x")),
        (0, at, TaskAdded(action, "Banner", 0, at + 3600)),
        (0, at, TaskAdded(action, "Banner", 7, at + 3600)),
        (1, at, TaskUpdated(task, "done")),
        (2, at, TaskUpdated(task, "done")),
        (0, at, ActionLinked(action, turnout, "turnout")),
        (0, at, ActionLinked(action, turnout, "go")),
        (0, at, ActionReviewed(action, "ok", "")),
        (0, at + 3 * 86_400, ActionReviewed(action, "Everyone came", "Start earlier")),
        (1, at + _actions_cell.DAY, close),
    ]
    extra = [
        org.EventEnvelope(org.VERSION, _org_cell.event_id(5000 + i), org.LeafIndex(a), t, b)
        for i, (a, t, b) in enumerate(bodies)
    ]
    return [org.encode(e) for e in log[-8:]] + [org.encode(e) for e in extra]


def federation_events() -> list[bytes]:
    """The federation alliance's log, and ``fed.*`` events and tallies against it: a
    genuine endorsement, forged ones (another cell's key, another version, garbage),
    counts, amendments, ratifications, votes and closes right and wrong, warnings, a
    report-back, a late council."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from fuzz import _federation_alliance as fed
    from hasteh.org.alliance import compute_outcome
    from hasteh.org.events import CellVoted, EditorInbox, KeyIssued, MotionClosed, MotionOutcome
    from hasteh.org.events.federation import (
        AmendmentProposed,
        AmendmentRatified,
        CarriedDown,
        CouncilDeclared,
        EditorsNamed,
        IssueCompiled,
        JointOptedIn,
        ProgrammeEndorsed,
        WarningRaised,
    )
    from hasteh.org.programme import sign_endorsement

    state, log = fed.build()
    v1 = state.programme.versions[0]
    hours, joint, motion = log[-9].event_id, log[-7].event_id, log[-4].event_id
    stranger = Ed25519PrivateKey.from_private_bytes(b"\x77" * 32)
    voted = state.motions[org.EventId(motion)]
    everyone = dict(voted.votes) | {"cell-a": True, "cell-b": True}
    right = compute_outcome(type(voted)(voted.motion_id, "", 0, "", 0, everyone))
    at = NOW + 3600
    bodies: list[tuple[int, int, org.AnyEvent]] = [
        (1, at, ProgrammeEndorsed(1, sign_endorsement(fed.KEYS["cell-b"], v1))),
        (1, at, ProgrammeEndorsed(1, sign_endorsement(fed.KEYS["cell-c"], v1))),
        (1, at, ProgrammeEndorsed(1, sign_endorsement(stranger, v1))),
        (1, at, ProgrammeEndorsed(2, sign_endorsement(fed.KEYS["cell-b"], v1))),
        (0, at, ProgrammeEndorsed(1, sign_endorsement(fed.KEYS["cell-a"], v1))),
        (2, at, ProgrammeEndorsed(1, bytes(64))),
        (2, at, JointOptedIn(joint, 7)),
        (2, NOW + 6 * 86_400, JointOptedIn(joint, 7)),
        (1, at, AmendmentProposed("Hours", "Nine hours.", 1, at + 86_400)),
        (1, at, AmendmentProposed("Wages", "", 0, at + 86_400)),
        (1, at, AmendmentProposed("Pensions", "", 1, at + 86_400)),
        (0, at, AmendmentRatified(hours)),
        (1, at, CellVoted(hours, False)),
        (2, at, CellVoted(hours, True)),
        (0, at, CellVoted(motion, True)),
        (2, at, CellVoted(motion, True)),
        (0, NOW + 2 * 86_400, MotionClosed(motion, compute_outcome(voted))),
        (0, NOW + 2 * 86_400, MotionClosed(motion, MotionOutcome(True, 3, 0))),
        (0, at, MotionClosed(motion, right)),
        (2, at, WarningRaised("place", "Gate 3 is watched.")),
        (2, at, CarriedDown("warning", "national", "x", None, ("national", "north"))),
        (0, at, CouncilDeclared()),
        # the alliance's bulletin key: naming editors, an inbox and a key from seats no
        # naming named, an issue from a seat that holds no key
        (0, at, EditorsNamed(("cell-a", "cell-b"), at + 86_400)),
        (0, at, EditorsNamed(("cell-x",), at + 86_400)),
        (1, at, EditorInbox(b"\x05" * 32)),
        (1, at, KeyIssued(b"\x06" * 32, ())),
        (1, at, IssueCompiled(motion, 1, "W", at, (hours,), "HB1:X", b"\x06" * 32)),
    ]
    extra = [
        org.EventEnvelope(org.VERSION, fed.event_id(5000 + i), org.LeafIndex(a), t, b)
        for i, (a, t, b) in enumerate(bodies)
    ]
    return [org.encode(e) for e in log[-12:]] + [org.encode(e) for e in extra]


def study_events() -> list[bytes]:
    """Every event of the study cell's log, and ``study.*`` events against it: valid
    ones (by the convener), and ones each rule refuses (another member, unknown ids, a
    bad order, a place after its session, a hidden character)."""
    from hasteh.org.events import (
        CircleOpened,
        PlaceGiven,
        ReadingAdded,
        ReadingRemoved,
        ReadingsOrdered,
        SessionPlanned,
    )

    _, log = _study_cell.build()
    circle, first, second, session = (e.event_id for e in log[-5:-1])
    at = _study_cell.AT
    ends = at + _study_cell.DAY + 2 * 3600
    ghost = _org_cell.event_id(9999)
    bodies: list[tuple[int, int, org.AnyEvent]] = [
        (1, at, CircleOpened("Second circle")),
        (0, at, ReadingAdded(circle, "Chapter 3", ("Q1?", "Q2?"), "note")),
        (2, at, ReadingAdded(circle, "Planted")),
        (0, at, ReadingAdded(ghost, "x")),
        (0, at, ReadingsOrdered(circle, (second, first))),
        (2, at, ReadingsOrdered(circle, (second, first))),
        (0, at, ReadingsOrdered(circle, (first, first))),
        (0, at, ReadingRemoved(second)),
        (1, at, ReadingRemoved(first)),
        (0, at, SessionPlanned(circle, at + 3600, 3, None)),
        (0, at, SessionPlanned(circle, at + 400 * 86_400, 2, None)),
        (0, at, SessionPlanned(circle, at + 3600, 2, ghost)),
        (0, at, PlaceGiven(session, "Red door")),
        (1, at, PlaceGiven(session, "Police yard")),
        (0, ends, PlaceGiven(session, "Too late")),
        (0, at, PlaceGiven(session, "Blue\u202egarden")),
        (0, at, PlaceGiven(ghost, "Park")),
    ]
    extra = [
        org.EventEnvelope(org.VERSION, _org_cell.event_id(6000 + i), org.LeafIndex(a), t, b)
        for i, (a, t, b) in enumerate(bodies)
    ]
    return [org.encode(e) for e in log[-5:]] + [org.encode(e) for e in extra]


def bulletin_markdown() -> list[bytes]:
    """Articles (mode 0) and issue files (mode 1), hostile ones included."""
    articles = [
        "# عنوان\n\nسلام **کارگران** و [لینک](https://example.org) ![a](a.png)",
        "<script>alert(1)</script>\n\n|a|b|\n|-|-|\n|1|2|",
        "> " * 15 + "x",
        "- " * 15 + "x",
        "مبلغ \u202e001\u202c تومان",
        "```\n# code\n```\n\n1. یک\n2. دو",
    ]
    issue = "---\ntitle: صدای کارگر\nnumber: ۱۲\ndate: ۱۴۰۵/۰۹/۱۳\n---\n# یک\nمتن\n# دو\nمتن\n"
    issues = [issue, issue.replace("۱۲", "0"), issue.replace("---\n#", "#"), issue[:30]]
    return [b"\x00" + a.encode() for a in articles] + [b"\x01" + i.encode() for i in issues]


def bulletin_verify() -> list[bytes]:
    """A tiny signed PDF (one blank page, no claim), the same unsigned, and claim texts."""
    key = BulletinKey.from_seed(b"\x05" * 32)
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    claim = make_claim(key, 12, bytes(32))
    blank = scrub(out.getvalue(), claim)
    signed = sign(blank, key, dt.datetime(2026, 12, 4, tzinfo=dt.UTC))
    text = claim.to_text()
    return [
        b"\x00" + signed,
        b"\x00" + blank,
        b"\x00" + signed[: len(signed) // 2],
        b"\x01" + text.encode(),
        b"\x01" + text[:-1].encode() + b"A",
        b"\x01HB1:",
    ]


def drop_submission() -> list[bytes]:
    """Texts (0), photos (1), sealed files (2) and ``drop.*`` events (3), hostile ones
    included; the sealed ones to the harness's key, with a counter for randomness."""
    import hashlib

    from PIL import Image

    from hasteh.app import dropbox
    from hasteh.mls import hpke
    from hasteh.org.events import DropImage, DropPublished, DropReplied, DropSubmitted

    counter = iter(range(1 << 30))

    def rng(n: int) -> bytes:
        return hashlib.shake_256(next(counter).to_bytes(8, "big")).digest(n)

    texts = ["سلام\r\nخبر", "a\u202eb\u2066c", "\x00\x1b[31m", "ب" * 200]
    small = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(small, format="PNG")
    jpeg = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 9, 9)).save(jpeg, format="JPEG")
    photos = [small.getvalue(), jpeg.getvalue(), small.getvalue()[:60], b"GIF89a", b"%PDF-1.7"]
    public = hpke.public_key_of(dropbox.KEM, bytes(range(32)))
    key = dropbox.encode_public_key(public)
    sealed = dropbox.seal(key, "خبر از کارخانه", [jpeg.getvalue()], rng)
    seals = [sealed, sealed[:-1] + b"\x00", dropbox.SEALED_MAGIC, b"HDROP1\n" + bytes(40)]
    sid = _org_cell.event_id(7000)
    bodies: list[org.AnyEvent] = [
        DropImage(sid, jpeg.getvalue()),
        DropImage(sid, b"GIF89a"),
        DropReplied(sid, "ممنون"),
        DropPublished(sid),
        DropPublished(_org_cell.event_id(1)),
        DropSubmitted("", images=0),
    ]
    events = [
        org.encode(
            org.EventEnvelope(
                org.VERSION, _org_cell.event_id(8000 + i), org.LeafIndex(i % 2), NOW, b
            )
        )
        for i, b in enumerate(bodies)
    ]
    return (
        [b"\x00" + t.encode() for t in texts]
        + [b"\x01" + p for p in photos]
        + [b"\x02" + s for s in seals]
        + [b"\x03" + e for e in events]
    )


def alliance_events() -> list[bytes]:
    """Mode 0: the harness alliance's log and federation events against it, valid and
    forged (a recall signed by the wrong key, a second key, a tally signature of another
    cell, a vote twice); mode 1: the closed motion's signed tally, as is and doctored."""
    import msgspec

    from hasteh.org import cell_key as keys
    from hasteh.org.alliance import signed_tally, tally_to_sign
    from hasteh.org.events import (
        CellKeyRegistered,
        CellKeyRotated,
        CellVoted,
        CellVouched,
        DelegateSwapped,
        TallySigned,
    )

    state, log = _alliance.build()
    seeds, at = _alliance.SEEDS, _alliance.AT
    closed, opened = (e.event_id for e in log if type(e.body).__name__ == "MotionOpened")
    signed = tally_to_sign(state, closed)
    ref = keys.decision_ref(b"d" * 16)
    recall = keys.recall_body("cell-a", _alliance.ALTERNATE_CARD, ref)
    new = keys.public_of(b"n" * 32)
    rotation = keys.rotation_body(1, keys.public_of(seeds["cell-b"]), new, ref)
    bodies: list[tuple[int, org.AnyEvent]] = [
        (
            1,
            DelegateSwapped(
                "cell-a", _alliance.ALTERNATE_CARD, ref, keys.sign(seeds["cell-a"], recall)
            ),
        ),
        (
            1,
            DelegateSwapped(
                "cell-a", _alliance.ALTERNATE_CARD, ref, keys.sign(seeds["cell-b"], recall)
            ),
        ),
        (2, TallySigned(closed, keys.sign(seeds["cell-c"], signed))),
        (2, TallySigned(closed, keys.sign(seeds["cell-a"], signed))),
        (0, CellKeyRegistered(new, keys.sign(b"n" * 32, keys.possession_body("cell-a", new)))),
        (0, CellKeyRotated("cell-b", new, ref, keys.sign(seeds["cell-b"], rotation))),
        (2, CellVoted(opened, False, b"m" * 32)),
        (1, CellVoted(opened, False)),
        (7, CellVoted(opened, True)),
        # a cell proposed through a vouching code: a new one, a card already pending, a
        # pseudonym that only looks like a member cell's, an author with no seat
        (1, CellVouched(_alliance.card("cell-d"), "cell-d", at + 7 * 86_400)),
        (1, CellVouched(_alliance.card("cell-d"), "cell-d", at + 7 * 86_400)),
        (2, CellVouched(_alliance.card("cell-e"), "ceII-a", at + 7 * 86_400)),
        (7, CellVouched(_alliance.card("cell-f"), "cell-f", at + 7 * 86_400)),
        (1, CellVouched(_alliance.card("cell-g"), "cell-g", at - 1)),
    ]
    envs = [
        org.EventEnvelope(org.VERSION, _alliance.event_id(5000 + i), org.LeafIndex(a), at, b)
        for i, (a, b) in enumerate(bodies)
    ]
    receive = [b"\x00" + org.encode(e) for e in [*log, *envs]]
    tally = signed_tally(state, closed)
    flipped = msgspec.structs.replace(
        tally, votes=tuple(msgspec.structs.replace(v, agree=True) for v in tally.votes)
    )
    tallies = [tally, flipped, msgspec.structs.replace(tally, signatures=())]
    return receive + [b"\x01" + msgspec.msgpack.encode(t) for t in tallies]


def files() -> list[bytes]:
    """Chunks cut short or changed, envelopes of the file's mailbox, images with EXIF and
    text chunks (PNG, JPEG, a GIF, a cut file), and file names with hidden tricks."""
    from PIL import Image, PngImagePlugin

    from fuzz import fuzz_files

    seeds = [b"\x00" + fuzz_files.CHUNKS[0][:4000], b"\x00" + b"\x00" * 64]
    small = seal(
        kind=Kind.MESSAGE, mailbox=fuzz_files.MAILBOX, payload=b"x" * 300, rng=DetRng(b"f")
    )
    seeds += [b"\x01" + small.to_bytes(), b"\x01" + small.to_bytes()[:100]]
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0xA431] = "SERIAL-1"
    for fmt in ("JPEG", "PNG", "GIF"):
        out = io.BytesIO()
        image = Image.new("RGB", (12, 9), (200, 30, 30))
        if fmt == "PNG":
            info = PngImagePlugin.PngInfo()
            info.add_text("Author", "someone")
            image.save(out, format=fmt, pnginfo=info, exif=exif.tobytes())
        elif fmt == "JPEG":
            image.save(out, format=fmt, exif=exif.tobytes())
        else:
            image.save(out, format=fmt)
        seeds.append(b"\x02" + out.getvalue())
    seeds.append(seeds[-2][: len(seeds[-2]) // 2])
    for name in (
        "گزارش مزد.pdf",
        "report\u202etxt.exe",
        "../../.bashrc",
        ".hidden",
        "a/b\\c:d.PDF",
        "نامه\u200cها.txt",
        "x." + "y" * 20,
    ):
        seeds.append(b"\x03" + name.encode())
    return seeds


def vouch() -> list[bytes]:
    """Vouching codes right, cut, altered and foreign; envelopes of the code's mailbox
    sealed right, under another code, cut, and garbage; card bodies right and wrong."""
    from fuzz import fuzz_vouch
    from hasteh.app.vouch_mailbox import box_of, seal_message
    from hasteh.app.vouching import VouchCode, encode_code

    code = encode_code(VouchCode(1, b"\x01" * 32, ["http://127.0.0.1:9"], NOW + 86_400))
    seeds = [b"\x00" + c.encode() for c in (code, code[:30], code[:-1] + "A", "HC1:ABC", "")]
    seeds.append(b"\x00" + code.lower().replace("a", "a-").encode())
    rng = DetRng(b"vouch")
    kp = _mls_world.key_package("cell-d", DetRng(b"cell-d"))
    card = card_bytes(Card(kp.key_package, b"p" * 32, ("http://127.0.0.1:9",), NOW + 86_400))
    box, other = fuzz_vouch.BOX, box_of(b"\x07" * 32)
    for sealed in (
        seal_message(box, "card", card, rng),
        seal_message(box, "used", b"", rng),
        seal_message(other, "card", card, rng),
        seal_message(box, "card", b"not a card", rng),
    ):
        seeds += [b"\x01" + sealed.to_bytes(), b"\x01" + sealed.to_bytes()[:80]]
    seeds += [b"\x02" + card, b"\x02" + card[:50], b"\x02" + b"\x93\x01\x02"]
    return seeds


def main(only: list[str]) -> None:
    """Regenerate the seeds of every target, or of the targets named."""
    envs = envelopes()
    receive, history = org_events()
    seeds: dict[str, Callable[[], list[bytes]]] = {
        "envelope": lambda: envs + [e[:40] for e in envs[:3]],
        "relay_http": lambda: relay_http(envs),
        "relay_client": relay_client,
        "courier": courier,
        "card": cards,
        "mls_member": mls_member,
        "mls_welcome": mls_welcome,
        "mls_diff": mls_diff,
        "mls_diff_group": mls_diff_group,
        "org_receive": lambda: receive,
        "actions": action_events,
        "study": study_events,
        "alliance": alliance_events,
        "federation": federation_events,
        "join_history": lambda: history,
        "web_forms": web_forms,
        "rendezvous": rendezvous,
        "course": course,
        "fund_ledger": fund_ledger,
        "bulletin_markdown": bulletin_markdown,
        "bulletin_verify": bulletin_verify,
        "drop_submission": drop_submission,
        "bulletin_events": bulletin_events,
        "files": files,
        "vouch": vouch,
    }
    for target, make in seeds.items():
        if not only or target in only:
            write(target, make())


if __name__ == "__main__":
    main(sys.argv[1:])
