"""`hasteh bulletin`: the printing press and the forgery check, from the command line.

    hasteh bulletin key --out bulletin.key               # a new bulletin key (encrypted)
    hasteh bulletin render issue.md --out issue.pdf [--a5|--booklet] [--images DIR]
                       [--key bulletin.key] [--page-images DIR] [--jpeg]
    hasteh bulletin verify issue.pdf --issuer "ABCD 1234 ..."
    hasteh bulletin check-image photo.jpg --issuer "ABCD 1234 ..."

A thin shell over `hasteh.publish`; see docs/bulletins.md. The press (WeasyPrint,
pyHanko, pypdf) is imported inside the commands: `hasteh --help` loads this module, and
those libraries take longer to import than the rest of the CLI together.

`verify` exits 0 for genuine, 1 for altered (or unreadable), 2 for an unknown issuer.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Final

import typer

from hasteh.cli import newsroom
from hasteh.cli.next_steps import next_step
from hasteh.cli.options import ENV_PASSPHRASE, fail, out, read_secret
from hasteh.i18n import _, error_text, persian_digits, step_text
from hasteh.publish.errors import PublishError
from hasteh.publish.keys import BulletinKey, fingerprint_text, is_trusted

ENV_KEY_PASSPHRASE: Final = "HASTEH_BULLETIN_PASSPHRASE"  # noqa: S105 (a variable name)
_IMAGE_SUFFIXES: Final = (".png", ".jpg", ".jpeg")
_MAX_IMAGES: Final = 40

OutOption = typer.Option(..., "--out", help=_("Where to write the file."))
SourceArgument = typer.Argument(..., help=_("The issue file (Markdown with a header)."))
PdfArgument = typer.Argument(..., help=_("The bulletin's PDF file."))
ImageArgument = typer.Argument(..., help=_("A photo or image of the back page."))
A5Option = typer.Option(False, "--a5", help=_("A5 pages instead of A4."))
BookletOption = typer.Option(False, "--booklet", help=_("An A5 booklet imposed on A4."))
ImagesOption = typer.Option(None, "--images", help=_("Folder of the images the articles show."))
KeyOption = typer.Option(None, "--key", help=_("Sign with this bulletin key."))
PagesOption = typer.Option(
    None, "--page-images", help=_("Also write each page as an image into this folder.")
)
JpegOption = typer.Option(False, "--jpeg", help=_("Page images as JPEG instead of PNG."))
IssuerOption = typer.Option(
    [], "--issuer", help=_("Fingerprint of a bulletin key you trust; repeat for more.")
)


def _say(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _publish_failed(exc: PublishError) -> typer.Exit:
    return fail(error_text(exc), step_text(next_step(exc), exc))


def _read(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:
            raise fail(_("The file is too large."))
        return path.read_bytes()
    except OSError:
        raise fail(_("The file cannot be read."), _("Check the path and try again.")) from None


def _write(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError:
        raise fail(_("The file cannot be written."), _("Check the path and try again.")) from None


def _key_passphrase(confirm: bool) -> str:
    value = os.environ.get(ENV_KEY_PASSPHRASE)
    if value is not None:
        return value
    return read_secret(None, ENV_PASSPHRASE, _("Bulletin key passphrase"), confirm=confirm)


def _attachments(folder: Path | None) -> dict[str, bytes]:
    from hasteh.publish.attachments import MAX_BYTES, clean_image

    if folder is None:
        return {}
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    except OSError:
        raise fail(_("The images folder cannot be read."), _("Check the path.")) from None
    if len(files) > _MAX_IMAGES:
        raise fail(_("Too many images: at most {limit}.").format(limit=_MAX_IMAGES))
    return {p.name: clean_image(_read(p, MAX_BYTES)).data for p in files}


def _trusted(issuers: list[str]) -> set[bytes]:
    """Fingerprints as typed: the 32 hex digits `fingerprint_text` shows, any spacing."""
    found: set[bytes] = set()
    for text in issuers:
        hexed = "".join(text.split()).lower()
        try:
            value = bytes.fromhex(hexed)
        except ValueError:
            value = b""
        if len(value) != 16:
            raise fail(_("A fingerprint is 32 hex digits, as 'bulletin key' printed it."))
        found.add(value)
    return found


def key(target: Path = OutOption) -> None:
    """Make a new bulletin key, encrypted with a passphrase."""
    if target.exists():
        raise fail(_("That file exists already: nothing was written."))
    new = BulletinKey.generate()
    _write(target, new.to_pem(_key_passphrase(confirm=True)))
    _say(
        _("Bulletin key fingerprint: {fingerprint}").format(
            fingerprint=fingerprint_text(new.fingerprint)
        )
    )


def render_command(
    source: Path = SourceArgument,
    target: Path = OutOption,
    a5: bool = A5Option,
    booklet: bool = BookletOption,
    images: Path | None = ImagesOption,
    key_file: Path | None = KeyOption,
    page_dir: Path | None = PagesOption,
    jpeg: bool = JpegOption,
) -> None:
    """Render an issue to PDF (and page images), signed when a key is given."""
    from hasteh.publish.claim import make_claim
    from hasteh.publish.issue import parse_issue
    from hasteh.publish.pages import ImageKind, page_count, page_images
    from hasteh.publish.press import Layout, render
    from hasteh.publish.signing import sign

    layout = Layout.BOOKLET if booklet else Layout.A5 if a5 else Layout.A4
    try:
        issue = parse_issue(_read(source, 4 * 1024 * 1024), _attachments(images))
        signer = None
        if key_file is not None:
            signer = BulletinKey.from_pem(
                _read(key_file, 64 * 1024), _key_passphrase(confirm=False)
            )
        claim = make_claim(signer, issue.number, issue.digest()) if signer else None
        pdf = render(issue, layout, claim)
        if signer is not None:
            at = dt.datetime.combine(issue.day, dt.time(), tzinfo=dt.UTC)
            pdf = sign(pdf, signer, at)
        pictures = page_images(pdf, ImageKind.JPEG if jpeg else ImageKind.PNG) if page_dir else []
    except PublishError as exc:
        raise _publish_failed(exc) from None
    _write(target, pdf)
    if page_dir is not None:
        try:
            page_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise fail(
                _("The file cannot be written."), _("Check the path and try again.")
            ) from None
        suffix = "jpg" if jpeg else "png"
        for number, picture in enumerate(pictures, start=1):
            _write(page_dir / f"page-{number:02d}.{suffix}", picture)
    _say(_("Written: {pages} pages.").format(pages=persian_digits(page_count(pdf))))


def verify_command(
    file: Path = PdfArgument,
    issuer: list[str] = IssuerOption,
) -> None:
    """Say whether a bulletin PDF is genuine, altered, or from an unknown issuer."""
    from hasteh.publish.signing import MAX_PDF_BYTES, Outcome, verify

    verdict = verify(_read(file, MAX_PDF_BYTES), _trusted(issuer))
    shown = fingerprint_text(verdict.issuer) if verdict.issuer else ""
    if verdict.outcome is Outcome.GENUINE:
        assert verdict.claim is not None
        _say(
            _("Genuine: signed by {fingerprint}, issue {number}.").format(
                fingerprint=shown, number=persian_digits(verdict.claim.number)
            )
        )
        return
    if verdict.outcome is Outcome.ALTERED:
        raise fail(
            _("Altered: this file is not the one its issuer signed. Do not pass it on."),
            _("Ask the cell for the genuine file."),
        )
    if verdict.issuer is None:
        _say(_("Unknown issuer: this file is not signed."))
    else:
        _say(
            _("Unknown issuer: signed by {fingerprint}, a key you did not name.").format(
                fingerprint=shown
            )
        )
    raise typer.Exit(2)


def check_image(
    image: Path = ImageArgument,
    issuer: list[str] = IssuerOption,
) -> None:
    """Read the signed claim in a back page's QR code."""
    from hasteh.publish.attachments import MAX_BYTES
    from hasteh.publish.claim import ClaimRefused, claim_in_image

    try:
        claim = claim_in_image(_read(image, MAX_BYTES))
    except ClaimRefused:
        raise fail(_("No valid bulletin claim was found in this image.")) from None
    except PublishError as exc:
        raise _publish_failed(exc) from None
    trusted = is_trusted(claim.issuer, _trusted(issuer))
    _say(
        _("This image claims issue {number} by the key {fingerprint}.").format(
            number=persian_digits(claim.number), fingerprint=fingerprint_text(claim.issuer)
        )
    )
    _say(_("Content hash: {hash}").format(hash=claim.content_hash[:8].hex().upper()))
    _say(_("An image cannot prove its text: compare it with the genuine PDF file."))
    if not trusted:
        _say(_("This key is not one you named: treat the copy as unknown."))
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help=_("Bulletins: write, approve, publish, render, sign and verify."),
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    commands = (
        ("key", _("Make a new bulletin key, encrypted with a passphrase."), key),
        ("render", _("Render an issue to PDF, signed when a key is given."), render_command),
        (
            "verify",
            _("Say whether a bulletin PDF is genuine, altered, or from an unknown issuer."),
            verify_command,
        ),
        ("check-image", _("Read the signed claim in a back page's QR code."), check_image),
        *newsroom.COMMANDS,
    )
    for name, help_text, function in commands:
        group.command(name, help=help_text)(function)
    app.add_typer(group, name="bulletin")
