"""`hasteh share-app DIR [--serve]`: hand hasteh itself to a nearby laptop, with no internet.

    hasteh share-app /media/usb/hasteh          # write it to a folder (a USB stick)
    hasteh share-app ~/hasteh-share --serve     # and offer it on the local network

The folder gets one wheel per Python distribution hasteh needs *for this Python and this
platform*, rebuilt from what is installed here (each installed distribution's files, as
its `RECORD` lists them; hasteh's own from its package folder), so nothing is downloaded
now or on the other laptop; `install.py` (standard library only), which checks every file
and installs into a fresh virtual environment with ``pip --no-index``; `debian-packages.txt`
(what the system should have: Python, Tor, the pluggable transports); and
`MANIFEST.sha256` (the SHA-256 of every other file).

**The check code.** Six words (Persian and English, from the safety-word lists) derived
from the manifest's SHA-256. The sender reads them aloud; `install.py` asks for them and
refuses to install if they differ, or if any file's hash differs from the manifest. A
tampered `install.py` could lie about that, so the manifest's full SHA-256 is printed too,
for `sha256sum MANIFEST.sha256` on the receiving side.

`--serve` offers the folder read-only over HTTP on the local network (all addresses, a port
chosen here), until Ctrl+C. Anyone on that network can download it: the folder holds only
public software, never a profile.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import functools
import hashlib
import http.server
import importlib.metadata as md
import io
import json
import re
import socket
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import typer
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from hasteh.app.safety_words import ENGLISH, PERSIAN
from hasteh.i18n import _

MANIFEST = "MANIFEST.sha256"
INSTALLER = "install.py"
DEBIAN_LIST = "debian-packages.txt"
WHEELS = "wheels"
#: The extras shared with hasteh (the embedded relay of `hasteh up` uses them).
EXTRAS = ("relay",)
#: Words in the check code (8 bits each, from the manifest's SHA-256).
CODE_WORDS = 6
#: Debian packages hasteh expects on the receiving laptop (install them from a Debian
#: mirror or DVD: `apt-get install $(cat debian-packages.txt)`).
DEBIAN_PACKAGES = (
    "python3  # 3.11 or later, the same minor version as the sender's",
    "python3-venv",
    "tor",
    "obfs4proxy",
    "snowflake-client",
)
#: Every address of this computer: a nearby laptop reaches `--serve` on the local network.
EVERY_ADDRESS = "0.0.0.0"  # noqa: S104
#: Files of an installed distribution that belong to the installation, not the wheel.
_INSTALL_ONLY = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


class ShareError(Exception):
    """The installed environment cannot be shared (a distribution without its files)."""


@dataclass(frozen=True, slots=True)
class Shared:
    folder: Path
    wheels: tuple[str, ...]
    digest: str
    words_fa: tuple[str, ...]
    words_en: tuple[str, ...]


def check_words(manifest: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The check code of a manifest: six Persian words and the same six in English."""
    digest = hashlib.sha256(b"hasteh/share-app/v1\x00" + manifest).digest()
    return (
        tuple(PERSIAN[b] for b in digest[:CODE_WORDS]),
        tuple(ENGLISH[b] for b in digest[:CODE_WORDS]),
    )


def needed(root: str = "hasteh", extras: tuple[str, ...] = EXTRAS) -> list[md.Distribution]:
    """`root` and every distribution it needs here (markers evaluated for this Python and
    platform, `extras` of the root included), each once."""
    found: dict[str, md.Distribution] = {}
    environment: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    todo: list[tuple[str, tuple[str, ...]]] = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        key = canonicalize_name(name)
        if key in found:
            continue
        dist = md.distribution(name)
        found[key] = dist
        for line in dist.requires or []:
            req = Requirement(line)
            env_ok = req.marker is None or any(
                req.marker.evaluate({**environment, "extra": extra}) for extra in ("", *wanted)
            )
            if env_ok:
                todo.append((req.name, tuple(sorted(req.extras))))
    return sorted(found.values(), key=lambda d: canonicalize_name(d.metadata["Name"]))


def _record_line(name: str, data: bytes) -> list[str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return [name, f"sha256={digest}", str(len(data))]


def _wheel_name(dist: md.Distribution, tags: list[str]) -> str:
    py, abi, plat = (sorted({t.split("-")[i] for t in tags}) for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    version = str(dist.version).replace("-", "_")
    return f"{name}-{version}-{'.'.join(py)}-{'.'.join(abi)}-{'.'.join(plat)}.whl"


def _installed_files(dist: md.Distribution) -> Iterator[tuple[str, Path]]:
    """(path in the wheel, file on disk) of an installed distribution, from its RECORD;
    scripts outside site-packages are left out (the installer makes them anew)."""
    for entry in dist.files or []:
        posix = entry.as_posix()
        if posix.startswith("..") or "__pycache__" in posix or posix.endswith(".pyc"):
            continue
        if posix.split("/")[0].endswith(".dist-info") and entry.name in _INSTALL_ONLY:
            continue
        yield posix, Path(str(dist.locate_file(entry)))


def _editable_files(dist: md.Distribution) -> Iterator[tuple[str, Path]]:
    """hasteh installed in development (editable) mode: its package folder and metadata."""
    import hasteh

    package = Path(hasteh.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield f"hasteh/{path.relative_to(package).as_posix()}", path
    for entry in dist.files or []:
        posix = entry.as_posix()
        if posix.split("/")[0].endswith(".dist-info") and entry.name not in _INSTALL_ONLY:
            yield posix, Path(str(dist.locate_file(entry)))


def is_editable(dist: md.Distribution) -> bool:
    """Installed in development mode: PEP 610's ``dir_info.editable``, or, for hasteh, a
    RECORD without its package folder (as older installers leave it)."""
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
        if direct.get("dir_info", {}).get("editable") is True:
            return True
    if canonicalize_name(dist.metadata["Name"]) != "hasteh":
        return False
    return not any(f.parts[0] == "hasteh" for f in dist.files or [])


def build_wheel(dist: md.Distribution, into: Path) -> str:
    """A wheel of an installed distribution, written into `into`; its file name."""
    info = next((f for f in dist.files or [] if f.name == "WHEEL"), None)
    editable = is_editable(dist)
    if editable and canonicalize_name(dist.metadata["Name"]) != "hasteh":
        raise ShareError(dist.metadata["Name"])  # only hasteh's own folder is known here
    if editable:
        files = list(_editable_files(dist))
        tags = ["py3-none-any"]
    elif info is not None:
        text = Path(str(dist.locate_file(info))).read_text(encoding="utf-8")
        tags = re.findall(r"^Tag: (\S+)$", text, flags=re.MULTILINE)
        files = list(_installed_files(dist))
    else:
        raise ShareError(dist.metadata["Name"])
    if editable:
        info_dir = next(p for p, _f in files if p.endswith(".dist-info/METADATA")).split("/")[0]
        wheel_meta = (
            b"Wheel-Version: 1.0\nGenerator: hasteh share-app\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        )
    else:
        info_dir = info.as_posix().split("/")[0]  # type: ignore[union-attr]
        wheel_meta = b""
    name = _wheel_name(dist, tags)
    records: list[list[str]] = []
    with zipfile.ZipFile(into / name, "w", zipfile.ZIP_DEFLATED) as zf:
        seen: set[str] = set()
        for arcname, path in files:
            if arcname in seen:
                continue
            seen.add(arcname)
            data = path.read_bytes()
            if editable and arcname == f"{info_dir}/WHEEL":
                data = wheel_meta
            zf.writestr(_zip_info(arcname, path), data)
            records.append(_record_line(arcname, data))
        if editable and f"{info_dir}/WHEEL" not in seen:
            zf.writestr(f"{info_dir}/WHEEL", wheel_meta)
            records.append(_record_line(f"{info_dir}/WHEEL", wheel_meta))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([*records, [f"{info_dir}/RECORD", "", ""]])
        zf.writestr(f"{info_dir}/RECORD", out.getvalue())
    return name


def _zip_info(arcname: str, path: Path) -> zipfile.ZipInfo:
    """A fixed date and the file's mode (executables stay executable)."""
    zinfo = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    zinfo.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16
    zinfo.compress_type = zipfile.ZIP_DEFLATED
    return zinfo


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(functools.partial(f.read, 1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_share(folder: Path) -> Shared:
    """Write wheels, the install script, the Debian list and the manifest into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    wheels = folder / WHEELS
    wheels.mkdir(exist_ok=True)
    for old in wheels.glob("*.whl"):
        old.unlink()
    names = tuple(build_wheel(dist, wheels) for dist in needed())
    (folder / INSTALLER).write_text(installer_source(), encoding="utf-8")
    (folder / DEBIAN_LIST).write_text("\n".join(DEBIAN_PACKAGES) + "\n", encoding="utf-8")
    listed = [folder / INSTALLER, folder / DEBIAN_LIST, *(wheels / n for n in sorted(names))]
    manifest = "".join(
        f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}\n" for p in listed
    ).encode()
    (folder / MANIFEST).write_bytes(manifest)
    words_fa, words_en = check_words(manifest)
    return Shared(folder, names, hashlib.sha256(manifest).hexdigest(), words_fa, words_en)


def installer_source() -> str:
    """`install.py`: the template below with the word lists filled in."""
    return (
        INSTALL_TEMPLATE.replace("@PERSIAN@", repr(PERSIAN))
        .replace("@ENGLISH@", repr(ENGLISH))
        .replace("@CODE_WORDS@", str(CODE_WORDS))
    )


INSTALL_TEMPLATE = r'''#!/usr/bin/env python3
"""Install hasteh from this folder, with no internet (written by `hasteh share-app`).

    python3 install.py [--code "six words"] [--venv DIR] [--bin DIR]

1. Asks for the check code the sender read aloud (six words, Persian or English) and
   refuses to go on if it does not match this folder's manifest.
2. Checks the SHA-256 of every file the manifest lists (and that no other wheel is here).
3. Makes a virtual environment (default ~/.local/share/hasteh/venv) and installs hasteh
   into it from the wheels here only (pip --no-index), then links `hasteh` into
   ~/.local/bin.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

PERSIAN = @PERSIAN@
ENGLISH = @ENGLISH@
HERE = Path(__file__).resolve().parent


def words(manifest):
    digest = hashlib.sha256(b"hasteh/share-app/v1\x00" + manifest).digest()
    picked = digest[:@CODE_WORDS@]
    return [PERSIAN[b] for b in picked], [ENGLISH[b] for b in picked]


def normal(text):
    text = unicodedata.normalize("NFC", text).replace("\u200c", "").replace("ي", "ی")
    return [w for w in text.replace("ك", "ک").replace(",", " ").replace("،", " ").lower().split()]


def fail(message):
    print("hasteh: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description="Install hasteh from this folder.")
    parser.add_argument("--code", help="the check code read aloud by the sender")
    parser.add_argument("--venv", default=str(Path.home() / ".local/share/hasteh/venv"))
    parser.add_argument("--bin", default=str(Path.home() / ".local/bin"))
    args = parser.parse_args()
    manifest = (HERE / "MANIFEST.sha256").read_bytes()
    fa, en = words(manifest)
    code = args.code
    if code is None:
        code = input("Check code (the six words you were told) / کد بررسی (شش کلمه): ")
    typed = normal(code)
    if typed not in ([normal(w)[0] for w in fa], en):
        fail(
            "the check code does not match: these files are not the ones the sender "
            "shared. Nothing was installed. / کد بررسی نمی‌خواند: چیزی نصب نشد."
        )
    listed = set()
    for line in manifest.decode("utf-8").splitlines():
        digest, _sep, name = line.partition("  ")
        path = (HERE / name).resolve()
        if HERE not in path.parents:
            fail("the manifest names a file outside this folder. Nothing was installed.")
        listed.add(path)
        if not path.is_file():
            fail("a file is missing: " + name + ". Nothing was installed.")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            fail("a file was changed: " + name + ". Nothing was installed.")
    extra = [p.name for p in (HERE / "wheels").glob("*") if p.resolve() not in listed]
    if extra:
        fail("files not in the manifest: " + ", ".join(extra) + ". Nothing was installed.")
    venv = Path(args.venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index",
         "--find-links", str(HERE / "wheels"), "hasteh[relay]"],
        check=True,
    )
    bin_dir = Path(args.bin)
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / "hasteh"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(venv / "bin" / "hasteh", link)
    print("hasteh is installed: " + str(link))
    print("Debian packages it expects: see debian-packages.txt")


if __name__ == "__main__":
    main()
'''


def _addresses() -> list[str]:
    """This computer's addresses on local networks (best effort, no lookups outside)."""
    found: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if not address.startswith("127.") and address not in found:
                found.append(address)
    return found


def serve_folder(folder: Path, port: int, address: str = EVERY_ADDRESS) -> None:
    """Offer `folder` read-only over HTTP on `address` (every address), until Ctrl+C."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer((address, port), handler) as server:
        bound = server.server_address[1]
        shown = [address] if address != EVERY_ADDRESS else _addresses()
        for where in shown or ["<this computer's address>"]:
            typer.echo(f"  http://{where}:{bound}/")
        sys.stdout.flush()
        typer.echo(
            _("On the other laptop: wget -r -np -nH http://ADDRESS:PORT/ then python3 install.py")
        )
        typer.echo(_("Stop it with Ctrl+C."))
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; logs nothing (who downloaded is nobody's business)."""

    def log_message(self, format: str, *args: object) -> None:
        return


FolderArgument = typer.Argument(..., help=_("The folder to write (a USB stick, or any folder)."))
ServeOption = typer.Option(
    False, "--serve", help=_("Also offer the folder to a nearby laptop on the local network.")
)
PortOption = typer.Option(8471, "--port", help=_("Port for --serve (0: any free port)."))
AddressOption = typer.Option(
    EVERY_ADDRESS, "--address", hidden=True, help="Tests: the address to serve on."
)


def share_app(
    folder: Path = FolderArgument,
    serve: bool = ServeOption,
    port: int = PortOption,
    address: str = AddressOption,
) -> None:
    """Write hasteh and everything it needs into a folder, to install with no internet."""
    try:
        shared = write_share(folder)
    except (OSError, ShareError, md.PackageNotFoundError) as exc:
        typer.echo(_("The app could not be written: {reason}").format(reason=exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(_("{n} packages written to {folder}").format(n=len(shared.wheels), folder=folder))
    typer.echo(_("Check code, read it aloud to the person installing:"))
    typer.echo("  " + " ".join(shared.words_fa))
    typer.echo("  " + " ".join(shared.words_en))
    typer.echo(_("SHA-256 of MANIFEST.sha256: {digest}").format(digest=shared.digest))
    typer.echo(_("On the other laptop: python3 install.py (in that folder)."))
    if serve:
        serve_folder(folder, port, address)


def register(app: typer.Typer) -> None:
    app.command("share-app", help=_("Write hasteh into a folder to install with no internet."))(
        share_app
    )
