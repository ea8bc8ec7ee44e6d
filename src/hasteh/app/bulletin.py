"""The cell's newsroom (issue 16): articles, issues, approval, the bulletin key held by
the editors the cell names, publication of the signed file into the cell, distribution
counted by workplace, and the fund's monthly report through the same press.

The bulletin key and its duties are `hasteh.app.bulletin_key`'s.

Signing happens only in `publish`, which refuses an issue without its adopted approval
decision in the log before any key is touched (and the log refuses it too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, TypeVar, get_args

from hasteh import org
from hasteh.app import decisions, fund, runtime
from hasteh.app.bulletin_key import held_key
from hasteh.app.cells import find_cell, find_member
from hasteh.app.errors import AppCode, BadInput, clean_or_refuse, refused
from hasteh.app.runtime import CellRuntime
from hasteh.i18n import _, display_number, parse_digits, whole_number
from hasteh.jalali import month_text, to_gregorian
from hasteh.org import bulletin as rules
from hasteh.org.events import (
    ArticleCommented,
    ArticleDrafted,
    ArticleRevised,
    BulletinLinked,
    CopiesDistributed,
    EditorsProposed,
    IssueAssembled,
    IssueChunk,
    IssuePublished,
)
from hasteh.org.events.bulletin import (
    CHUNK_SIZE,
    MAX_ARTICLE_CHARS,
    MAX_CHUNKS,
    CopyForm,
    Pinned,
)
from hasteh.org.newsroom import Article, IssueDraft, Newsroom, Publication
from hasteh.publish import booklet, pages, press, signing
from hasteh.publish.claim import ClaimRefused, claim_in_image, make_claim
from hasteh.publish.errors import PublishError
from hasteh.publish.issue import Article as PressArticle
from hasteh.publish.issue import Issue as PressIssue
from hasteh.publish.issue import parse_day
from hasteh.publish.keys import fingerprint_of, fingerprint_text
from hasteh.publish.markdown import article_html
from hasteh.publish.rotation import ChainState, Rotation, follow

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "FORMS",
    "MAX_COPY_BYTES",
    "ArticleView",
    "CopyCheck",
    "IssueView",
    "NewsroomView",
    "PublicationView",
    "article_view",
    "assemble",
    "booklet_pdf",
    "chain",
    "check_copy",
    "comment",
    "draft",
    "fund_report_pdf",
    "issue_view",
    "open_approval",
    "page_png",
    "page_total",
    "press_issue",
    "preview_html",
    "propose_editors",
    "publish",
    "published_pdf",
    "record_copies",
    "render_article",
    "revise",
    "show",
    "verify_file",
]

FORMS: Final[tuple[str, ...]] = get_args(CopyForm)
T = TypeVar("T")


# --- views ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleView:
    number: int
    ref: str
    title: str
    body: str
    author: str
    revisions: int
    #: (cover name, text) of each comment, oldest first.
    comments: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PublicationView:
    """A published file as this member holds it, and what verification says."""

    ref: str
    size: int
    complete: bool
    fingerprint: str
    #: `signing.Verdict.outcome.value` and `.reason` ("" while incomplete).
    outcome: str
    reason: str
    #: Why its key was rotated since ("seizure", "removal", "editors"; "" if current).
    rotated: str
    #: Published before this member joined: the chunks are not handed to newcomers with
    #: the log, so the file never comes; an editor gives it in person (then check it).
    before_joining: bool = False


@dataclass(frozen=True, slots=True)
class IssueView:
    number: int
    ref: str
    issue_number: int
    masthead: str
    day: dt.date
    #: (title, Markdown body) of each article, in print order, at the pinned revision.
    articles: tuple[tuple[str, str], ...]
    decision: decisions.DecisionSummary | None
    approved: bool
    publication: PublicationView | None
    #: (workplace code, form, copies) recorded for this issue.
    copies: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True, slots=True)
class NewsroomView:
    editors: tuple[str, ...]
    editors_decision: decisions.DecisionSummary | None
    i_am_editor: bool
    i_hold_key: bool
    key_fingerprint: str
    rotation_due: bool
    articles: tuple[ArticleView, ...]
    issues: tuple[IssueView, ...]


# --- finding -------------------------------------------------------------------------------


def _cell(ws: Workspace, cell: str) -> CellRuntime:
    rt = find_cell(ws, cell)
    rt.require_group()
    return rt


def _room(rt: CellRuntime) -> Newsroom:
    return rt.org.bulletin


def _articles(rt: CellRuntime) -> list[Article]:
    return sorted(_room(rt).articles.values(), key=lambda a: (a.revisions[0].at, a.article_id))


def _issues(rt: CellRuntime) -> list[IssueDraft]:
    return sorted(_room(rt).issues.values(), key=lambda i: (i.at, i.issue_id))


def _pick(found: list[T], ids: list[bytes], ref: str, code: AppCode) -> T:
    value = parse_digits(ref).strip().lstrip("#").lower()
    number = whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(found):
        return found[number - 1]
    if len(value) >= 4:
        matches = [f for f, i in zip(found, ids, strict=True) if i.hex().startswith(value)]
        if len(matches) == 1:
            return matches[0]
    raise BadInput(code)


def _article(rt: CellRuntime, ref: str) -> Article:
    found = _articles(rt)
    return _pick(found, [a.article_id for a in found], ref, "unknown-article")


def _issue(rt: CellRuntime, ref: str) -> IssueDraft:
    found = _issues(rt)
    return _pick(found, [i.issue_id for i in found], ref, "unknown-issue")


def _send(ws: Workspace, rt: CellRuntime, body: org.AnyEvent) -> org.EventEnvelope:
    try:
        return runtime.send_event(ws, rt, body)
    except org.OrgError as exc:
        raise refused(exc) from None


def _text(title: str, body: str) -> tuple[str, str]:
    """A title and a Markdown body as the press will accept them, or the press's error
    (raw HTML, bidi overrides, deep nesting, huge tables...) before anything is sent."""
    title, body = title.strip(), body.strip()
    if not title or len(title) > 120:
        raise BadInput("bad-article")
    if not body or len(body) > MAX_ARTICLE_CHARS:
        raise BadInput("bad-article")
    article_html(body)  # raises BadSource with the precise reason
    return title, body


# --- articles and issues -------------------------------------------------------------------


def draft(ws: Workspace, cell: str, title: str, body: str) -> str:
    """A new article; its number in the cell's list of articles."""
    rt = _cell(ws, cell)
    env = _send(ws, rt, ArticleDrafted(*_text(title, body)))
    return str(1 + [a.article_id for a in _articles(rt)].index(org.EventId(env.event_id)))


def revise(ws: Workspace, cell: str, article: str, title: str, body: str) -> None:
    rt = _cell(ws, cell)
    found = _article(rt, article)
    _send(ws, rt, ArticleRevised(found.article_id, *_text(title, body)))


def comment(ws: Workspace, cell: str, article: str, text: str) -> None:
    rt = _cell(ws, cell)
    found = _article(rt, article)
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 2_000:
        raise BadInput("bad-article")
    _send(ws, rt, ArticleCommented(found.article_id, cleaned))


def assemble(
    ws: Workspace, cell: str, *, number: str, masthead: str, date: str, articles: list[str]
) -> str:
    """Issue `number` of `masthead` dated `date` (Jalali), its articles in print order at
    their latest revision; its number in the cell's list of issues."""
    rt = _cell(ws, cell)
    issue_number = whole_number(parse_digits(number).strip(), max_digits=5)
    if issue_number is None or issue_number < 1:
        raise BadInput("bad-issue-number")
    title = masthead.strip()
    if not title or len(title) > 120:
        raise BadInput("bad-article")
    day = parse_day(date)
    if not articles:
        raise BadInput("unknown-article")
    pinned = tuple(
        Pinned(a.article_id, a.latest.revision_id) for a in (_article(rt, r) for r in articles)
    )
    env = _send(ws, rt, IssueAssembled(issue_number, title, day.toordinal(), pinned))
    return str(1 + [i.issue_id for i in _issues(rt)].index(org.EventId(env.event_id)))


def open_approval(
    ws: Workspace, cell: str, issue: str, *, deadline: int
) -> decisions.DecisionSummary:
    """Open the issue's approval (a consent decision) and link it."""
    rt = _cell(ws, cell)
    found = _issue(rt, issue)
    question = _("Publish issue {number} of {masthead}?").format(
        number=found.number, masthead=found.masthead
    )
    opened = decisions.open_decision(ws, cell, kind="consent", question=question, deadline=deadline)
    linked = decisions.find(rt, opened.decision_id).decision_id
    _send(ws, rt, BulletinLinked(found.issue_id, linked))
    return opened


def propose_editors(
    ws: Workspace, cell: str, names: list[str], *, deadline: int
) -> decisions.DecisionSummary:
    """Propose the editors who will hold the bulletin key (by cover name), open the
    consent decision that names them and link it."""
    rt = _cell(ws, cell)
    leaves = tuple(sorted({find_member(rt, n) for n in names if n.strip()}))
    if not leaves:
        raise BadInput("unknown-member")
    env = _send(ws, rt, EditorsProposed(leaves))
    shown = ", ".join(rt.org.cover_name(leaf) for leaf in leaves)
    question = _("Name these editors of the bulletin: {names}?").format(names=shown)
    opened = decisions.open_decision(ws, cell, kind="consent", question=question, deadline=deadline)
    linked = decisions.find(rt, opened.decision_id).decision_id
    _send(ws, rt, BulletinLinked(org.EventId(env.event_id), linked))
    return opened


def press_issue(rt: CellRuntime, issue: IssueDraft) -> PressIssue:
    """The issue as the press prints it: the pinned revisions, in order."""
    room = _room(rt)
    printed = []
    for pinned in issue.articles:
        revision = room.articles[org.EventId(pinned.article_id)].revision(pinned.revision_id)
        assert revision is not None  # the log checked it when the issue was assembled
        printed.append(PressArticle(revision.title, revision.body))
    return PressIssue(issue.masthead, issue.number, dt.date.fromordinal(issue.day), tuple(printed))


# --- the key's chain ---------------------------------------------------------------------


def chain(ws: Workspace, cell: str) -> tuple[bytes, list[Rotation]]:
    """The fingerprint of the cell's first bulletin key and the rotation links since, in
    the press's form (`hasteh.publish.rotation.follow` walks them)."""
    rt = find_cell(ws, cell)
    keys = _room(rt).keys
    if not keys:
        raise BadInput("no-bulletin-key")
    links = [
        Rotation(
            k.rotation.sequence,
            k.rotation.old,
            k.public,
            rules.reason_digest(k.reason_id),
            k.rotation.signature,
        )
        for k in keys[1:]
        if k.rotation is not None and k.reason_id is not None
    ]
    return fingerprint_of(keys[0].public), links


def _rotated_because(rt: CellRuntime, public: bytes) -> str:
    """Why the key `public` was rotated away ("" when it is current)."""
    keys = _room(rt).keys
    for record in keys[1:]:
        if record.rotation is not None and record.rotation.old == public:
            reason = record.reason_id
            if reason is not None and reason in rt.org.seizures:
                return "seizure"
            decision = rt.org.decisions.get(reason) if reason is not None else None
            if decision is not None and isinstance(decision.motion, org.RemoveMember):
                return "removal"
            return "editors"
    return ""


def _walked(ws: Workspace, cell: str) -> ChainState:
    """The cell's key chain walked from its first key: the current and the retired keys."""
    root, links = chain(ws, cell)
    return follow(root, links)


def verify_file(ws: Workspace, cell: str, pdf: bytes) -> signing.Verdict:
    """Any PDF checked against the cell's key chain: genuine only when signed by the
    current key; a key rotated away (after a seizure, a removal) is an unknown issuer."""
    walked = _walked(ws, cell)
    return signing.verify(pdf, [walked.current], walked.retired)


#: The largest copy checked on a page or by `check_copy` (a published issue is at most 3 MiB).
MAX_COPY_BYTES: Final = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """What a copy someone was handed says about itself, checked against the cell's key
    chain. A PDF is verified whole (`signing.verify`: `outcome` genuine, altered or
    unknown-issuer, `reason` its code); a picture can only show the back page's claim,
    never prove its own text, so `outcome` says which key it claims: ``claims-current``,
    ``claims-retired`` (a key the cell rotated away: after a seizure, a forger's) or
    ``claims-foreign`` (a key this cell never had). `number`: the issue claimed."""

    kind: Literal["pdf", "image"]
    outcome: str
    reason: str
    number: int | None = None


def check_copy(ws: Workspace, cell: str, data: bytes) -> CopyCheck:
    """Check a copy of a bulletin (a PDF, or a photo or page image of its back page)
    against this cell's bulletin key chain. Nothing is stored or sent."""
    rt = find_cell(ws, cell)
    if not _room(rt).keys:
        raise BadInput("no-bulletin-yet")
    if len(data) > MAX_COPY_BYTES:
        raise BadInput("copy-unreadable")
    if data.startswith(b"%PDF-"):
        verdict = verify_file(ws, cell, data)
        number = verdict.claim.number if verdict.claim is not None else None
        return CopyCheck("pdf", verdict.outcome.value, verdict.reason, number)
    try:
        claim = claim_in_image(data)
    except (ClaimRefused, PublishError):
        raise BadInput("copy-unreadable") from None
    walked = _walked(ws, cell)
    if claim.issuer == walked.current:
        outcome = "claims-current"
    elif claim.issuer in walked.retired:
        outcome = "claims-retired"
    else:
        outcome = "claims-foreign"
    return CopyCheck("image", outcome, outcome, claim.number)


# --- publishing ----------------------------------------------------------------------------


def publish(ws: Workspace, cell: str, issue: str) -> str:
    """Render the approved issue as an A5 PDF, sign it with the bulletin key and publish
    its bytes into the cell. Refused before any key is used when the issue has no
    adopted approval decision, when this device holds no bulletin key, or when the key
    is due for rotation."""
    rt = _cell(ws, cell)
    found = _issue(rt, issue)
    if not rules.is_approved(rt.org, found):
        raise refused(org.InvalidEvent("bulletin-not-approved"))
    if found.publication_id is not None:
        raise refused(org.InvalidEvent("bulletin-already-published", number=found.number))
    if rules.rotation_due(rt.org) is not None:
        raise refused(org.InvalidEvent("bulletin-rotation-due"))
    key = held_key(rt)
    if key is None:
        raise BadInput("no-bulletin-key")
    printed = press_issue(rt, found)
    claim = make_claim(key, printed.number, printed.digest())
    pdf = press.render(printed, press.Layout.A5, claim)
    at = dt.datetime.combine(printed.day, dt.time(12), tzinfo=dt.UTC)
    signed = signing.sign(pdf, key, at)
    chunks = [signed[i : i + CHUNK_SIZE] for i in range(0, len(signed), CHUNK_SIZE)]
    if len(chunks) > MAX_CHUNKS:
        raise BadInput("issue-too-large")
    digest = hashlib.sha256(signed).digest()
    env = _send(
        ws, rt, IssuePublished(found.issue_id, key.public, len(signed), len(chunks), digest)
    )
    for index, chunk in enumerate(chunks):
        _send(ws, rt, IssueChunk(org.EventId(env.event_id), index, chunk))
    return env.event_id.hex()[:8]


def _publication(rt: CellRuntime, ref: str) -> Publication:
    found = _issue(rt, ref)
    pub = _room(rt).publications.get(found.publication_id) if found.publication_id else None
    if pub is None:
        raise refused(org.InvalidEvent("bulletin-not-published"))
    return pub


def published_pdf(ws: Workspace, cell: str, issue: str) -> bytes:
    """The signed file exactly as published (every member holds the same bytes)."""
    rt = find_cell(ws, cell)
    pub = _publication(rt, issue)
    data = pub.data()
    if data is None:
        raise BadInput("issue-before-joining" if _before_joining(rt, pub) else "issue-incomplete")
    return data


def booklet_pdf(ws: Workspace, cell: str, issue: str) -> bytes:
    """The published A5 pages imposed as an A5 booklet on A4, for printing (a copy to
    print, not to verify: the signed file is `published_pdf`)."""
    return booklet.impose(published_pdf(ws, cell, issue), keep_last=True)


def page_png(ws: Workspace, cell: str, issue: str, page: int) -> bytes:
    """One page of the published file as a PNG without metadata (for messengers)."""
    pdf = published_pdf(ws, cell, issue)
    if not 1 <= page <= pages.page_count(pdf):
        raise BadInput("no-such-page")
    return pages.page_image(pdf, page)  # 1-based, as the URL


def record_copies(
    ws: Workspace, cell: str, issue: str, *, workplace: str, copies: str, form: str = "paper"
) -> None:
    """How many copies went out at a workplace (by its code, never by person)."""
    rt = _cell(ws, cell)
    found = _issue(rt, issue)
    count = whole_number(parse_digits(copies).strip(), max_digits=6)
    if count is None or not 1 <= count <= 100_000:
        raise BadInput("bad-copies")
    if form not in FORMS:
        raise BadInput("bad-copies")
    code = clean_or_refuse(workplace)
    _send(ws, rt, CopiesDistributed(found.issue_id, code, count, form))  # type: ignore[arg-type]


# --- what the faces show -------------------------------------------------------------------


def _publication_view(rt: CellRuntime, pub: Publication) -> PublicationView:
    data = pub.data()
    outcome = reason = ""
    if data is not None:
        verdict = signing.verify(data, [fingerprint_of(pub.key)])
        outcome, reason = verdict.outcome.value, verdict.reason
    return PublicationView(
        pub.publication_id.hex()[:8],
        pub.size,
        data is not None,
        fingerprint_text(fingerprint_of(pub.key)),
        outcome,
        reason,
        _rotated_because(rt, pub.key),
        data is None and _before_joining(rt, pub),
    )


def _before_joining(rt: CellRuntime, pub: Publication) -> bool:
    return pub.at <= rt.record.joined_at


def _issue_view(rt: CellRuntime, issue: IssueDraft, number: int, verify: bool) -> IssueView:
    printed = press_issue(rt, issue)
    decision = rt.org.decisions.get(issue.decision_id) if issue.decision_id else None
    pub = _room(rt).publications.get(issue.publication_id) if issue.publication_id else None
    copies = tuple(
        (c.workplace, c.form, c.copies) for c in _room(rt).copies if c.issue_id == issue.issue_id
    )
    return IssueView(
        number,
        issue.issue_id.hex()[:8],
        issue.number,
        issue.masthead,
        printed.day,
        tuple((a.title, a.body) for a in printed.articles),
        None if decision is None else decisions.summary_of(rt, decision),
        rules.is_approved(rt.org, issue),
        None if pub is None or not verify else _publication_view(rt, pub),
        copies,
    )


def show(ws: Workspace, cell: str, *, verify: bool = True) -> NewsroomView:
    """The newsroom as this member sees it. `verify`: check each published file's
    signature (pyHanko; tens of milliseconds a file)."""
    rt = find_cell(ws, cell)
    state = rt.org
    room = _room(rt)
    named = rules.editors(state)
    proposal = max(
        (p for p in room.proposals.values() if p.decision_id is not None),
        key=lambda p: (p.at, p.proposal_id),
        default=None,
    )
    pending = None
    did = proposal.decision_id if proposal is not None else None
    chosen = state.decisions.get(did) if did is not None else None
    if chosen is not None:
        pending = decisions.summary_of(rt, chosen)
    current = room.current_key
    articles = tuple(
        ArticleView(
            n,
            a.article_id.hex()[:8],
            a.latest.title,
            a.latest.body,
            state.cover_name(a.revisions[0].author),
            len(a.revisions),
            tuple((state.cover_name(c.author), c.text) for c in a.comments),
        )
        for n, a in enumerate(_articles(rt), 1)
    )
    me = rt.own_leaf if rt.group is not None else -1
    return NewsroomView(
        tuple(sorted(state.cover_name(leaf) for leaf in named)),
        pending,
        me in named,
        held_key(rt) is not None if rt.group is not None else False,
        "" if current is None else fingerprint_text(fingerprint_of(current.public)),
        rules.rotation_due(state) is not None,
        articles,
        tuple(_issue_view(rt, i, n, verify) for n, i in enumerate(_issues(rt), 1)),
    )


def issue_view(ws: Workspace, cell: str, issue: str) -> IssueView:
    rt = find_cell(ws, cell)
    found = _issue(rt, issue)
    return _issue_view(rt, found, _issues(rt).index(found) + 1, True)


def article_view(ws: Workspace, cell: str, article: str) -> ArticleView:
    rt = find_cell(ws, cell)
    found = _article(rt, article)
    view = show(ws, cell, verify=False)
    return next(a for a in view.articles if a.ref == found.article_id.hex()[:8])


def render_article(body: str) -> str:
    """An article's Markdown as the press prints it, safe HTML (raw HTML off)."""
    return article_html(body)


def page_total(ws: Workspace, cell: str, issue: str) -> int:
    """How many pages the published file has."""
    return pages.page_count(published_pdf(ws, cell, issue))


def preview_html(ws: Workspace, cell: str, issue: str) -> list[tuple[str, str]]:
    """Each article's title and safe HTML (raw HTML off), for the preview page."""
    rt = find_cell(ws, cell)
    printed = press_issue(rt, _issue(rt, issue))
    return [(a.title, article_html(a.body)) for a in printed.articles]


# --- the fund's monthly report -------------------------------------------------------------


def _report_markdown(report: fund.MonthReport) -> str:
    unit = _(report.unit)
    lines = [
        "- "
        + _("In: {cash} cash, {kind} in kind, {pledge} pledged").format(
            cash=display_number(report.contributed["cash"]),
            kind=display_number(report.contributed["in-kind"]),
            pledge=display_number(report.contributed["pledge"]),
        ),
        "- "
        + _("Out: {amount} to {families} families").format(
            amount=display_number(report.disbursed),
            families=display_number(len(report.families)),
        ),
    ]
    lines += [
        f"- {family.replace('*', '').replace('_', '')}: {display_number(amount)} {unit}"
        for family, amount in sorted(report.families.items())
    ]
    lines.append(
        "- "
        + _("Cash at the end of the month: {amount}").format(
            amount=f"{display_number(report.closing['Assets:Cash'])} {unit}"
        )
    )
    return "\n".join(lines)


def fund_report_pdf(ws: Workspace, cell: str, year: int, month: int) -> tuple[bytes, bool]:
    """The fund's report of one Jalali month as an A4 PDF by the bulletin press; signed
    with the bulletin key when this device holds it (the second value says whether).
    Reproducible: the same log and month give the same bytes."""
    rt = find_cell(ws, cell)
    report = fund.report(ws, cell, year, month)
    title = _("The monthly report.").rstrip(".")
    heading = month_text(year, month)
    day = to_gregorian(year, month, 1, 0, 0).date()
    printed = PressIssue(
        title, year * 100 + month, day, (PressArticle(heading, _report_markdown(report)),)
    )
    key = held_key(rt) if rt.group is not None else None
    claim = None if key is None else make_claim(key, printed.number, printed.digest())
    pdf = press.render(printed, press.Layout.A4, claim)
    if key is None:
        return pdf, False
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return signing.sign(pdf, key, at), True
