"""A cell's pages, one per job, reached from the cell's compact menu (`cell_menu`):

    GET  /cell/{ref}[?thread=TITLE&page=N]    its home, the conversation: threads, one
                                              page of messages as a chat, the composer
    GET  /cell/{ref}/members                  members, newcomers, seizure reports
    GET  /cell/{ref}/safety                   safety words, raise an alarm
    GET  /cell/{ref}/settings                 the cell's settings, propose new ones
    POST /cell/{ref}/say | /propose | /admission | /settings
    (ref: the cell's 8-hex id; decisions: `views.decision`; alarms raised by hand and
    seizure reviews: `views.concerns`)

Each page shows the alarms first. They share one `CellPage` built by `build` (one app
call; its parts are memoized per cell, `CellMemo`), and differ in their template
(`SECTIONS`).

Every POST ends in a redirect to the page with `?done=…` (a notice), or in the page
again with status 400 and the translated refusal above the form it came from, the typed
values kept. After an action the app's sync runs once, so it is sent right away when a
relay answers (otherwise it stays queued: "Fetch now" or a courier bundle sends it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh import org
from hasteh.app import (
    Workspace,
    admission,
    cards,
    cells,
    contacts,
    decisions,
    news,
    reach,
    removal,
    sync,
    talk,
)
from hasteh.app import fund as app_fund
from hasteh.app.admission import AdmissionView
from hasteh.app.cells import CellSummary, MemberView
from hasteh.app.decisions import DecisionSummary
from hasteh.app.errors import CardError
from hasteh.app.runtime import CellRuntime
from hasteh.errors import HastehError
from hasteh.i18n import parse_digits, whole_number
from hasteh.web.app import render, ui_for, web_state
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.i18n import Ui
from hasteh.web.views.common import (
    DEFAULT_DEADLINE_CHOICE,
    KIND_NAMES,
    NOTICES,
    deadline_input,
    deadline_text,
    done,
    send_now,
    sent_or_queued,
    text,
    unlocked_only,
)
from hasteh.web.views.home import CreateForm, home_page

#: Messages per page of a thread (newest first page).
PAGE_SIZE = 50
#: Closed decisions shown on the cell page (all of them: the decisions page).
RECENT_CLOSED = 5
#: A cell's pages and their templates.
SECTIONS = {
    "talk": "cell.html",
    "members": "cell_members.html",
    "safety": "cell_safety.html",
    "settings": "cell_settings.html",
}
#: Which page shows the refusal of each form.
FORM_SECTIONS = {
    "talk": "talk",
    "propose": "members",
    "propose-code": "members",
    "newcomers": "members",
    "seizures": "members",
    "alarm": "safety",
    "settings": "settings",
}


@dataclass(frozen=True, slots=True)
class ThreadTab:
    """One thread of the cell, as a link."""

    title: str = field(metadata={"help": "the thread's title"})
    messages: int = field(metadata={"help": "messages still held in it"})
    href: str = field(metadata={"help": "local path showing this thread"})
    current: bool = field(metadata={"help": "this thread is the one shown"})


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message as shown."""

    author: str = field(metadata={"help": "the author's cover name"})
    at: int = field(metadata={"help": "when it was sent (unix seconds)"})
    text: str = field(metadata={"help": "what was said"})
    mine: bool = field(metadata={"help": "this profile wrote it"})


@dataclass
class TalkForm:
    """The post form's values (kept after an error)."""

    text: str = field(default="", metadata={"help": "the message being written"})
    new_thread: str = field(default="", metadata={"help": "a new thread's title, if any"})


@dataclass
class SettingsForm:
    """The settings-change form's values (kept after an error)."""

    cap: str = field(default="", metadata={"help": "proposed cap"})
    admission: str = field(default="", metadata={"help": "proposed admission rule"})
    expiry_days: str = field(default="", metadata={"help": "proposed chat expiry in days"})
    trial_days: str = field(default="", metadata={"help": "proposed newcomers' trial in days"})
    file_cap_mb: str = field(default="", metadata={"help": "proposed cap of one file, in MB"})
    files_cap_mb: str = field(default="", metadata={"help": "proposed cap of all files, in MB"})
    deadline: str = field(default="", metadata={"help": "the date typed, if any"})
    deadline_choice: str = field(
        default=DEFAULT_DEADLINE_CHOICE, metadata={"help": "the deadline choice pressed"}
    )


@dataclass
class CellPage:
    """Context of every page of a cell (`SECTIONS`: `cell.html`, `cell_members.html`,
    `cell_safety.html`, `cell_settings.html`)."""

    cell: CellSummary = field(metadata={"help": "the cell (app summary: name, id, settings)"})
    href: str = field(metadata={"help": "local path of this cell's page"})
    alarms: list[str] = field(metadata={"help": "alarm texts, translated, oldest first"})
    threads: list[ThreadTab] = field(metadata={"help": "the cell's threads"})
    thread: str = field(metadata={"help": "title of the thread shown"})
    messages: list[MessageRow] = field(metadata={"help": "one page of it, oldest first"})
    older_href: str | None = field(metadata={"help": "link to older messages, if any"})
    newer_href: str | None = field(metadata={"help": "link to newer messages, if any"})
    open_decisions: list[DecisionSummary] = field(metadata={"help": "decisions still open"})
    closed_decisions: list[DecisionSummary] = field(
        metadata={"help": "the most recently opened closed decisions"}
    )
    decision_count: int = field(metadata={"help": "how many decisions the cell has"})
    members: list[MemberView] = field(metadata={"help": "members by cover name"})
    pending: list[AdmissionView] = field(metadata={"help": "proposed newcomers"})
    safety_words: tuple[str, ...] = field(metadata={"help": "six words to compare in person"})
    kind_names: dict[str, str] = field(metadata={"help": "decision kind → its name (msgid)"})
    seizures: list[org.Seizure] = field(
        default_factory=list, metadata={"help": "seizure reports not reviewed yet"}
    )
    alarm_kinds: dict[str, str] = field(
        default_factory=lambda: dict(removal.ALARM_KINDS),
        metadata={"help": "alarms a member raises by hand: slug → text (msgid)"},
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(
        default_factory=list, metadata={"help": "why the last form was refused, translated"}
    )
    error_form: str = field(default="", metadata={"help": "which form the errors belong to"})
    talk: TalkForm = field(default_factory=TalkForm, metadata={"help": "post form values"})
    card: str = field(default="", metadata={"help": "the card code typed, kept after an error"})
    settings_form: SettingsForm = field(
        default_factory=SettingsForm, metadata={"help": "settings-change form values"}
    )
    relays: list[reach.RelayRow] = field(
        default_factory=list, metadata={"help": "the cell's relays and when each answered"}
    )
    contacts: dict[str, tuple[int, tuple[str, ...]]] = field(
        default_factory=dict,
        metadata={"help": "by cover name: the contacts' count and the code names shared"},
    )
    news_href: str = field(
        default="", metadata={"help": "the self-refreshing frame listing what arrives"}
    )
    own_notices: int = field(
        default=0, metadata={"help": "how many of the alarms are this device's own notices"}
    )


def news_href(cell_href: str, shown: dict[int, int], since: int) -> str:
    """The news frame of a cell page shown at log time `since` with the per-member
    counters `shown` (``c=LEAF-N.LEAF-N``: `views.news.parse_counters`)."""
    counters = ".".join(f"{leaf}-{n}" for leaf, n in sorted(shown.items()))
    return f"{cell_href}/news?{urlencode({'since': since, 'c': counters})}"


def page_number(value: str | None) -> int:
    return whole_number(value or "", max_digits=6) or 0


@dataclass
class CellMemo:
    """What the app computed for one cell's pages, kept while that part of the cell does
    not change.

    Folded org state is immutable, so "this part did not change" is an identity test on
    the parts of the runtime's state it was computed from (`talk_from`, `decisions_from`):
    a new message leaves the decisions' memo valid, a vote leaves the messages'. The talk
    part holds the pages of messages asked for (`talk.read_page`, which costs a page, not
    the thread); it is computed afresh when a held message's expiry comes
    (`expires_next`) or after `MEMO_SECONDS` (the app's expiry sweep runs then). Kept in
    `WebState.cell_memos` and dropped on lock and panic (it holds message texts)."""

    language: str = field(metadata={"help": "the language of translated parts"})
    made_at: int = field(metadata={"help": "when the talk part was computed (and swept)"})
    talk_from: tuple[object, ...] = field(
        default=(), metadata={"help": "the state parts the talk part came from"}
    )
    threads: list[talk.ThreadView] = field(
        default_factory=list, metadata={"help": "the cell's threads"}
    )
    pages: dict[tuple[str, int], talk.MessagePage] = field(
        default_factory=dict, metadata={"help": "pages of messages by (thread title, page)"}
    )
    expires_next: int | None = field(
        default=None, metadata={"help": "the earliest expiry of a held message"}
    )
    decisions_from: tuple[object, ...] = field(
        default=(), metadata={"help": "the state parts the decisions came from"}
    )
    decisions: list[DecisionSummary] = field(
        default_factory=list, metadata={"help": "every decision, by number"}
    )
    fund_from: tuple[object, ...] = field(
        default=(), metadata={"help": "the state parts the fund's part came from"}
    )
    fund: FundMemo | None = field(
        default=None, metadata={"help": "the fund's view, months and reports asked for"}
    )


@dataclass
class FundMemo:
    """The fund's page as the app computed it: a 2,750-entry fund's view, months and
    report take the app about 100 ms, so they are kept while the fund, the members and
    the group are the same objects."""

    view: app_fund.FundView = field(metadata={"help": "the fund (app view)"})
    months: list[tuple[int, int]] = field(metadata={"help": "Jalali months with entries"})
    reports: dict[tuple[int, int], app_fund.MonthReport] = field(
        default_factory=dict, metadata={"help": "the monthly reports asked for, by month"}
    )
    beancount: str | None = field(
        default=None, metadata={"help": "the ledger as Beancount text, once asked for"}
    )


#: The talk part is computed afresh (and expired chat swept) at least this often, in s.
MEMO_SECONDS = 60
#: Pages of messages kept per cell (the first ones asked for since the last change).
MEMO_PAGES = 64


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return len(a) == len(b) > 0 and all(x is y for x, y in zip(a, b, strict=True))


def _memo(rt: CellRuntime, language: str, memos: dict[bytes, CellMemo]) -> CellMemo:
    memo = memos.get(rt.group_id)
    if memo is None or memo.language != language:
        memo = memos[rt.group_id] = CellMemo(language=language, made_at=0)
    return memo


def cell_talk(
    ws: Workspace,
    ref: str,
    language: str,
    memos: dict[bytes, CellMemo],
    thread: str | None = None,
    page_no: int = 0,
) -> tuple[list[talk.ThreadView], talk.MessagePage]:
    """The cell's threads and one page of messages (swept of expired chat): `thread` if
    the cell has a thread with that title, else its first thread."""
    rt = cells.find_cell(ws, ref)
    memo = _memo(rt, language, memos)

    def parts() -> tuple[object, ...]:
        return (rt.org.messages, rt.org.threads, rt.org.members)

    now = ws.now()
    due = memo.expires_next is not None and now >= memo.expires_next
    if not _same(memo.talk_from, parts()) or now - memo.made_at >= MEMO_SECONDS or due:
        cell_id = cells.summary(rt).cell_id
        first = talk.read_page(ws, cell_id, size=PAGE_SIZE)  # sweeps expired chat first
        rt = cells.find_cell(ws, cell_id)
        # One tab per thread; threads sharing a title are shown as one (their messages
        # together), so each such tab counts them all.
        found = talk.threads(ws, cell_id)
        by_title: dict[str, int] = {}
        for t in found:
            by_title[t.title] = by_title.get(t.title, 0) + t.messages
        memo.threads = [talk.ThreadView(t.title, by_title[t.title]) for t in found]
        memo.pages = {(first.thread, 0): first}
        memo.expires_next = first.expires_next
        memo.made_at = ws.now()
        memo.talk_from = parts()
    titles = [t.title for t in memo.threads]
    current = thread if thread in titles else (titles[0] if titles else "")
    key = (current, page_no)
    page = memo.pages.get(key)
    if page is None:
        cell_id = cells.summary(rt).cell_id
        page = talk.read_page(ws, cell_id, thread=current or None, page=page_no, size=PAGE_SIZE)
        if _same(memo.talk_from, parts()):  # nothing was swept meanwhile
            if len(memo.pages) >= MEMO_PAGES:
                memo.pages.clear()
            memo.pages[key] = page
    return memo.threads, page


def cell_decisions(
    ws: Workspace, ref: str, language: str, memos: dict[bytes, CellMemo]
) -> list[DecisionSummary]:
    """Every decision of the cell, by number (from the memo when still valid)."""
    rt = cells.find_cell(ws, ref)
    memo = _memo(rt, language, memos)
    parts = (rt.org.decisions, rt.org.members)
    if not _same(memo.decisions_from, parts):
        memo.decisions = decisions.show(ws, ref)
        memo.decisions_from = parts
    return memo.decisions


def cell_fund(ws: Workspace, ref: str, language: str, memos: dict[bytes, CellMemo]) -> FundMemo:
    """The fund's view and months (from the memo when still valid); the caller adds the
    report it needs with `fund_report`."""
    rt = cells.find_cell(ws, ref)
    memo = _memo(rt, language, memos)
    parts = (rt.org.fund, rt.org.members, rt.group)
    if memo.fund is None or not _same(memo.fund_from, parts):
        cell_id = cells.summary(rt).cell_id
        memo.fund = FundMemo(app_fund.show(ws, cell_id), app_fund.months(ws, cell_id))
        memo.fund_from = parts
    return memo.fund


def fund_report(
    ws: Workspace, ref: str, fund: FundMemo, month: tuple[int, int]
) -> app_fund.MonthReport:
    """One month's report, computed once per `FundMemo`."""
    found = fund.reports.get(month)
    if found is None:
        found = fund.reports[month] = app_fund.report(ws, ref, *month)
    return found


def fund_beancount(ws: Workspace, ref: str, fund: FundMemo) -> str:
    """The ledger as Beancount text, made once per `FundMemo`."""
    if fund.beancount is None:
        fund.beancount = app_fund.beancount(ws, ref)
    return fund.beancount


def build(
    ws: Workspace,
    ref: str,
    ui: Ui,
    thread: str | None,
    page_no: int,
    memos: dict[bytes, CellMemo] | None = None,
) -> CellPage:
    """Everything the cell page shows, from the app (one call, under the app lock)."""
    memos = {} if memos is None else memos
    found_threads, page = cell_talk(ws, ref, ui.language, memos, thread, page_no)
    all_decisions = cell_decisions(ws, ref, ui.language, memos)
    rt = cells.find_cell(ws, ref)
    summary = cells.summary(rt)
    cell_id = summary.cell_id
    href = f"/cell/{cell_id}"
    current = page.thread
    now = ws.now()
    shown = [m for m in page.messages if m.expires_at > now]

    def thread_href(title: str, n: int = 0) -> str:
        query = {"thread": title, **({"page": str(n)} if n else {})}
        return f"{href}?{urlencode(query)}"

    seen = news.mark_seen(ws, cell_id)
    found_alarms = sync.alarms(ws, cell_id)
    closed = [d for d in all_decisions if not d.is_open]
    words: tuple[str, ...] = ()
    if not summary.removed:
        try:
            words = cells.safety_words(ws, cell_id, ui.language)
        except HastehError:
            words = ()
    return CellPage(
        cell=summary,
        href=href,
        alarms=[a.text for a in found_alarms],
        threads=[
            ThreadTab(t.title, t.messages, thread_href(t.title), t.title == current)
            for t in found_threads
        ],
        thread=current,
        messages=[MessageRow(m.author, m.at, m.text, m.mine) for m in shown],
        older_href=thread_href(current, page_no + 1) if page.older else None,
        newer_href=thread_href(current, page_no - 1) if page.newer else None,
        open_decisions=[d for d in all_decisions if d.is_open],
        closed_decisions=closed[-RECENT_CLOSED:][::-1],
        decision_count=len(all_decisions),
        members=cells.members(ws, cell_id),
        contacts=contacts.told(ws, cell_id),
        pending=admission.pending(ws, cell_id),
        safety_words=words,
        kind_names=KIND_NAMES,
        seizures=[] if summary.removed else removal.pending_reviews(ws, cell_id),
        relays=reach.relay_rows(ws, cell_id),
        news_href=news_href(href, seen, rt.record.log_time),
        own_notices=sum(1 for a in found_alarms if a.own),
    )


async def show_cell(
    request: Request,
    ref: str,
    *,
    errors: list[str] | None = None,
    error_form: str = "",
    status: int = 200,
    talk_form: TalkForm | None = None,
    card: str = "",
    settings_form: SettingsForm | None = None,
    section: str = "",
) -> Response:
    """One of the cell's pages (`SECTIONS`; by default the one showing `error_form`'s
    refusal, else the conversation), or, when the cell cannot be shown, home with the
    reason (404)."""
    section = section or FORM_SECTIONS.get(error_form, "talk")
    ui = ui_for(request)
    thread = request.query_params.get("thread")
    page_no = page_number(request.query_params.get("page"))
    try:
        memos = web_state(request).cell_memos
        page = await call_app(request, lambda ws: build(ws, ref, ui, thread, page_no, memos))
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(NOTICES[done]) if done in NOTICES else ""
    page.errors = errors or []
    page.error_form = error_form
    page.talk = talk_form or TalkForm()
    page.card = card
    page.settings_form = settings_form or SettingsForm()
    return render(request, SECTIONS[section], page, status_code=status)


@unlocked_only
async def cell_page(request: Request) -> Response:
    return await show_cell(request, request.path_params["ref"], section="talk")


@unlocked_only
async def members_page(request: Request) -> Response:
    return await show_cell(request, request.path_params["ref"], section="members")


@unlocked_only
async def safety_page(request: Request) -> Response:
    return await show_cell(request, request.path_params["ref"], section="safety")


@unlocked_only
async def settings_page(request: Request) -> Response:
    return await show_cell(request, request.path_params["ref"], section="settings")


@unlocked_only
async def say(request: Request) -> Response:
    ref = request.path_params["ref"]
    data = await request.form()
    form = TalkForm(text=text(data, "text"), new_thread=text(data, "new_thread"))
    thread = form.new_thread.strip() or text(data, "thread").strip() or None

    def run(ws: Workspace) -> tuple[str, bool]:
        sent = talk.say(ws, ref, form.text, thread=thread)
        return sent.thread, send_now(ws)

    try:
        title, reached = await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(
            request, ref, errors=refusal.lines, error_form="talk", status=400, talk_form=form
        )
    return done(ref, sent_or_queued(reached), "talk", thread=title)


@unlocked_only
async def propose(request: Request) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    data = await request.form()
    code = text(data, "card").strip()
    upload = data.get("card_file")
    image = b""
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(cards.MAX_IMAGE_BYTES + 1)
        if cards.looks_like_image(raw):
            image = raw  # a photo of the card's QR code (decoded by the app, size-checked)
        else:
            code = raw[: 64 * 1024].decode("utf-8", errors="replace").strip() or code
    if not code and not image:
        lines = [
            ui.gettext("Paste the card code, or choose the file that holds it."),
            ui.gettext("Nothing was changed."),
        ]
        return await show_cell(request, ref, errors=lines, error_form="propose", status=400)

    def run(ws: Workspace) -> bool:
        if image:
            admission.propose_card(ws, ref, cards.read_card_image(image, now=ws.now()))
            return send_now(ws)
        if not cards.card_lines(code).upper().startswith("HC"):
            # The app also reads a file path here (the CLI's `propose CELL FILE`); a web
            # form never names a file on this computer.
            raise CardError("not-a-card")
        admission.propose(ws, ref, code)
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        card = text(data, "card")
        return await show_cell(
            request, ref, errors=refusal.lines, error_form="propose", status=400, card=card
        )
    return done(ref, "proposed" if reached else "queued", "members")


@unlocked_only
async def answer(request: Request) -> Response:
    """Vouch for, approve or object to a proposed newcomer; or, for the member who
    proposed them, withdraw the proposal."""
    ref = request.path_params["ref"]
    ui = ui_for(request)
    data = await request.form()
    newcomer, action, reason = text(data, "newcomer"), text(data, "action"), text(data, "reason")
    if action not in ("vouch", "approve", "object", "withdraw"):
        lines = [ui.gettext("Choose vouch, approve or object."), ui.gettext("Nothing was changed.")]
        return await show_cell(request, ref, errors=lines, error_form="newcomers", status=400)

    def run(ws: Workspace) -> bool:
        if action == "vouch":
            admission.vouch(ws, ref, newcomer)
        elif action == "approve":
            admission.approve(ws, ref, newcomer)
        elif action == "withdraw":
            admission.withdraw(ws, ref, newcomer)
        else:
            admission.object_to(ws, ref, newcomer, reason)
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(
            request, ref, errors=refusal.lines, error_form="newcomers", status=400
        )
    return done(ref, "answered" if reached else "queued", "members")


@unlocked_only
async def set_notices_aside(request: Request) -> Response:
    """This device's notices of the cell, read: set aside (the log's alarms stay)."""
    ref = request.path_params["ref"]
    await request.form()  # the CSRF guard has read the token; nothing else is sent

    def run(ws: Workspace) -> int:
        return sync.dismiss_notices(ws, ref)

    try:
        await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(request, ref, errors=refusal.lines, status=400)
    return done(ref, "notices-read")


@unlocked_only
async def change_settings(request: Request) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)
    data = await request.form()
    choice, typed = deadline_text(data)
    form = SettingsForm(
        cap=text(data, "cap"),
        admission=text(data, "admission"),
        expiry_days=text(data, "expiry_days"),
        trial_days=text(data, "trial_days"),
        file_cap_mb=text(data, "file_cap_mb"),
        files_cap_mb=text(data, "files_cap_mb"),
        deadline=typed,
        deadline_choice=choice,
    )
    numbers: dict[str, int | None] = {}
    errors: list[str] = []
    fields = (
        ("cap", form.cap),
        ("expiry_days", form.expiry_days),
        ("trial_days", form.trial_days),
        ("file_cap_mb", form.file_cap_mb),
        ("files_cap_mb", form.files_cap_mb),
    )
    for name, value in fields:
        number = whole_number(value, max_digits=5)
        if not parse_digits(value).strip():
            numbers[name] = None
        elif number is not None:
            numbers[name] = number
        else:
            errors.append(ui.gettext("Write whole numbers, or leave the field empty."))
    if errors:
        return await show_cell(
            request, ref, errors=errors, error_form="settings", status=400, settings_form=form
        )

    def run(ws: Workspace) -> bool:
        decisions.change_settings(
            ws,
            ref,
            deadline=decisions.deadline(ws, deadline_input(choice, typed)),
            cap=numbers["cap"],
            admission=form.admission or None,
            expiry_days=numbers["expiry_days"],
            trial_days=numbers["trial_days"],
            file_cap_mb=numbers["file_cap_mb"],
            files_cap_mb=numbers["files_cap_mb"],
        )
        return send_now(ws)

    try:
        reached = await call_app(request, run)
    except Refusal as refusal:
        return await show_cell(
            request,
            ref,
            errors=refusal.lines,
            error_form="settings",
            status=400,
            settings_form=form,
        )
    return done(ref, "settings" if reached else "queued", "decisions")


routes = [
    Route("/cell/{ref}", cell_page, methods=["GET"]),
    Route("/cell/{ref}/members", members_page, methods=["GET"]),
    Route("/cell/{ref}/safety", safety_page, methods=["GET"]),
    Route("/cell/{ref}/settings", settings_page, methods=["GET"]),
    Route("/cell/{ref}/say", say, methods=["POST"]),
    Route("/cell/{ref}/propose", propose, methods=["POST"]),
    Route("/cell/{ref}/admission", answer, methods=["POST"]),
    Route("/cell/{ref}/settings", change_settings, methods=["POST"]),
    Route("/cell/{ref}/notices", set_notices_aside, methods=["POST"]),
]
