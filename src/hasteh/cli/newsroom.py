"""`hasteh bulletin show|article|revise|comment|issue|approve|editors|publish|download|copies|
fund-report`: the cell's newsroom from the command line. A thin shell over
`hasteh.app.bulletin`; articles and issues by the number `bulletin show` prints.

    hasteh bulletin editors CELL NAME [NAME...]        # propose who holds the bulletin key
    hasteh bulletin article CELL --title T --file text.md
    hasteh bulletin issue CELL --number 12 --masthead M --date 1405/09/13 ARTICLE...
    hasteh bulletin approve CELL ISSUE                 # open the approval decision
    hasteh bulletin publish CELL ISSUE                 # an editor: sign and publish
    hasteh bulletin download CELL ISSUE --out f.pdf [--booklet | --page N]
    hasteh bulletin copies CELL ISSUE WORKPLACE COUNT [--form paper|file|image]
    hasteh bulletin fund-report CELL 1405/09 --out report.pdf

Files are written with mode 0600; nothing else touches the disk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import typer

from hasteh.app import bulletin as app_bulletin
from hasteh.app import decisions
from hasteh.cli.common import CellArgument, _n, _print, _workspace
from hasteh.cli.options import fail, handles_errors
from hasteh.i18n import _, parse_digits

__all__ = ["COMMANDS"]

MAX_TEXT: Final = 200_000

TitleOption = typer.Option(..., "--title", help=_("The article's title."))
FileOption = typer.Option(..., "--file", help=_("The article's text, a Markdown file."))
ArticleArgument = typer.Argument(..., help=_("The article's number from `bulletin show`."))
IssueArgument = typer.Argument(..., help=_("The issue's number from `bulletin show`."))
ArticlesArgument = typer.Argument(..., help=_("The articles' numbers, in print order."))
NamesArgument = typer.Argument(..., help=_("The editors' cover names."))
NumberOption = typer.Option(..., "--number", help=_("The issue's number."))
MastheadOption = typer.Option(..., "--masthead", help=_("The bulletin's name."))
DateOption = typer.Option(..., "--date", help=_("The issue's Jalali date, such as 1405/09/13."))
DeadlineOption = typer.Option(
    "tomorrow", "--deadline", help=_("When the vote closes (same forms as --date).")
)
OutOption = typer.Option(..., "--out", help=_("Where to write the file."))
BookletOption = typer.Option(False, "--booklet", help=_("An A5 booklet imposed on A4."))
PageOption = typer.Option(0, "--page", help=_("Only this page, as a PNG image."))
WorkplaceArgument = typer.Argument(..., help=_("The workplace's code (never a person)."))
CountArgument = typer.Argument(..., help=_("How many copies."))
FormOption = typer.Option("paper", "--form", help=_("paper, file or image."))
MonthArgument = typer.Argument(..., help=_("The Jalali month, such as 1405/09."))
TextArgument = typer.Argument(..., help=_("The comment."))


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_TEXT:
            raise fail(_("The file is too large."))
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise fail(_("The file cannot be read."), _("Check the path and try again.")) from None


def _write(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError:
        raise fail(_("The file cannot be written."), _("Check the path and try again.")) from None


@handles_errors
def show(cell: str = CellArgument) -> None:
    """Editors, the key's fingerprint, articles and issues."""
    with _workspace() as ws:
        view = app_bulletin.show(ws, cell)
    _print(_("Editors: {names}").format(names=", ".join(view.editors) or "-"))
    if view.key_fingerprint:
        _print(
            _("Bulletin key fingerprint: {fingerprint}").format(fingerprint=view.key_fingerprint)
        )
    if view.rotation_due:
        _print(_("The bulletin key is being rotated: a holder was removed or reported seized."))
    for a in view.articles:
        _print(
            _("Article {n}: {title} (by {who}, {revisions} revisions, {comments} comments)").format(
                n=_n(a.number),
                title=a.title,
                who=a.author,
                revisions=_n(a.revisions),
                comments=_n(len(a.comments)),
            )
        )
    for i in view.issues:
        state = _("approved") if i.approved else _("not approved")
        if i.publication is not None:
            state = _("published: {outcome}").format(outcome=_(i.publication.outcome))
        _print(
            _("Issue {n}: {masthead} no. {number} ({state})").format(
                n=_n(i.number), masthead=i.masthead, number=_n(i.issue_number), state=state
            )
        )
        for workplace, form, count in i.copies:
            _print(f"  {workplace}: {_n(count)} ({_(form)})")


@handles_errors
def article(cell: str = CellArgument, title: str = TitleOption, file: Path = FileOption) -> None:
    """Write a new article (Markdown; raw HTML is printed as text)."""
    text = _read_text(file)
    with _workspace() as ws:
        number = app_bulletin.draft(ws, cell, title, text)
    _print(_("Article {n} is written.").format(n=_n(int(number))))


@handles_errors
def revise(
    cell: str = CellArgument,
    number: str = ArticleArgument,
    title: str = TitleOption,
    file: Path = FileOption,
) -> None:
    """A new revision of an article (the whole text)."""
    text = _read_text(file)
    with _workspace() as ws:
        app_bulletin.revise(ws, cell, number, title, text)
    _print(_("The article is revised."))


@handles_errors
def comment(
    cell: str = CellArgument, number: str = ArticleArgument, text: str = TextArgument
) -> None:
    """Comment on an article."""
    with _workspace() as ws:
        app_bulletin.comment(ws, cell, number, text)
    _print(_("Your comment is sent."))


@handles_errors
def issue(
    cell: str = CellArgument,
    articles: list[str] = ArticlesArgument,
    number: str = NumberOption,
    masthead: str = MastheadOption,
    date: str = DateOption,
) -> None:
    """Assemble an issue from articles, in print order (each at its latest revision)."""
    with _workspace() as ws:
        made = app_bulletin.assemble(
            ws, cell, number=number, masthead=masthead, date=date, articles=articles
        )
    _print(_("Issue {n} is assembled; open its approval with `bulletin approve`.").format(n=made))


@handles_errors
def approve(
    cell: str = CellArgument, number: str = IssueArgument, deadline: str = DeadlineOption
) -> None:
    """Open the issue's approval decision (consent); members take part with `decide`."""
    with _workspace() as ws:
        opened = app_bulletin.open_approval(
            ws, cell, number, deadline=decisions.deadline(ws, deadline)
        )
    _print(_("Decision {n} is open.").format(n=_n(opened.number)))


@handles_errors
def editors(
    cell: str = CellArgument, names: list[str] = NamesArgument, deadline: str = DeadlineOption
) -> None:
    """Propose the editors who hold the bulletin key; the cell decides."""
    with _workspace() as ws:
        opened = app_bulletin.propose_editors(
            ws, cell, names, deadline=decisions.deadline(ws, deadline)
        )
    _print(_("Decision {n} is open.").format(n=_n(opened.number)))


@handles_errors
def publish(cell: str = CellArgument, number: str = IssueArgument) -> None:
    """Sign the approved issue with the bulletin key and publish it into the cell."""
    with _workspace() as ws:
        app_bulletin.publish(ws, cell, number)
    _print(_("The issue is published; every member receives the same signed file."))


@handles_errors
def download(
    cell: str = CellArgument,
    number: str = IssueArgument,
    target: Path = OutOption,
    booklet: bool = BookletOption,
    page: int = PageOption,
) -> None:
    """Write the published issue: the signed PDF, a booklet to print, or one page image."""
    with _workspace() as ws:
        if page:
            data = app_bulletin.page_png(ws, cell, number, page)
        elif booklet:
            data = app_bulletin.booklet_pdf(ws, cell, number)
        else:
            data = app_bulletin.published_pdf(ws, cell, number)
    _write(target, data)


@handles_errors
def copies(
    cell: str = CellArgument,
    number: str = IssueArgument,
    workplace: str = WorkplaceArgument,
    count: str = CountArgument,
    form: str = FormOption,
) -> None:
    """Record how many copies went out at a workplace (counts only, never who)."""
    with _workspace() as ws:
        app_bulletin.record_copies(ws, cell, number, workplace=workplace, copies=count, form=form)
    _print(_("Recorded."))


@handles_errors
def fund_report(
    cell: str = CellArgument, month: str = MonthArgument, target: Path = OutOption
) -> None:
    """The fund's monthly report as a PDF (signed when this device holds the bulletin key)."""
    parts = parse_digits(month).strip().replace("-", "/").split("/")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        raise fail(_("The month is a Jalali month such as 1405/09."))
    with _workspace() as ws:
        data, signed = app_bulletin.fund_report_pdf(ws, cell, int(parts[0]), int(parts[1]))
    _write(target, data)
    if not signed:
        _print(_("Unsigned: this device holds no bulletin key of the cell."))


#: (name, help, function) of each newsroom command, added to `hasteh bulletin`.
COMMANDS: Final = (
    ("show", _("Editors, articles and issues of a cell's bulletin."), show),
    ("article", _("Write a new article."), article),
    ("revise", _("Revise an article."), revise),
    ("comment", _("Comment on an article."), comment),
    ("issue", _("Assemble an issue from articles."), issue),
    ("approve", _("Open an issue's approval decision."), approve),
    ("editors", _("Propose the editors who hold the bulletin key."), editors),
    ("publish", _("Sign and publish an approved issue (an editor)."), publish),
    ("download", _("Write a published issue to a file."), download),
    ("copies", _("Record copies handed out at a workplace."), copies),
    ("fund-report", _("The fund's monthly report as a PDF."), fund_report),
)
