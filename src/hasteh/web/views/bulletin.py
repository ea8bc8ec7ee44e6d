"""The cell's bulletin (issue 16): the newsroom page (editors, the key's fingerprint,
articles, issues, and the forms that write, assemble and propose), an article's page
(its text, revisions, comments), and an issue's page: the **preview** (the articles as
the press prints them, raw HTML off), its approval, the publish button for an editor,
the downloads (the signed PDF, a booklet to print, page images) with what verification
says, and the copies handed out (counts by workplace, never names). No JavaScript.

    GET  /cell/{ref}/bulletin                          the newsroom
    GET  /cell/{ref}/bulletin/articles/{a}             an article (its 8-hex id)
    GET  /cell/{ref}/bulletin/issues/{i}               an issue: preview, approval, files
    GET  /cell/{ref}/bulletin/issues/{i}/issue.pdf     the signed file as published
    GET  /cell/{ref}/bulletin/issues/{i}/booklet.pdf   its pages imposed for printing
    GET  /cell/{ref}/bulletin/issues/{i}/page-{p}.png  one page as an image
    POST /cell/{ref}/bulletin/check                    check a copy one was handed (a
                                                       PDF, or a photo of its back page)
    POST /cell/{ref}/bulletin/{what}                   editors | article | revise |
                                                       comment | issue | approve |
                                                       publish | copies

Like every form: CSRF (the guard), a redirect with a notice on success, or the page again
with status 400 and the translated reason (the app refuses before anything is sent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hasteh.app import Workspace, cells, decisions
from hasteh.app import bulletin as app_bulletin
from hasteh.app.bulletin import MAX_COPY_BYTES, ArticleView, CopyCheck, IssueView, NewsroomView
from hasteh.app.cells import CellSummary
from hasteh.app.errors import AppCode, BadInput
from hasteh.i18n import whole_number
from hasteh.web.app import render, ui_for
from hasteh.web.appcalls import Refusal, call_app
from hasteh.web.views.common import KIND_NAMES, redirect, send_now, text, unlocked_only
from hasteh.web.views.home import CreateForm, home_page

__all__ = ["routes"]

BULLETIN_NOTICES = {
    "saved": "Saved and sent to the cell.",
    "published": "The issue is published; every member receives the same signed file.",
    "queued": "Saved, but no relay answered: it will be sent with Fetch now, or carry a "
    "courier bundle.",
}
#: Forms of copies and their names on the page (msgids).
FORM_NAMES = {"paper": "paper", "file": "file", "image": "image"}
#: What verification says, by `Verdict.outcome` (msgids).
OUTCOME_NAMES = {
    "genuine": "Genuine: signed with the cell's bulletin key.",
    "altered": "Altered: this file is not the one its issuer signed. Do not pass it on.",
    "unknown-issuer": "Unknown issuer: not signed with the cell's bulletin key.",
}
#: What a checked copy says (`app.bulletin.CopyCheck.outcome`; msgids with {number}).
CHECK_NAMES = {
    "genuine": "Genuine: this is issue {number}, signed with the cell's current bulletin key.",
    "altered": "Altered: this file is not the one its issuer signed. Do not pass it on.",
    "unknown-issuer": "Unknown issuer: this file is not signed with the cell's bulletin key. "
    "Do not trust it as the cell's.",
    "claims-current": "The picture's code claims issue {number} of this cell's current key. "
    "A picture cannot prove its own text: compare it with the genuine file.",
    "claims-retired": "The picture's code claims a key this cell rotated away after a "
    "seizure or a removal: treat it as a forgery.",
    "claims-foreign": "The picture's code claims a key this cell never had: it is not this "
    "cell's bulletin.",
}
#: Why the key that signed an issue was rotated since (msgids).
ROTATED_NAMES = {
    "seizure": "Its key was rotated since, after a device was reported seized: anything "
    "signed with that key after the rotation is a forgery.",
    "removal": "Its key was rotated since, after an editor was removed.",
    "editors": "Its key was rotated since, when the cell named other editors.",
}


@dataclass
class BulletinPage:
    """Context of `bulletin.html`, `bulletin_article.html` and `bulletin_issue.html`."""

    cell: CellSummary = field(metadata={"help": "the cell"})
    href: str = field(metadata={"help": "local path of the cell's page"})
    room: NewsroomView = field(metadata={"help": "the newsroom as this member's log folds it"})
    members: tuple[str, ...] = field(metadata={"help": "cover names, for naming editors"})
    article: ArticleView | None = field(
        default=None, metadata={"help": "the article shown (its page)"}
    )
    article_html: Markup = field(
        default=Markup(""), metadata={"help": "the article as the press prints it (safe)"}
    )
    issue: IssueView | None = field(default=None, metadata={"help": "the issue shown"})
    preview: tuple[tuple[str, Markup], ...] = field(
        default=(), metadata={"help": "the issue's articles as printed: title, safe HTML"}
    )
    pages: int = field(default=0, metadata={"help": "pages of the published file"})
    form_names: dict[str, str] = field(
        default_factory=lambda: FORM_NAMES, metadata={"help": "forms of copies (msgids)"}
    )
    outcome_names: dict[str, str] = field(
        default_factory=lambda: OUTCOME_NAMES, metadata={"help": "verdicts (msgids)"}
    )
    rotated_names: dict[str, str] = field(
        default_factory=lambda: ROTATED_NAMES, metadata={"help": "rotation reasons (msgids)"}
    )
    kind_names: dict[str, str] = field(
        default_factory=lambda: KIND_NAMES, metadata={"help": "decision kind → name (msgid)"}
    )
    check: CopyCheck | None = field(
        default=None, metadata={"help": "a copy just checked (the check form's answer)"}
    )
    check_names: dict[str, str] = field(
        default_factory=lambda: CHECK_NAMES, metadata={"help": "check answers (msgids)"}
    )
    notice: str = field(default="", metadata={"help": "what just happened, translated"})
    errors: list[str] = field(default_factory=list, metadata={"help": "refusal, translated"})


def _hex8(value: str, code: AppCode) -> str:
    """An article's or issue's 8-hex id from a URL or a form (numbers shift; ids do not)."""
    if len(value) != 8 or any(c not in "0123456789abcdef" for c in value):
        raise BadInput(code)
    return value


async def _page(
    request: Request,
    template: str,
    *,
    article: str | None = None,
    issue: str | None = None,
    errors: list[str] | None = None,
    check: CopyCheck | None = None,
) -> Response:
    ref = request.path_params["ref"]
    ui = ui_for(request)

    def build(ws: Workspace) -> BulletinPage:
        rt = cells.find_cell(ws, ref)
        cell = cells.summary(rt)
        room = app_bulletin.show(ws, cell.cell_id, verify=False)
        page = BulletinPage(
            cell=cell,
            href=f"/cell/{cell.cell_id}",
            room=room,
            members=tuple(m.cover_name for m in cells.members(ws, cell.cell_id)),
        )
        if article is not None:
            shown = app_bulletin.article_view(ws, cell.cell_id, _hex8(article, "unknown-article"))
            page.article = shown
            page.article_html = Markup(app_bulletin.render_article(shown.body))  # noqa: S704
        if issue is not None:
            found = app_bulletin.issue_view(ws, cell.cell_id, _hex8(issue, "unknown-issue"))
            page.issue = found
            page.preview = tuple(
                (title, Markup(html))  # noqa: S704 - markdown-it with raw HTML off
                for title, html in app_bulletin.preview_html(ws, cell.cell_id, found.ref)
            )
            if found.publication is not None and found.publication.complete:
                page.pages = app_bulletin.page_total(ws, cell.cell_id, found.ref)
        return page

    try:
        page = await call_app(request, build)
    except Refusal as refusal:
        return await home_page(request, CreateForm(), refusal.lines, 404)
    done = request.query_params.get("done", "")
    page.notice = ui.gettext(BULLETIN_NOTICES[done]) if done in BULLETIN_NOTICES else ""
    page.errors = errors or []
    page.check = check
    return render(request, template, page, status_code=400 if errors else 200)


@unlocked_only
async def newsroom(request: Request) -> Response:
    return await _page(request, "bulletin.html")


@unlocked_only
async def article_page(request: Request) -> Response:
    return await _page(request, "bulletin_article.html", article=request.path_params["a"])


@unlocked_only
async def issue_page(request: Request) -> Response:
    return await _page(request, "bulletin_issue.html", issue=request.path_params["i"])


async def _file(
    request: Request, make: Callable[[Workspace, str, str], bytes], kind: str
) -> Response:
    ref, issue = request.path_params["ref"], request.path_params["i"]

    def run(ws: Workspace) -> bytes:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        return make(ws, cell, _hex8(issue, "unknown-issue"))

    try:
        body = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, "bulletin_issue.html", issue=issue, errors=refusal.lines)
    name = f"issue-{issue}.{'png' if kind == 'image/png' else 'pdf'}"
    return Response(
        body,
        media_type=kind,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@unlocked_only
async def issue_pdf(request: Request) -> Response:
    return await _file(request, app_bulletin.published_pdf, "application/pdf")


@unlocked_only
async def booklet_pdf(request: Request) -> Response:
    return await _file(request, app_bulletin.booklet_pdf, "application/pdf")


@unlocked_only
async def page_png(request: Request) -> Response:
    number = whole_number(request.path_params["p"][:4], max_digits=4) or 0
    return await _file(
        request, lambda ws, c, i: app_bulletin.page_png(ws, c, i, number), "image/png"
    )


@unlocked_only
async def check(request: Request) -> Response:
    """Check a copy one was handed against the cell's key chain; nothing is kept."""
    ref = request.path_params["ref"]
    data = await request.form(max_part_size=MAX_COPY_BYTES + 1)
    sent = data.get("copy")
    body = await sent.read(MAX_COPY_BYTES + 1) if isinstance(sent, UploadFile) else b""
    if isinstance(sent, UploadFile):
        await sent.close()

    def run(ws: Workspace) -> CopyCheck:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        return app_bulletin.check_copy(ws, cell, body)

    try:
        found = await call_app(request, run)
    except Refusal as refusal:
        return await _page(request, "bulletin.html", errors=refusal.lines)
    return await _page(request, "bulletin.html", check=found)


def _deed(what: str, data: FormData) -> Callable[[Workspace, str], str] | None:
    """What a POST to ``…/bulletin/{what}`` does; returns the path to go back to."""
    get: Callable[[str], str] = lambda name: text(data, name)  # noqa: E731
    when = get("when").strip() or "three-days"

    def article_path(c: str, a: str) -> str:
        return f"/cell/{c}/bulletin/articles/{a}"

    def issue_path(c: str, i: str) -> str:
        return f"/cell/{c}/bulletin/issues/{i}"

    def write(ws: Workspace, c: str) -> str:
        number = app_bulletin.draft(ws, c, get("title"), get("body"))
        return article_path(c, app_bulletin.article_view(ws, c, number).ref)

    def revise(ws: Workspace, c: str) -> str:
        a = _hex8(get("article"), "unknown-article")
        app_bulletin.revise(ws, c, a, get("title"), get("body"))
        return article_path(c, a)

    def comment(ws: Workspace, c: str) -> str:
        a = _hex8(get("article"), "unknown-article")
        app_bulletin.comment(ws, c, a, get("text"))
        return article_path(c, a)

    def assemble(ws: Workspace, c: str) -> str:
        chosen = [a for a in data.getlist("articles") if isinstance(a, str) and a]
        number = app_bulletin.assemble(
            ws,
            c,
            number=get("number"),
            masthead=get("masthead"),
            date=get("date"),
            articles=[_hex8(a, "unknown-article") for a in chosen],
        )
        return issue_path(c, app_bulletin.issue_view(ws, c, number).ref)

    def approve(ws: Workspace, c: str) -> str:
        i = _hex8(get("issue"), "unknown-issue")
        app_bulletin.open_approval(ws, c, i, deadline=decisions.deadline(ws, when))
        return issue_path(c, i)

    def publish(ws: Workspace, c: str) -> str:
        i = _hex8(get("issue"), "unknown-issue")
        app_bulletin.publish(ws, c, i)
        return issue_path(c, i)

    def copies(ws: Workspace, c: str) -> str:
        i = _hex8(get("issue"), "unknown-issue")
        app_bulletin.record_copies(
            ws, c, i, workplace=get("workplace"), copies=get("copies"), form=get("form") or "paper"
        )
        return issue_path(c, i)

    def editors(ws: Workspace, c: str) -> str:
        names = [n for n in data.getlist("editors") if isinstance(n, str) and n]
        app_bulletin.propose_editors(ws, c, names, deadline=decisions.deadline(ws, when))
        return f"/cell/{c}/bulletin"

    deeds: dict[str, Callable[[Workspace, str], str]] = {
        "article": write,
        "revise": revise,
        "comment": comment,
        "issue": assemble,
        "approve": approve,
        "publish": publish,
        "copies": copies,
        "editors": editors,
    }
    return deeds.get(what)


def _back(what: str, data: FormData) -> tuple[str, dict[str, str]]:
    """The page a refused form is shown again on."""
    if what in ("revise", "comment"):
        return "bulletin_article.html", {"article": text(data, "article")}
    if what in ("approve", "publish", "copies"):
        return "bulletin_issue.html", {"issue": text(data, "issue")}
    return "bulletin.html", {}


@unlocked_only
async def act(request: Request) -> Response:
    ref, what = request.path_params["ref"], request.path_params["what"]
    data = await request.form()
    deed = _deed(what, data)
    template, where = _back(what, data)
    if deed is None:
        return await _page(
            request, template, errors=[ui_for(request).gettext("Nothing was changed.")]
        )
    do = deed

    def run(ws: Workspace) -> tuple[str, bool]:
        cell = cells.summary(cells.find_cell(ws, ref)).cell_id
        path = do(ws, cell)
        return path, send_now(ws)

    try:
        path, reached = await call_app(request, run)
    except Refusal as refusal:
        if any(not v for v in where.values()):
            template, where = "bulletin.html", {}
        return await _page(
            request,
            template,
            errors=refusal.lines,
            article=where.get("article"),
            issue=where.get("issue"),
        )
    done = "queued" if not reached else ("published" if what == "publish" else "saved")
    return redirect(f"{path}?done={done}")


routes = [
    Route("/cell/{ref}/bulletin", newsroom, methods=["GET"]),
    Route("/cell/{ref}/bulletin/articles/{a}", article_page, methods=["GET"]),
    Route("/cell/{ref}/bulletin/issues/{i}", issue_page, methods=["GET"]),
    Route("/cell/{ref}/bulletin/issues/{i}/issue.pdf", issue_pdf, methods=["GET"]),
    Route("/cell/{ref}/bulletin/issues/{i}/booklet.pdf", booklet_pdf, methods=["GET"]),
    Route("/cell/{ref}/bulletin/issues/{i}/page-{p}.png", page_png, methods=["GET"]),
    Route("/cell/{ref}/bulletin/check", check, methods=["POST"]),
    Route("/cell/{ref}/bulletin/{what}", act, methods=["POST"]),
]
