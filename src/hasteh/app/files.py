"""Files in a cell and the cell's library (issue 15), through org's ``file.*`` and
``library.*`` events (docs/org.md, "Files and the library").

Sending a file::

    data ──(image? re-encoded, metadata gone)──► chunks of CHUNK_SIZE, the last padded
         ──► ChaCha20-Poly1305(file key, nonce = index, aad = LABEL‖blob‖index‖count)
         ──► each ciphertext sealed in an envelope of the file's own mailbox, queued in
             the outbox (relays, and courier bundles, which collect the outbox)
    FileShared(name, ext, kind, size, key, blob, SHA-256 of each ciphertext) ──► the log

The chunks are queued before the event, in the same transaction: by the time a member
learns the file's key (and so could post to its mailbox) the real chunks are already
first in it, so a hostile member's flood lands behind them (`fetch` reads a bounded
number of envelopes). Every chunk is the same size on the wire, so a relay learns the
number of chunks (the size to 256 KiB) and nothing else; the mailbox id, its write key
and its claim derive from the file's key, which only members have.

Receiving: a chunk's index is found by its hash, so a chunk whose hash is not in the
list (junk, another file's, a changed byte) is refused before anything is decrypted and
never stored; the right one is read again from the next page, relay or bundle. A whole
image is re-encoded again on receipt (a modified client may have skipped it); one that
will not re-encode is kept as refused and never shown. Other kinds are never parsed or
rendered: they are saved as they are, with a warning that their own metadata (a PDF's
author, an audio file's tags) may name whoever made them.

A file leaves every vault with its key when its sharer removes it (``file.removed``
forgets the stored `FileShared`; `runtime.flush` deletes the file's rows with it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, get_args

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hasteh import org
from hasteh.app import decisions, runtime
from hasteh.app.cell_relays import delivery_relays
from hasteh.app.cells import find_cell
from hasteh.app.errors import BadInput, clean_or_refuse
from hasteh.app.kinds import all_groups
from hasteh.app.runtime import CellRuntime
from hasteh.envelope import (
    MAX_PAYLOAD,
    WRITE_KEY_SIZE,
    Envelope,
    EnvelopeError,
    Kind,
    WriteAuth,
    claimed_mailbox,
    open_payload,
    seal,
)
from hasteh.i18n import _, parse_digits, whole_number
from hasteh.org.events import (
    FILE_KEY_SIZE,
    FileKind,
    FileRemoved,
    FileShared,
    LibraryAdded,
    LibraryKind,
    LibraryNoted,
    LibraryRemoved,
)
from hasteh.org.files import CHUNK_SIZE, MAX_NAME, chunk_count
from hasteh.org.state import LibraryItem, SharedFile
from hasteh.publish.attachments import clean_image
from hasteh.publish.errors import BadImage
from hasteh.transport.courier import BundleEntry
from hasteh.transport.errors import TransportError
from hasteh.transport.outbox import Arrival, Sink
from hasteh.vault import Connection
from hasteh.vault import files as vfiles

if TYPE_CHECKING:
    from hasteh.app.profile import Workspace

__all__ = [
    "KINDS",
    "LIBRARY_KINDS",
    "FetchReport",
    "FileLine",
    "ItemLine",
    "SavedFile",
    "add_item",
    "bundle_entries",
    "chunk_envelope",
    "chunk_sink",
    "fetch",
    "file_auth",
    "file_mailbox",
    "items",
    "lines",
    "note_item",
    "open_chunk",
    "push",
    "remove",
    "remove_item",
    "safe_filename",
    "save",
    "seal_chunks",
    "send",
    "take",
    "take_entries",
    "wanted",
]

KINDS: Final[tuple[str, ...]] = get_args(FileKind)
LIBRARY_KINDS: Final[tuple[str, ...]] = get_args(LibraryKind)
LABEL: Final = b"hasteh/file-chunk/v1"
_CLAIM_INFO: Final = b"hasteh/file-claim/v1"
_WRITE_INFO: Final = b"hasteh/file-write/v1"
_TAG: Final = 16
#: A fetch reads at most this many envelopes per chunk of a file from one relay (plus
#: `_SLACK`): junk a member posts after the real chunks cannot keep a device reading.
_READ_FACTOR: Final = 3
_SLACK: Final = 64
#: A file's kind, from its first bytes (never from its name alone).
_AUDIO_MAGIC: Final = (b"ID3", b"OggS", b"fLaC", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")

assert CHUNK_SIZE + _TAG == MAX_PAYLOAD  # one chunk fills the largest envelope exactly


# --- the chunks' cryptography ------------------------------------------------------------


def _derive(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def file_mailbox(key: bytes) -> bytes:
    """The mailbox a file's chunks travel in: named by its key, so only members find it."""
    return claimed_mailbox(_derive(key, _CLAIM_INFO))


def file_auth(key: bytes) -> WriteAuth:
    """How chunks are posted to (and read from) the file's mailbox on any relay: the
    claim creates the mailbox, the key (both derived from the file's key) guards it."""
    claim = _derive(key, _CLAIM_INFO)
    write = HKDF(algorithm=hashes.SHA256(), length=WRITE_KEY_SIZE, salt=None, info=_WRITE_INFO)
    return WriteAuth(write.derive(claim), claim=claim, claim_epoch=0)


def _aad(blob: bytes, index: int, count: int) -> bytes:
    return LABEL + blob + index.to_bytes(4, "big") + count.to_bytes(4, "big")


def _nonce(index: int) -> bytes:
    # The key is fresh for each file and each index is sealed once: a counter nonce.
    return index.to_bytes(12, "big")


def seal_chunks(key: bytes, blob: bytes, data: bytes) -> list[bytes]:
    """`data` as chunk ciphertexts, each `MAX_PAYLOAD` bytes (the last chunk padded)."""
    count = chunk_count(len(data))
    aead = ChaCha20Poly1305(key)
    out = []
    for index in range(count):
        piece = data[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]
        padded = piece + bytes(CHUNK_SIZE - len(piece))
        out.append(aead.encrypt(_nonce(index), padded, _aad(blob, index, count)))
    return out


def chunk_envelope(key: bytes, index: int, payload: bytes) -> Envelope:
    """Chunk `index`'s envelope in the file's mailbox. Its masking nonce derives from the
    key and the index, so the same chunk always makes the same envelope (the same id):
    sending it again, after an interruption or through a bundle, is idempotent."""
    nonce = _derive(key, b"hasteh/file-envelope/v1" + index.to_bytes(4, "big"))

    def fixed(n: int) -> bytes:
        return nonce[:n]

    return seal(kind=Kind.MESSAGE, mailbox=file_mailbox(key), payload=payload, rng=fixed)


def _seal_one(shared: SharedFile, index: int, piece: bytes) -> bytes:
    padded = piece + bytes(CHUNK_SIZE - len(piece))
    aad = _aad(shared.blob, index, len(shared.hashes))
    return ChaCha20Poly1305(shared.key).encrypt(_nonce(index), padded, aad)


def _chunk_length(size: int, index: int) -> int:
    return min(CHUNK_SIZE, size - index * CHUNK_SIZE)


def open_chunk(shared: SharedFile, payload: bytes) -> tuple[int, bytes] | None:
    """(index, plaintext) of a chunk of `shared`, or None: its hash is not one of the
    file's (junk, another file's, a changed byte), or it does not open (the sharer's
    client lied about the hashes). Nothing of a refused chunk is kept."""
    digest = hashlib.sha256(payload).digest()
    try:
        index = shared.hashes.index(digest)
    except ValueError:
        return None
    count = len(shared.hashes)
    try:
        plain = ChaCha20Poly1305(shared.key).decrypt(
            _nonce(index), payload, _aad(shared.blob, index, count)
        )
    except (InvalidTag, ValueError):
        return None
    length = _chunk_length(shared.size, index)
    if length <= 0 or any(plain[length:]):
        return None  # padding must be zeros
    return index, plain[:length]


# --- what a file is ----------------------------------------------------------------------


def detect_kind(data: bytes) -> FileKind:
    """The kind of a file from its first bytes (a name can lie)."""
    head = data[:16]
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "image"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_AUDIO_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WAVE"):
        return "audio"
    if head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"mp4", b"iso", b"3gp"):
        return "audio"
    if b"\x00" not in data[:65536]:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "other"
        return "text"
    return "other"


def safe_filename(name: str) -> str:
    """`name` as a plain file name in one folder (see `SavedFile.safe_filename`)."""
    kept = "".join(
        "_" if c in '/\\:*?"<>|' or not (c.isprintable() or c == "\u200c") else c for c in name
    )
    kept = kept.strip().lstrip(".").strip()
    return kept[:150] or "file"


def split_name(filename: str) -> tuple[str, str]:
    """(shown name, extension) of a typed or uploaded file name; the name is cleaned like
    a cover name (`Refused` with the precise reason), the extension kept only if it is
    short Latin letters and digits."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, ext = base.rpartition(".")
    ext = ext.lower()
    if not dot or not stem or not (ext.isascii() and ext.isalnum() and len(ext) <= 8):
        stem, ext = base, ""
    return clean_or_refuse(stem, limit=MAX_NAME), ext


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileLine:
    """One file as the faces list it."""

    number: int
    file_id: str
    name: str
    ext: str
    kind: str
    size: int
    shared_by: str
    at: int
    #: ``ok`` (whole, on this device), ``waiting`` (some chunks missing), ``refused``
    #: (an image that would not re-encode: never shown).
    state: str
    #: The file's own metadata may name its author (every kind but images).
    warn: bool

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.ext}" if self.ext else self.name


@dataclass(frozen=True, slots=True)
class SavedFile:
    filename: str
    kind: str
    data: bytes
    warn: bool

    @property
    def safe_filename(self) -> str:
        """The name to write it under on this device: a member chose it, so no folder,
        no hidden file, no control character (a path is never taken from the cell)."""
        return safe_filename(self.filename)

    @property
    def mime(self) -> str:
        """What a browser is told: images by their real type, everything else opaque."""
        if self.kind == "image":
            return "image/png" if self.data.startswith(b"\x89PNG") else "image/jpeg"
        return "application/octet-stream"


@dataclass(frozen=True, slots=True)
class ItemLine:
    number: int
    item_id: str
    title: str
    kind: str
    note: str
    added_by: str
    at: int
    #: The number of the item's file in the list of files (None: no file).
    file_number: int | None
    mine: bool


@dataclass(slots=True)
class FetchReport:
    complete: int = 0
    stored: int = 0
    #: Chunks refused (hash not the file's, would not open): never stored.
    refused: int = 0
    unreachable: set[str] = field(default_factory=set)


def _files(rt: CellRuntime) -> list[SharedFile]:
    return sorted(rt.org.files.values(), key=lambda f: (f.seq, f.file_id))


def _states(ws: Workspace) -> dict[bytes, str]:
    return ws.vault.read(vfiles.states)


def _line(n: int, f: SharedFile, states: dict[bytes, str]) -> FileLine:
    return FileLine(
        number=n,
        file_id=f.file_id.hex()[:8],
        name=f.name,
        ext=f.ext,
        kind=f.kind,
        size=f.size,
        shared_by=f.shared_by_name,
        at=f.at,
        state=states.get(f.file_id, "waiting"),
        warn=f.kind != "image",
    )


def lines(ws: Workspace, cell: str) -> list[FileLine]:
    """Every file of the cell, by number (sharing order)."""
    rt = find_cell(ws, cell)
    states = _states(ws)
    return [_line(n, f, states) for n, f in enumerate(_files(rt), 1)]


def _find(rt: CellRuntime, ref: str) -> SharedFile:
    value = parse_digits(ref).strip().lstrip("#")
    found = _files(rt)
    number = whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(found):
        return found[number - 1]
    low = value.lower()
    if len(low) >= 4:
        matches = [f for f in found if f.file_id.hex().startswith(low)]
        if len(matches) == 1:
            return matches[0]
    raise BadInput("no-such-file")


# --- send, remove ------------------------------------------------------------------------


def send(
    ws: Workspace, cell: str, data: bytes, filename: str, *, kind: str | None = None
) -> FileLine:
    """Share `data` (named `filename`) with the cell. Images are re-encoded first, so no
    EXIF, GPS or camera serial leaves the device; other kinds go as they are. `kind`:
    what the person said it is (checked against its first bytes for images)."""
    rt = find_cell(ws, cell)
    rt.require_group()
    if kind is not None and kind not in KINDS:
        raise BadInput("bad-file-kind", kinds=", ".join(KINDS))
    if not data:
        raise BadInput("file-empty")
    found = detect_kind(data)
    if kind == "image" and found != "image":
        raise BadInput("not-an-image")
    # An image is always cleaned, whatever it was called; otherwise the person's word.
    chosen: FileKind = found if kind is None or found == "image" else kind  # type: ignore[assignment]
    name, ext = split_name(filename)
    if chosen == "image":
        try:
            cleaned = clean_image(data)
        except BadImage:
            raise BadInput("not-an-image") from None
        data, ext = cleaned.data, "png" if cleaned.mime == "image/png" else "jpg"
    settings = rt.org.settings
    if len(data) > settings.file_cap:
        raise BadInput("file-too-large", limit=settings.file_cap // 2**20)
    if rt.org.files_total + len(data) > settings.files_cap:
        raise BadInput("files-full", limit=settings.files_cap // 2**20)
    key, blob = ws.rng(FILE_KEY_SIZE), ws.rng(org.EVENT_ID_SIZE)
    sealed = seal_chunks(key, blob, data)
    hashes_ = tuple(hashlib.sha256(c).digest() for c in sealed)
    body = FileShared(name, ext, chosen, len(data), key, org.EventId(blob), hashes_)
    relays = delivery_relays(rt.record)

    def queue(conn: Connection, env: org.EventEnvelope) -> None:
        # Our own copy, and an upload per relay (`push`, at the next sync, before the
        # outbox: the chunks reach each relay ahead of the event that names their key).
        for index in range(len(sealed)):
            vfiles.put_chunk(
                conn, env.event_id, index, data[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]
            )
        vfiles.set_state(conn, env.event_id, "ok")
        for relay in relays:
            vfiles.set_pushed(conn, env.event_id, relay, 0)

    env = runtime.send_event(ws, rt, body, also=queue)
    mine = rt.org.files[org.EventId(env.event_id)]
    number = next(i for i, f in enumerate(_files(rt), 1) if f.file_id == mine.file_id)
    return _line(number, mine, _states(ws))


def remove(ws: Workspace, cell: str, ref: str) -> None:
    """Remove a file you shared: every member deletes it and its key."""
    rt = find_cell(ws, cell)
    rt.require_group()
    found = _find(rt, ref)
    runtime.send_event(ws, rt, FileRemoved(found.file_id))


# --- upload ------------------------------------------------------------------------------


def _shared_files(ws: Workspace) -> dict[bytes, SharedFile]:
    out: dict[bytes, SharedFile] = {}
    for rt in all_groups(ws):
        found = getattr(rt.org, "files", None)
        if rt.active and found is not None:
            out.update((bytes(k), v) for k, v in found.items())
    return out


#: How many chunks are posted between two notes of the upload's progress in the vault.
_PUSH_STEP: Final = 32


def push(ws: Workspace) -> int:
    """Post the chunks of the files this device shared to every relay that does not have
    them yet (resuming where an upload stopped); a relay that fails is left for the next
    sync. Returns how many chunks were posted. `sync` calls it before the outbox, so the
    chunks reach a relay before the event that names their key."""
    todo = ws.vault.read(vfiles.pushes)
    if not todo:
        return 0
    known = _shared_files(ws)
    posted = 0
    failed: set[str] = set()
    for file_id, relay, sent in todo:
        shared = known.get(file_id)
        if shared is None:  # the file was removed, or its cell left: nothing to send
            _note_pushed(ws, file_id, relay, None)
            continue
        if relay in failed:
            continue
        auth = file_auth(shared.key)
        count = len(shared.hashes)
        try:
            client = ws.client_for(relay)
            for index in range(sent, count):

                def piece(conn: Connection, i: int = index, f: bytes = file_id) -> bytes | None:
                    return vfiles.chunk(conn, f, i)

                plain = ws.vault.read(piece)
                if plain is None:
                    break
                envelope = chunk_envelope(shared.key, index, _seal_one(shared, index, plain))
                client.post(envelope.to_bytes(), auth)
                posted += 1
                done = index + 1
                if done == count or done % _PUSH_STEP == 0:
                    _note_pushed(ws, file_id, relay, None if done == count else done)
        except TransportError:
            failed.add(relay)
    return posted


def _note_pushed(ws: Workspace, file_id: bytes, relay: str, sent: int | None) -> None:
    def run(conn: Connection) -> None:
        vfiles.set_pushed(conn, file_id, relay, sent)

    ws.vault.write(run)


def _pieces(ws: Workspace, file_id: bytes) -> list[bytes]:
    def run(conn: Connection) -> list[bytes]:
        return vfiles.chunks(conn, file_id)

    return ws.vault.read(run)


def bundle_entries(ws: Workspace) -> list[BundleEntry]:
    """The chunks of files this device shared that some relay does not have yet, as
    courier bundle entries (a bundle carries them with the event)."""
    todo = ws.vault.read(vfiles.pushes)
    known = _shared_files(ws)
    relays: dict[bytes, list[str]] = {}
    for file_id, relay, _sent in todo:
        if file_id in known:
            relays.setdefault(file_id, []).append(relay)
    entries: list[BundleEntry] = []
    for file_id, targets in relays.items():
        shared = known[file_id]
        auth = file_auth(shared.key)
        for index, plain in enumerate(_pieces(ws, file_id)):
            envelope = chunk_envelope(shared.key, index, _seal_one(shared, index, plain))
            entries.append(BundleEntry(envelope, tuple(targets), (auth,) * len(targets)))
    return entries


# --- receive -----------------------------------------------------------------------------


Wanted = dict[bytes, tuple[CellRuntime, SharedFile]]


def wanted(ws: Workspace) -> Wanted:
    """The mailbox of every file of every cell not yet whole on this device."""
    states = _states(ws)
    out: Wanted = {}
    for rt in all_groups(ws):
        files = getattr(rt.org, "files", None)
        if not rt.active or files is None:
            continue
        for f in files.values():
            if f.file_id not in states:
                out[file_mailbox(f.key)] = (rt, f)
    return out


def chunk_sink(boxes: Wanted, sink: Sink) -> Sink:
    """`sink`, except that the chunks of files this device waits for (`boxes`, from
    `wanted`) are stored (a courier bundle carries them like any envelope)."""

    def run(conn: Connection, envelope: Envelope, arrival: Arrival) -> None:
        found = boxes.get(envelope.mailbox)
        if found is None:
            sink(conn, envelope, arrival)
        else:
            take(conn, found[1], envelope)

    return run


def take_entries(ws: Workspace, envelopes: list[Envelope], *, known: Wanted) -> int:
    """Store the chunks among `envelopes` of files that became known since `known` was
    taken (a bundle that carried both a file's announcement and its chunks)."""
    new = {m: v for m, v in wanted(ws).items() if m not in known}
    mine = [e for e in envelopes if e.mailbox in new]
    if not mine:
        return 0

    def run(conn: Connection) -> int:
        return sum(1 for e in mine if take(conn, new[e.mailbox][1], e))

    return ws.vault.write(run)


def take(conn: Connection, shared: SharedFile, envelope: Envelope) -> bool | None:
    """Store one chunk of `shared` from `envelope` (inside the caller's write). True: a
    new chunk was stored; False: already had it; None: refused (never stored). When the
    last chunk is in, the file is whole (and an image re-encoded, or refused)."""
    try:
        payload = open_payload(envelope)
    except EnvelopeError:
        return None
    opened = open_chunk(shared, payload)
    if opened is None:
        return None
    index, plain = opened
    if vfiles.state(conn, shared.file_id) is not None:
        return False
    if not vfiles.put_chunk(conn, shared.file_id, index, plain):
        return False
    if vfiles.count_chunks(conn, shared.file_id) == len(shared.hashes):
        _complete(conn, shared)
    return True


def _complete(conn: Connection, shared: SharedFile) -> None:
    if shared.kind == "image":
        # The sender re-encoded it, unless its client was modified: do it again here.
        data = b"".join(vfiles.chunks(conn, shared.file_id))
        try:
            cleaned = clean_image(data).data
        except BadImage:
            vfiles.set_state(conn, shared.file_id, "refused")
            return
        pieces = [cleaned[i : i + CHUNK_SIZE] for i in range(0, len(cleaned), CHUNK_SIZE)]
        vfiles.replace_chunks(conn, shared.file_id, pieces)
    vfiles.set_state(conn, shared.file_id, "ok")


def _whole(ws: Workspace, shared: SharedFile) -> bool:
    def run(conn: Connection) -> bool:
        return vfiles.state(conn, shared.file_id) is not None

    return ws.vault.read(run)


def fetch(ws: Workspace, *, progress: Callable[[int, int], None] | None = None) -> FetchReport:
    """Fetch the chunks of every file not yet whole, from each of its cell's relays (a
    bounded number of envelopes per relay, from the start of the file's mailbox).
    `progress(done, total)` after each page, for a progress bar."""
    report = FetchReport()
    todo = wanted(ws)
    total = sum(len(f.hashes) for _rt, f in todo.values())
    done = 0
    for mailbox, (rt, shared) in todo.items():
        auth = file_auth(shared.key)
        budget = _READ_FACTOR * len(shared.hashes) + _SLACK
        for relay in delivery_relays(rt.record):
            if relay in report.unreachable or _whole(ws, shared):
                continue
            after, read = "0", 0
            try:
                while read < budget:
                    page = ws.client_for(relay).fetch(
                        mailbox, after=after, limit=min(100, budget - read), auth=auth
                    )
                    read += max(1, len(page.envelopes))

                    def run(
                        conn: Connection, raw: list[bytes] = page.envelopes, f: SharedFile = shared
                    ) -> int:
                        return _take_page(conn, f, raw, report)

                    done += ws.vault.write(run)
                    if progress is not None:
                        progress(done, total)
                    after = page.cursor
                    if not page.more or _whole(ws, shared):
                        break
            except TransportError:
                report.unreachable.add(relay)
        if _whole(ws, shared):
            report.complete += 1
    return report


def _take_page(conn: Connection, shared: SharedFile, raw: list[bytes], report: FetchReport) -> int:
    stored = 0
    for data in raw:
        try:
            envelope = Envelope.from_bytes(data)
        except EnvelopeError:
            report.refused += 1
            continue
        result = take(conn, shared, envelope)
        if result is None:
            report.refused += 1
        elif result:
            stored += 1
    report.stored += stored
    return stored


def save(
    ws: Workspace, cell: str, ref: str, *, progress: Callable[[int, int], None] | None = None
) -> SavedFile:
    """The bytes of a whole file (fetched first if need be)."""
    rt = find_cell(ws, cell)
    found = _find(rt, ref)

    def kept_file(conn: Connection) -> tuple[str, bytes] | None:
        state = vfiles.state(conn, found.file_id)
        if state is None:
            return None
        return state, b"".join(vfiles.chunks(conn, found.file_id)) if state == "ok" else b""

    kept = ws.vault.read(kept_file)
    if kept is None:
        fetch(ws, progress=progress)
        kept = ws.vault.read(kept_file)
    if kept is None:
        raise BadInput("file-not-here")
    state, data = kept
    if state != "ok":
        raise BadInput("file-refused")
    name = f"{found.name}.{found.ext}" if found.ext else found.name
    return SavedFile(name, found.kind, data, found.kind != "image")


# --- the library -------------------------------------------------------------------------


def _items(rt: CellRuntime) -> list[LibraryItem]:
    return sorted(rt.org.library.values(), key=lambda i: (i.seq, i.item_id))


def items(ws: Workspace, cell: str) -> list[ItemLine]:
    """The cell's library, by number (the order items were added)."""
    rt = find_cell(ws, cell)
    numbers = {f.file_id: n for n, f in enumerate(_files(rt), 1)}
    own = rt.own_leaf
    return [
        ItemLine(
            n,
            i.item_id.hex()[:8],
            i.title,
            i.kind,
            i.note,
            i.added_by_name,
            i.at,
            numbers.get(i.file_id) if i.file_id is not None else None,
            i.added_by == own,
        )
        for n, i in enumerate(_items(rt), 1)
    ]


def find_item(rt: CellRuntime, ref: str) -> LibraryItem:
    """A library item by its number in the library (or the start of its id)."""
    value = parse_digits(ref).strip().lstrip("#")
    found = _items(rt)
    number = whole_number(value, max_digits=6)
    if number is not None and 1 <= number <= len(found):
        return found[number - 1]
    low = value.lower()
    if len(low) >= 4:
        matches = [i for i in found if i.item_id.hex().startswith(low)]
        if len(matches) == 1:
            return matches[0]
    raise BadInput("no-such-item")


def add_item(
    ws: Workspace, cell: str, *, title: str, kind: str, note: str = "", file: str | None = None
) -> ItemLine:
    """Add a reading (or a report of experience abroad, or other) to the library, with a
    note and, if given, the number of a file of the cell that holds it."""
    rt = find_cell(ws, cell)
    rt.require_group()
    if kind not in LIBRARY_KINDS:
        raise BadInput("bad-library-kind", kinds=", ".join(LIBRARY_KINDS))
    clean = clean_or_refuse(title, limit=200)
    file_id = _find(rt, file).file_id if file else b""
    env = runtime.send_event(ws, rt, LibraryAdded(clean, kind, note.strip(), file_id))  # type: ignore[arg-type]
    return next(i for i in items(ws, cell) if i.item_id == env.event_id.hex()[:8])


def note_item(ws: Workspace, cell: str, ref: str, note: str) -> ItemLine:
    rt = find_cell(ws, cell)
    rt.require_group()
    found = find_item(rt, ref)
    runtime.send_event(ws, rt, LibraryNoted(found.item_id, note.strip()))
    return next(i for i in items(ws, cell) if i.item_id == found.item_id.hex()[:8])


def remove_item(ws: Workspace, cell: str, ref: str, decision: str | None = None) -> None:
    """Remove an item: one you added, or (`decision`, its number or id) any item the cell
    decided to remove. Every member's log checks the decision was adopted after the item
    was added (`org.files.check_library_removed`), so a modified client gains nothing."""
    rt = find_cell(ws, cell)
    rt.require_group()
    found = find_item(rt, ref)
    decision_id = b"" if decision is None else decisions.find(rt, decision).decision_id
    runtime.send_event(ws, rt, LibraryRemoved(found.item_id, decision_id))


def propose_item_removal(
    ws: Workspace, cell: str, ref: str, *, deadline: int
) -> decisions.DecisionSummary:
    """Open a consent decision to remove an item someone else added; once the cell adopts
    it, any member carries it out with `remove_item(..., decision=...)`."""
    rt = find_cell(ws, cell)
    rt.require_group()
    found = find_item(rt, ref)
    question = _("Remove «{title}» from the library?").format(title=found.title)
    return decisions.open_decision(ws, cell, kind="consent", question=question, deadline=deadline)


def removal_decisions(ws: Workspace, cell: str, ref: str) -> list[decisions.DecisionSummary]:
    """The decisions that may remove item `ref`: adopted consent or proposal decisions
    opened after it was added (the rule of `org.files.check_library_removed`)."""
    rt = find_cell(ws, cell)
    found = find_item(rt, ref)
    numbers = decisions.numbers(rt)
    return [
        decisions.summary_of(rt, d, numbers[d.decision_id])
        for d in sorted(rt.org.decisions.values(), key=lambda d: numbers[d.decision_id])
        if d.kind in ("consent", "proposal")
        and d.outcome is not None
        and d.outcome.status == "adopted"
        and d.at >= found.at
    ]
