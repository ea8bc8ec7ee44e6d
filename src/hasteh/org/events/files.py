"""The ``file.*`` and ``library.*`` families: files shared in a cell, and the cell's
library of readings.

A file travels in two parts (docs/org.md, "Files and the library"):

* `FileShared`, an ordinary event inside MLS (so only members see it), carries what a
  member needs to fetch, check and open the file: its shown name, its kind, its size, a
  fresh key for this file alone, and the SHA-256 of each encrypted chunk;
* the chunks, each an opaque AEAD ciphertext of the same padded size, travel outside the
  log as envelopes of a mailbox that only the file's key names (relay or courier bundle).

A file is named by the id of its `FileShared`, a library item by the id of its
`LibraryAdded` (the study circles refer to readings by it).
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta

from hasteh.org.events.base import Event, Id, Reason, Title

__all__ = [
    "CHUNK_HASH_SIZE",
    "FILE_KEY_SIZE",
    "MAX_CHUNKS",
    "FileKind",
    "FileRemoved",
    "FileShared",
    "LibraryAdded",
    "LibraryKind",
    "LibraryNoted",
    "LibraryRemoved",
]

FILE_KEY_SIZE: Final = 32
CHUNK_HASH_SIZE: Final = 32
#: The most chunks one file may have (with 256 KiB chunks: 64 MiB, above any cell's cap).
MAX_CHUNKS: Final = 256

#: What a file is. Only images are opened by hasteh (re-encoded, then shown); the others
#: are carried as they are and only ever saved.
FileKind = Literal["image", "pdf", "text", "audio", "other"]
#: What a library item is: a reading, a report of workers' experience abroad, or other.
LibraryKind = Literal["reading", "international", "other"]

#: A file name's extension: lower-case Latin letters and digits only (``pdf``, ``mp3``).
Extension = Annotated[str, Meta(max_length=8, pattern="^[a-z0-9]*$")]
FileKey = Annotated[bytes, Meta(min_length=FILE_KEY_SIZE, max_length=FILE_KEY_SIZE)]
ChunkHash = Annotated[bytes, Meta(min_length=CHUNK_HASH_SIZE, max_length=CHUNK_HASH_SIZE)]
Size = Annotated[int, Meta(ge=1, lt=2**32)]


class FileShared(Event, tag="file.shared", frozen=True):
    """A file shared with the cell: shown as `name` + ``.`` + `ext`, of `kind`, `size`
    bytes, encrypted under `key` in chunks whose ciphertexts hash to `hashes` (in
    order). `blob` is a random id chosen before the event exists: every chunk is bound to
    it and to its index (AEAD associated data)."""

    name: Title
    ext: Extension
    kind: FileKind
    size: Size
    key: FileKey
    blob: Id
    hashes: Annotated[tuple[ChunkHash, ...], Meta(min_length=1, max_length=MAX_CHUNKS)]


class FileRemoved(Event, tag="file.removed", frozen=True):
    """The file `file_id` is forgotten by the cell (its sharer's choice): every member
    deletes it and its key."""

    file_id: Id


class LibraryAdded(Event, tag="library.added", frozen=True):
    """An item of the cell's library, with a note; `file_id` (empty: none) names a file
    of the cell that holds the text."""

    title: Title
    kind: LibraryKind
    note: Reason = ""
    file_id: Annotated[bytes, Meta(max_length=16)] = b""


class LibraryNoted(Event, tag="library.note", frozen=True):
    """A new note for item `item_id` (its author only)."""

    item_id: Id
    note: Reason


class LibraryRemoved(Event, tag="library.removed", frozen=True):
    """Item `item_id` leaves the library: by its author, or (`decision_id`) carrying out
    an adopted decision of the cell."""

    item_id: Id
    decision_id: Annotated[bytes, Meta(max_length=16)] = b""
