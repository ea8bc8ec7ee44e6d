"""The newsroom across real profiles through a real relay (issue 16): the cell names two
editors, their devices make and share the bulletin key (nobody else's vault holds it),
members write and approve an issue, an editor publishes it, and every member holds the
same bytes and verifies them "genuine". Then an editor's device is reported seized: the
remaining editor's device rotates the key by itself, the old key is gone from every
vault, and a forgery signed with the seized key is reported as a retired key's."""

from __future__ import annotations

import base64
import datetime as dt
import random
from pathlib import Path

import pytest

from hasteh.app import Workspace, bulletin, decisions, removal
from hasteh.app.bulletin_key import held_key
from hasteh.app.cells import find_cell
from hasteh.app.errors import AppError, Refused
from hasteh.publish import pages, press, signing
from hasteh.publish.claim import make_claim
from hasteh.publish.errors import BadSource
from hasteh.publish.issue import Article, Issue
from hasteh.publish.keys import BulletinKey
from tests.app.helpers import CELL, NAMES, form_cell, settle_courier, settle_relay
from tests.app.test_expiry import export_plaintext
from tests.app.test_trial import admit

DAY = 86_400


def adopt(members: list[Workspace], summary: decisions.DecisionSummary) -> None:
    settle_relay(members)
    for ws in members:
        decisions.vote(ws, CELL, summary.decision_id, position="agree")
    settle_relay(members)
    decisions.close(members[0], CELL, summary.decision_id)
    settle_relay(members, rounds=6)


def traces(seed: bytes) -> tuple[bytes, ...]:
    """How a seed could sit in a vault: raw, or base64 in a JSON setting."""
    return (seed, base64.b64encode(seed))


def holds(ws: Workspace, seed: bytes, target: Path) -> bool:
    plain = export_plaintext(ws, target)
    return any(t in plain for t in traces(seed))


def seed_of(ws: Workspace) -> bytes | None:
    key = held_key(find_cell(ws, CELL))
    return None if key is None else key.private.private_bytes_raw()


@pytest.fixture
def newsroom(make_ws, relay) -> list[Workspace]:  # type: ignore[no-untyped-def]
    members = form_cell(make_ws, relay.url, settle_relay, n=4)
    a = members[0]
    editors = bulletin.propose_editors(a, CELL, [NAMES[0], NAMES[1]], deadline=a.now() + DAY)
    adopt(members, editors)
    return members


def test_an_issue_from_draft_to_identical_verified_bytes(newsroom, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, c, d = newsroom
    # the key: held by the two editors only, and the same on both
    assert seed_of(a) is not None and seed_of(a) == seed_of(b)
    assert seed_of(c) is None and seed_of(d) is None
    seed = seed_of(a)
    assert seed is not None
    for ws, name in ((c, "c"), (d, "d")):
        assert not holds(ws, seed, tmp_path / f"{name}.db")
    assert holds(a, seed, tmp_path / "a.db")  # control: the scan would see it
    views = [bulletin.show(ws, CELL) for ws in newsroom]
    assert {v.key_fingerprint for v in views} != {""} and len(
        {v.key_fingerprint for v in views}
    ) == 1
    assert [v.i_hold_key for v in views] == [True, True, False, False]

    # writing: a draft, a revision by another member, a comment
    bulletin.draft(c, CELL, "دستمزدها", "دستمزد سه ماه **عقب** افتاده است.")
    settle_relay(newsroom)
    bulletin.revise(
        b, CELL, "1", "دستمزدهای عقب‌افتاده", "دستمزد سه ماه **عقب** افتاده است.\n\n- بیمه"
    )
    bulletin.comment(a, CELL, "1", "کوتاه‌تر شود")
    settle_relay(newsroom)
    (article,) = bulletin.show(d, CELL).articles
    assert article.revisions == 2 and article.comments == ((NAMES[0], "کوتاه‌تر شود"),)
    bulletin.assemble(
        b, CELL, number="۱۲", masthead="صدای کارگر", date="۱۴۰۵/۰۹/۱۳", articles=["1"]
    )
    settle_relay(newsroom)

    # the key signs nothing before the approval decision is adopted
    with pytest.raises(Refused) as early:
        bulletin.publish(a, CELL, "1")
    assert early.value.code == "bulletin-not-approved"
    adopt(newsroom, bulletin.open_approval(c, CELL, "1", deadline=c.now() + DAY))
    # a member the cell did not name holds no key, so cannot sign
    with pytest.raises(AppError) as outsider:
        bulletin.publish(c, CELL, "1")
    assert outsider.value.code == "no-bulletin-key"

    bulletin.publish(a, CELL, "1")
    settle_relay(newsroom)
    files = [bulletin.published_pdf(ws, CELL, "1") for ws in newsroom]
    assert len(set(files)) == 1 and files[0].startswith(b"%PDF-")
    for ws in newsroom:
        (issue,) = bulletin.show(ws, CELL).issues
        assert issue.approved and issue.publication is not None
        assert (issue.publication.outcome, issue.publication.reason) == ("genuine", "genuine")
        assert bulletin.verify_file(ws, CELL, files[0]).reason == "genuine"
    # page images are numbered as the reader counts: the last one is the back page, whose
    # QR code carries the signed claim (the web's page-N.png once gave page N-1)
    last = bulletin.page_total(c, CELL, "1")
    for number in (1, last):
        assert bulletin.page_png(c, CELL, "1", number) == pages.page_image(files[0], number)
    assert bulletin.page_png(c, CELL, "1", 1) != bulletin.page_png(c, CELL, "1", last)
    back = bulletin.check_copy(c, CELL, bulletin.page_png(c, CELL, "1", last))
    (shown,) = bulletin.show(c, CELL).issues
    assert (back.kind, back.outcome, back.number) == ("image", "claims-current", shown.issue_number)
    # whatever bytes a worker picks: a verdict, or `copy-unreadable`, nothing else
    rng = random.Random(7)
    png = bulletin.page_png(c, CELL, "1", last)
    hostile = [b"", b"%PDF-", files[0][: len(files[0]) // 2], png[:100], b"\x89PNG\r\n\x1a\n"]
    hostile += [rng.randbytes(rng.randrange(1, 4096)) for _ in range(20)]
    hostile += [b"%PDF-1.7\n" + rng.randbytes(2000) for _ in range(5)]
    for data in hostile:
        try:
            found = bulletin.check_copy(c, CELL, data)
        except AppError as refused_copy:
            assert refused_copy.code == "copy-unreadable"
        else:
            assert found.outcome in ("altered", "unknown-issuer")
    # a second publication of the same issue is refused
    with pytest.raises(Refused):
        bulletin.publish(b, CELL, "1")

    # distribution by workplace, never by person
    bulletin.record_copies(d, CELL, "1", workplace="Workshop 3", copies="۴۰")
    with pytest.raises(Refused) as person:
        bulletin.record_copies(d, CELL, "1", workplace=NAMES[2], copies="1")
    assert person.value.code == "bulletin-person-name"
    settle_relay(newsroom)
    (issue,) = bulletin.show(a, CELL).issues
    assert issue.copies == (("Workshop 3", "paper", 40),)

    # a booklet and page images come from the same signed file
    assert bulletin.booklet_pdf(c, CELL, "1").startswith(b"%PDF-")
    assert bulletin.page_png(c, CELL, "1", 1).startswith(b"\x89PNG")


def test_a_newcomer_after_a_publication_is_told_to_ask_an_editor(  # type: ignore[no-untyped-def]
    newsroom, make_ws, relay
) -> None:
    """The file's chunks are not handed to newcomers with the log: a member who joins
    after an issue was published is told so (not "fetch and try again" forever), and the
    PDF an editor hands them checks genuine against the chain they did receive."""
    a, b, c, d = newsroom
    bulletin.draft(c, CELL, "دستمزدها", "دستمزد سه ماه **عقب** افتاده است.")
    settle_relay(newsroom)
    bulletin.assemble(b, CELL, number="۳", masthead="صدای کارگر", date="۱۴۰۵/۰۹/۱۳", articles=["1"])
    settle_relay(newsroom)
    adopt(newsroom, bulletin.open_approval(c, CELL, "1", deadline=c.now() + DAY))
    bulletin.publish(a, CELL, "1")
    settle_relay(newsroom)
    pdf = bulletin.published_pdf(d, CELL, "1")

    e = make_ws("newcomer")
    admit(newsroom, e, "newcomer", relay.url, settle_relay)
    settle_relay([*newsroom, e])
    (issue,) = bulletin.show(e, CELL).issues
    assert issue.publication is not None
    assert not issue.publication.complete and issue.publication.before_joining
    with pytest.raises(AppError) as missing:
        bulletin.published_pdf(e, CELL, "1")
    assert missing.value.code == "issue-before-joining"
    (held,) = bulletin.show(d, CELL).issues
    assert held.publication is not None and not held.publication.before_joining
    given = bulletin.check_copy(e, CELL, pdf)
    assert (given.outcome, given.number) == ("genuine", 3)


def test_a_seized_editors_key_is_rotated_and_its_forgeries_are_caught(
    newsroom, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    a, b, c, d = newsroom
    old_seed = seed_of(b)
    assert old_seed is not None
    old = BulletinKey.from_seed(old_seed)
    removal.seized(c, CELL, NAMES[1], note="taken at the checkpoint")
    members = [a, c, d]
    settle_relay(members, rounds=8)
    # a, the remaining editor, rotated the key by itself, signed by the old one
    new_seed = seed_of(a)
    assert new_seed is not None and new_seed != old_seed
    root, links = bulletin.chain(c, CELL)
    assert root == old.fingerprint and len(links) == 1 and links[0].old == old.public
    assert not bulletin.show(c, CELL).rotation_due
    # the old key is gone from the remaining editor's vault
    assert find_cell(a, CELL).record.bulletin_keys == {
        BulletinKey.from_seed(new_seed).public.hex(): new_seed
    }
    assert not holds(a, old_seed, tmp_path / "a-after.db")
    # an honest device that was removed deletes the key too when it next syncs
    settle_relay([b])
    assert find_cell(b, CELL).record.bulletin_keys == {}
    assert not holds(b, old_seed, tmp_path / "b-after.db")

    # whoever holds the seized device signs a forged issue with the old key
    forged_issue = Issue(
        "صدای کارگر", 13, dt.date(2026, 12, 4), (Article("اعتصاب لغو شد", "برگردید سر کار."),)
    )
    claim = make_claim(old, 13, forged_issue.digest())
    forged = signing.sign(
        press.render(forged_issue, press.Layout.A5, claim),
        old,
        dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC),
    )
    for ws in members:
        verdict = bulletin.verify_file(ws, CELL, forged)
        assert (verdict.outcome, verdict.reason) == (signing.Outcome.UNKNOWN_ISSUER, "retired-key")

    # the cell goes on publishing with the new key
    bulletin.draft(d, CELL, "ادامه", "کار ادامه دارد.")
    settle_relay(members)
    bulletin.assemble(
        a, CELL, number="13", masthead="صدای کارگر", date="1405/09/20", articles=["1"]
    )
    settle_relay(members)
    adopt(members, bulletin.open_approval(a, CELL, "1", deadline=a.now() + DAY))
    bulletin.publish(a, CELL, "1")
    settle_relay(members)
    pdf = bulletin.published_pdf(d, CELL, "1")
    assert bulletin.verify_file(d, CELL, pdf).reason == "genuine"


def test_bad_input_is_refused_before_anything_is_sent(newsroom) -> None:  # type: ignore[no-untyped-def]
    a = newsroom[0]
    rt = find_cell(a, CELL)
    before = len(rt.record.own_pending)
    with pytest.raises(BadSource):
        bulletin.draft(a, CELL, "T", "<script>alert(1)</script>\n" + "> " * 40 + "deep")
    with pytest.raises(AppError) as long:
        bulletin.draft(a, CELL, "T", "x" * 24_001)
    assert long.value.code == "bad-article"
    with pytest.raises(AppError) as number:
        bulletin.assemble(a, CELL, number="0", masthead="V", date="1405/09/13", articles=["1"])
    assert number.value.code == "bad-issue-number"
    with pytest.raises(AppError) as missing:
        bulletin.assemble(a, CELL, number="1", masthead="V", date="1405/09/13", articles=["9"])
    assert missing.value.code == "unknown-article"
    with pytest.raises(BadSource):
        bulletin.assemble(a, CELL, number="1", masthead="V", date="1405/13/40", articles=["1"])
    assert len(find_cell(a, CELL).record.own_pending) == before


def test_the_key_and_an_issue_travel_by_courier_bundles(make_ws, relay) -> None:  # type: ignore[no-untyped-def]
    """No relay after the cell is formed: the editors decision, the sealed key and the
    published file all travel in courier bundles, and every member gets the same bytes."""
    members = form_cell(make_ws, relay.url, settle_relay, n=3)
    a, b, c = members

    def adopt_by_courier(summary: decisions.DecisionSummary) -> None:
        settle_courier(members)
        for ws in members:
            decisions.vote(ws, CELL, summary.decision_id, position="agree")
        settle_courier(members)
        decisions.close(a, CELL, summary.decision_id)
        settle_courier(members, rounds=6)

    adopt_by_courier(
        bulletin.propose_editors(a, CELL, [NAMES[0], NAMES[1]], deadline=a.now() + DAY)
    )
    assert seed_of(a) is not None and seed_of(a) == seed_of(b) and seed_of(c) is None
    bulletin.draft(c, CELL, "دستمزدها", "دستمزد عقب افتاده است.")
    settle_courier(members)
    bulletin.assemble(b, CELL, number="1", masthead="صدای کارگر", date="1405/09/13", articles=["1"])
    settle_courier(members)
    adopt_by_courier(bulletin.open_approval(b, CELL, "1", deadline=b.now() + DAY))
    bulletin.publish(b, CELL, "1")
    settle_courier(members)
    files = {bulletin.published_pdf(ws, CELL, "1") for ws in members}
    assert len(files) == 1
    assert bulletin.verify_file(c, CELL, files.pop()).reason == "genuine"
