"""`hasteh drop`: the drop box for outside workers from the command line. A thin shell
over `hasteh.app.dropbox`: slips (codes), the submissions the cell holds, replies, and
the sealed-file route (`seal` needs no profile: a helper of the outsider runs it).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from hasteh.app import dropbox
from hasteh.cli.common import CellArgument, _n, _print, _workspace, when, zone_of
from hasteh.cli.options import handles_errors, read_secret
from hasteh.i18n import _, current_language, persian_digits

RefArgument = typer.Argument(..., help=_("The submission's number from `drop list`."))
DaysOption = typer.Option(14, "--days", help=_("Days the code works (1 to 90)."))
KeepOption = typer.Option(
    30, "--keep-days", help=_("Days what is handed in is kept in the cell (1 to 90).")
)
KeyOption = typer.Option(..., "--to", help=_("The drop-box key printed on the slip (HD1-…)."))
TextFileOption = typer.Option(None, "--text", help=_("A UTF-8 text file to send."))
PhotoOption = typer.Option([], "--photo", help=_("A photo to send (JPEG or PNG); repeatable."))
SealedOutOption = typer.Option(..., "--out", help=_("The sealed file to write."))
SlipOption = typer.Option(None, "--slip", help=_("Also write the slip as a PDF to print."))
ExportOption = typer.Option(
    None, "--export", help=_("Write the private key to this file (passphrase-protected).")
)
ImportOption = typer.Option(None, "--import", help=_("Keep the private key from this file."))
ENV_KEY_PASSPHRASE = "HASTEH_DROP_KEY_PASSPHRASE"  # noqa: S105 (a variable name)
FileArgument = typer.Argument(..., help=_("The sealed file (from `drop seal`)."))


def _digits(text: str) -> str:
    return persian_digits(text) if current_language() == "fa" else text


def slip_lines(slip: dropbox.Slip) -> list[str]:
    """The slip as text, Persian first (what `code` prints and the printed slip says)."""
    lines = [
        _("Drop box of the workers' bulletin"),
        _("Code (works once): {code}").format(code=_digits(slip.code)),
        _("Works until: {day}").format(day=when(slip.expires_at)),
    ]
    if slip.address:
        lines.append(_("Open in Tor Browser: {address}").format(address=slip.address))
    else:
        lines.append(_("No onion address yet: run `hasteh up --drop-box` once, then print again."))
    lines += [
        _("If the page does not open, the member is offline: try again later."),
        _("Or seal a file by hand with this key: {key}").format(key=slip.public_key),
    ]
    return lines


@handles_errors
def code(
    cell: str = CellArgument,
    days: int = DaysOption,
    keep_days: int = KeepOption,
    slip_file: Path | None = SlipOption,
) -> None:
    """Make a one-time submission code and print the slip to hand an outside worker."""
    with _workspace() as ws:
        slip = dropbox.make_code(ws, cell, days=days, keep_days=keep_days)
        zone = zone_of(ws)
    for line in slip_lines(slip):
        _print(line)
    if slip_file is not None:
        from hasteh.publish.slip import SlipText, render_slip  # WeasyPrint only when asked

        until = dt.datetime.fromtimestamp(slip.expires_at, zone).date()
        pdf = render_slip(SlipText(slip.code, until, slip.address, slip.public_key))
        fd = os.open(slip_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pdf)
        _print(_("Written: {path}").format(path=str(slip_file)))


@handles_errors
def list_(cell: str = CellArgument) -> None:
    """What outside workers handed in (newest first), with replies and the published mark."""
    with _workspace() as ws:
        held = dropbox.submissions(ws, cell)
    if not held:
        _print(_("The drop box is empty."))
    for s in held:
        mark = _("published") if s.published else _("not published")
        _print(
            _("#{ref} {at} ({mark}, {n} photos, kept until {until})").format(
                ref=s.ref, at=when(s.at), mark=mark, n=_n(len(s.images)), until=when(s.expires_at)
            )
        )
        _print(s.text)
        for text in s.replies:
            _print(_("  Reply: {text}").format(text=text))


@handles_errors
def reply(
    cell: str = CellArgument, ref: str = RefArgument, text: str = typer.Argument(...)
) -> None:
    """Answer a submission; its writer reads the answer with their codename."""
    with _workspace() as ws:
        dropbox.reply(ws, cell, ref, text)
    _print(_("The reply is sent to the cell."))


@handles_errors
def published(cell: str = CellArgument, ref: str = RefArgument) -> None:
    """Mark a submission as published in the bulletin."""
    with _workspace() as ws:
        dropbox.mark_published(ws, cell, ref)
    _print(_("Marked as published."))


@handles_errors
def key(
    cell: str = CellArgument,
    export: Path | None = ExportOption,
    import_: Path | None = ImportOption,
) -> None:
    """Print the cell's drop-box key (made on this device on first use); or hand its
    private key to a member the cell named, in a passphrase-protected file."""
    if export is not None:
        secret = read_secret(None, ENV_KEY_PASSPHRASE, _("Key file passphrase"), confirm=True)
        with _workspace() as ws:
            data = dropbox.export_key(ws, cell, secret)
        fd = os.open(export, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _print(
            _("Written: {path}. Hand it over in person, then delete it.").format(path=str(export))
        )
        return
    if import_ is not None:
        data = _read(import_, 8192)
        secret = read_secret(None, ENV_KEY_PASSPHRASE, _("Key file passphrase"), confirm=False)
        with _workspace() as ws:
            _print(dropbox.import_key(ws, cell, data, secret))
        return
    with _workspace() as ws:
        _print(dropbox.drop_key(ws, cell))


def _read(path: Path, limit: int) -> bytes:
    with path.open("rb") as f:
        return f.read(limit + 1)


@handles_errors
def seal(
    to: str = KeyOption,
    text: Path | None = TextFileOption,
    photo: list[Path] = PhotoOption,
    out: Path = SealedOutOption,
) -> None:
    """Seal a text and photos to a cell's drop-box key (no profile needed); carry the file
    to a member by hand."""
    written = text.read_text(encoding="utf-8", errors="replace") if text else ""
    photos = [p.read_bytes() for p in photo]
    data = dropbox.seal(to, written, photos, os.urandom)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    _print(_("Sealed: {path}. Only the cell can open it.").format(path=str(out)))


@handles_errors
def open_(cell: str = CellArgument, file: Path = FileArgument, keep_days: int = KeepOption) -> None:
    """Open a sealed file with the cell's drop-box key and hand it to the cell."""
    data = _read(file, dropbox.MAX_SEALED)  # one byte over the limit: refused by `open_sealed`
    with _workspace() as ws:
        codename = dropbox.open_sealed(ws, cell, data, keep_days=keep_days)
    _print(_("Handed to the cell. The writer's codename (give it to them, keep no copy):"))
    _print(codename)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("The drop box for outside workers."), rich_markup_mode=None)
    group.command("code", help=_("Make a one-time code and print the slip."))(code)
    group.command("list", help=_("What outside workers handed in."))(list_)
    group.command("reply", help=_("Answer a submission."))(reply)
    group.command("published", help=_("Mark a submission as published."))(published)
    group.command("key", help=_("The cell's drop-box key."))(key)
    group.command("seal", help=_("Seal a text and photos to a drop-box key."))(seal)
    group.command("open", help=_("Hand a sealed file to the cell."))(open_)
    app.add_typer(group, name="drop")
