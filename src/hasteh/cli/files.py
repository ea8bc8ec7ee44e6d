"""`hasteh files …` and `hasteh library …`: files shared in a cell and the cell's library
(issue 15). A thin shell over `hasteh.app.files`; files and items by the number `list`
prints (Persian digits accepted). Downloads show a progress bar (rich) on stderr."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from hasteh.cli.cells import DeadlineOption
from hasteh.cli.common import CellArgument, _n, _print, _workspace, when, zone_of
from hasteh.cli.options import handles_errors
from hasteh.i18n import _, display_number

err = Console(stderr=True)

FileArgument = typer.Argument(..., help=_("The file's number (see `files list`)."))
ItemArgument = typer.Argument(..., help=_("The item's number (see `library list`)."))
PathArgument = typer.Argument(..., help=_("The file to share."))
OutOption = typer.Option(
    None, "--out", help=_("Where to save it (default: its name, in this folder).")
)

#: Said wherever a file that is not an image is sent or saved (docs/cells.md, "Files").
METADATA_WARNING = (
    "hasteh carries this file as it is and never opens it. Its own metadata (a PDF's or "
    "a document's author, an audio file's tags) may name whoever made it: check it before "
    "you share it, and open it only on a computer you trust."
)
#: How the faces name the kinds (msgids).
KIND_WORDS = {
    "image": "image",
    "pdf": "PDF",
    "text": "text",
    "audio": "audio",
    "other": "document",
    "reading": "reading",
    "international": "international experience",
}
STATE_WORDS = {"ok": "on this device", "waiting": "not here yet", "refused": "refused"}


class ChunkBar:
    """A progress bar on stderr for a download, opened at its first report."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[shown]}"),
                console=err,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(_("Receiving files"), total=max(total, 1), shown="")
        assert self._task is not None
        shown = f"{display_number(done)}/{display_number(total)}"
        self._bar.update(self._task, completed=done, shown=shown)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _size(size: int) -> str:
    if size >= 2**20:
        return _("{n} MB").format(n=_n(round(size / 2**20)))
    return _("{n} KB").format(n=_n(max(1, -(-size // 1024))))


@handles_errors
def files_send(
    cell: str = CellArgument,
    path: Path = PathArgument,
    kind: str | None = typer.Option(
        None,
        "--kind",
        help=_("image, pdf, text, audio or other (found from the file if left out)."),
    ),
    name: str | None = typer.Option(None, "--name", help=_("The name shown to the cell.")),
) -> None:
    """Share a file with the cell (images are cleaned of their metadata first)."""
    from hasteh.app import files

    try:
        data = path.read_bytes()
    except OSError:
        raise typer.BadParameter(_("The file cannot be read.")) from None
    with _workspace() as ws:
        line = files.send(ws, cell, data, name or path.name, kind=kind)
    _print(
        _("Shared as file {n}: {name} ({size}). Run `hasteh sync` to send.").format(
            n=_n(line.number), name=line.filename, size=_size(line.size)
        )
    )
    if line.warn:
        _print(_(METADATA_WARNING))
    else:
        _print(_("The image was cleaned: no camera, place or time from the photo is sent."))


@handles_errors
def files_list(cell: str = CellArgument) -> None:
    """The files of the cell."""
    from hasteh.app import files

    with _workspace() as ws:
        shown = files.lines(ws, cell)
        zone = zone_of(ws)
    if not shown:
        _print(_("No files yet."))
    for f in shown:
        _print(
            _("{n}. {name} [{kind}, {size}] from {who}, {at} — {state}").format(
                n=_n(f.number),
                name=f.filename,
                kind=_(KIND_WORDS[f.kind]),
                size=_size(f.size),
                who=f.shared_by,
                at=when(f.at, zone),
                state=_(STATE_WORDS[f.state]),
            )
        )


@handles_errors
def files_fetch() -> None:
    """Receive the files of your cells that are not on this device yet."""
    from hasteh.app import files

    bar = ChunkBar()
    with _workspace() as ws:
        try:
            report = files.fetch(ws, progress=bar)
        finally:
            bar.close()
    _print(_("Files complete: {n}.").format(n=_n(report.complete)))
    if report.refused:
        _print(
            _("{n} pieces were refused (damaged or not part of the file); none was kept.").format(
                n=_n(report.refused)
            )
        )


@handles_errors
def files_save(
    cell: str = CellArgument,
    file: str = FileArgument,
    out: Path | None = OutOption,
) -> None:
    """Save a file of the cell on this computer (it is never opened by hasteh)."""
    from hasteh.app import files

    bar = ChunkBar()
    with _workspace() as ws:
        try:
            found = files.save(ws, cell, file, progress=bar)
        finally:
            bar.close()
    target = out if out is not None else Path.cwd() / found.safe_filename
    try:
        with target.open("xb") as handle:  # never overwrite a file already there
            handle.write(found.data)
    except FileExistsError:
        raise typer.BadParameter(_("A file of that name is already there: give --out.")) from None
    except OSError:
        raise typer.BadParameter(_("The file cannot be written there.")) from None
    _print(_("Saved: {path}").format(path=str(target)))
    if found.warn:
        _print(_(METADATA_WARNING))


@handles_errors
def files_remove(cell: str = CellArgument, file: str = FileArgument) -> None:
    """Remove a file you shared: every member deletes it and its key."""
    from hasteh.app import files

    with _workspace() as ws:
        files.remove(ws, cell, file)
    _print(_("Removed. Run `hasteh sync` to tell the cell."))


def _item(i: object) -> None:
    from hasteh.app.files import ItemLine

    assert isinstance(i, ItemLine)
    shown = _("{n}. {title} [{kind}] added by {who}").format(
        n=_n(i.number), title=i.title, kind=_(KIND_WORDS[i.kind]), who=i.added_by
    )
    if i.file_number is not None:
        shown += " — " + _("file {n}").format(n=_n(i.file_number))
    _print(shown)
    if i.note:
        _print("   " + i.note)


@handles_errors
def library_add(
    cell: str = CellArgument,
    title: str = typer.Argument(..., help=_("The reading's title.")),
    kind: str = typer.Option(
        "reading", "--kind", help=_("reading, international (experience abroad) or other.")
    ),
    note: str = typer.Option(
        "", "--note", help=_("A note for the cell: why read it, which pages.")
    ),
    file: str | None = typer.Option(
        None, "--file", help=_("The number of the file that holds it.")
    ),
) -> None:
    """Add an item to the cell's library."""
    from hasteh.app import files

    with _workspace() as ws:
        item = files.add_item(ws, cell, title=title, kind=kind, note=note, file=file)
    _item(item)


@handles_errors
def library_list(cell: str = CellArgument) -> None:
    """The cell's library."""
    from hasteh.app import files

    with _workspace() as ws:
        shown = files.items(ws, cell)
    if not shown:
        _print(_("The library is empty."))
    for i in shown:
        _item(i)


@handles_errors
def library_note(
    cell: str = CellArgument,
    item: str = ItemArgument,
    note: str = typer.Argument(..., help=_("The new note.")),
) -> None:
    """Change the note of an item you added."""
    from hasteh.app import files

    with _workspace() as ws:
        _item(files.note_item(ws, cell, item, note))


@handles_errors
def library_remove(
    cell: str = CellArgument,
    item: str = ItemArgument,
    decision: str | None = typer.Option(
        None,
        "--decision",
        help=_("Remove another member's item, as this adopted decision of the cell decided."),
    ),
) -> None:
    """Remove an item you added from the library (or any item, by `--decision`)."""
    from hasteh.app import files

    with _workspace() as ws:
        files.remove_item(ws, cell, item, decision)
    _print(_("Removed. Run `hasteh sync` to tell the cell."))


@handles_errors
def library_propose_removal(
    cell: str = CellArgument, item: str = ItemArgument, deadline: str = DeadlineOption
) -> None:
    """Open a decision to remove another member's item; once adopted, run `hasteh library
    remove CELL ITEM --decision N`."""
    from hasteh.app import decisions, files

    with _workspace() as ws:
        opened = files.propose_item_removal(
            ws, cell, item, deadline=decisions.deadline(ws, deadline)
        )
    _print(_("Decision {n} opened: {q}").format(n=_n(opened.number), q=opened.question))


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("Files shared in a cell."), no_args_is_help=True, rich_markup_mode=None
    )
    group.command("send", help=_("Share a file with the cell."))(files_send)
    group.command("list", help=_("The files of the cell."))(files_list)
    group.command("fetch", help=_("Receive files not on this device yet."))(files_fetch)
    group.command("save", help=_("Save a file on this computer."))(files_save)
    group.command("remove", help=_("Remove a file you shared."))(files_remove)
    app.add_typer(group, name="files")
    library = typer.Typer(
        help=_("The cell's library: readings, experience abroad."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    library.command("add", help=_("Add an item to the library."))(library_add)
    library.command("list", help=_("The cell's library."))(library_list)
    library.command("note", help=_("Change an item's note."))(library_note)
    library.command("remove", help=_("Remove an item you added."))(library_remove)
    library.command("propose-removal", help=_("Ask the cell to remove an item (a decision)."))(
        library_propose_removal
    )
    app.add_typer(library, name="library")
