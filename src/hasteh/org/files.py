"""Files and the library (``file.*``, ``library.*``): checks and folds.

What the log holds of a file is its `FileShared` (name, kind, size, key, chunk hashes);
the bytes travel outside the log (`hasteh.app.files`). The log's job is to make every
member agree on which files exist, and to keep a hostile member from making every other
member fetch and store more than the cell agreed to.

Rules (checks, using only the state and the envelope, like every family):

* the author is a member not reported seized (`require_member`);
* a file's name is a clean name (`names.require_clean`, at most `MAX_NAME` characters:
  no invisible, control or direction characters, which could make ``txt.exe`` show as
  ``exe.txt``), its extension Latin letters and digits (schema);
* its size is at most the cell's `file_cap`, and with the files the cell holds at most
  `files_cap` (cell settings, changed by decision);
* its chunk hashes are exactly as many as its size needs (`chunk_count`), all distinct
  (a receiver finds a chunk's index by its hash);
* at most `MAX_FILES` files and `MAX_ITEMS` library items per cell;
* only a file's sharer removes it; removing forgets the stored `FileShared` (and so its
  key) on every member (`forgets_file_removed`), and an item that named it keeps its
  note without the file;
* a library item's title is a clean name; its file, if any, is a file of the cell;
  only its author edits its note; it is removed by its author, or by anyone carrying out
  an adopted consent or proposal decision opened after the item was added.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from hasteh.org._checks import require_member
from hasteh.org.errors import InvalidEvent
from hasteh.org.events import (
    EventEnvelope,
    EventId,
    FileRemoved,
    FileShared,
    LeafIndex,
    LibraryAdded,
    LibraryNoted,
    LibraryRemoved,
)
from hasteh.org.names import require_clean
from hasteh.org.policy import MembershipPolicy
from hasteh.org.state import LibraryItem, OrgState, SharedFile

__all__ = [
    "CHUNK_SIZE",
    "MAX_FILES",
    "MAX_ITEMS",
    "MAX_NAME",
    "chunk_count",
]

#: Plaintext bytes per chunk: an envelope's largest payload (262,140) less the AEAD tag.
CHUNK_SIZE: Final = 262_124
MAX_FILES: Final = 2_000
MAX_ITEMS: Final = 5_000
MAX_NAME: Final = 120


def chunk_count(size: int) -> int:
    """How many chunks a file of `size` bytes travels in."""
    return max(1, -(-size // CHUNK_SIZE))


# --- files -------------------------------------------------------------------------------


def check_file_shared(state: OrgState, env: EventEnvelope, body: FileShared) -> None:
    require_member(state, env.author)
    if env.event_id in state.files:
        raise InvalidEvent("duplicate-id")
    if len(state.files) >= MAX_FILES:
        raise InvalidEvent("too-many-items", limit=MAX_FILES)
    require_clean(body.name, limit=MAX_NAME)
    settings = state.settings
    if body.size > settings.file_cap:
        raise InvalidEvent("file-over-cap", limit=settings.file_cap)
    if state.files_total + body.size > settings.files_cap:
        raise InvalidEvent("files-full", limit=settings.files_cap)
    if len(body.hashes) != chunk_count(body.size) or len(set(body.hashes)) != len(body.hashes):
        raise InvalidEvent("bad-chunk-list")


def fold_file_shared(
    state: OrgState, env: EventEnvelope, body: FileShared, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    shared = SharedFile(
        file_id=key,
        name=body.name,
        ext=body.ext,
        kind=body.kind,
        size=body.size,
        key=body.key,
        blob=body.blob,
        hashes=body.hashes,
        shared_by=LeafIndex(env.author),
        shared_by_name=state.cover_name(env.author),
        at=env.at,
        seq=state.files_added + 1,
    )
    return replace(
        state,
        files=state.files.set(key, shared),
        files_total=state.files_total + body.size,
        files_added=state.files_added + 1,
    )


def check_file_removed(state: OrgState, env: EventEnvelope, body: FileRemoved) -> None:
    require_member(state, env.author)
    shared = state.files.get(EventId(body.file_id))
    if shared is None:
        raise InvalidEvent("unknown-file")
    if shared.shared_by != env.author:
        raise InvalidEvent("not-your-file")


def fold_file_removed(
    state: OrgState, env: EventEnvelope, body: FileRemoved, policy: MembershipPolicy
) -> OrgState:
    key = EventId(body.file_id)
    shared = state.files.get(key)
    if shared is None:  # a replay: the stored `FileShared` was forgotten with the file
        return state
    library = state.library
    for item in list(library.values()):
        if item.file_id == key:
            library = library.set(item.item_id, replace(item, file_id=None))
    return replace(
        state,
        files=state.files.delete(key),
        files_total=state.files_total - shared.size,
        library=library,
    )


def forgets_file_removed(
    state: OrgState, env: EventEnvelope, body: FileRemoved
) -> tuple[EventId, ...]:
    """The stored `FileShared` (with the file's key) leaves every vault with the file."""
    return (EventId(body.file_id),) if EventId(body.file_id) in state.files else ()


# --- the library -------------------------------------------------------------------------


def _item(state: OrgState, item_id: bytes) -> LibraryItem:
    item = state.library.get(EventId(item_id))
    if item is None:
        raise InvalidEvent("unknown-item")
    return item


def check_library_added(state: OrgState, env: EventEnvelope, body: LibraryAdded) -> None:
    require_member(state, env.author)
    if env.event_id in state.library:
        raise InvalidEvent("duplicate-id")
    if len(state.library) >= MAX_ITEMS:
        raise InvalidEvent("too-many-items", limit=MAX_ITEMS)
    require_clean(body.title, limit=200)
    if body.file_id and EventId(body.file_id) not in state.files:
        raise InvalidEvent("unknown-file")


def fold_library_added(
    state: OrgState, env: EventEnvelope, body: LibraryAdded, policy: MembershipPolicy
) -> OrgState:
    key = EventId(env.event_id)
    item = LibraryItem(
        item_id=key,
        title=body.title,
        kind=body.kind,
        note=body.note,
        # On a replay the file may have been forgotten since: the item keeps no dangling id.
        file_id=EventId(body.file_id) if EventId(body.file_id) in state.files else None,
        added_by=LeafIndex(env.author),
        added_by_name=state.cover_name(env.author),
        at=env.at,
        seq=state.items_added + 1,
    )
    return replace(state, library=state.library.set(key, item), items_added=state.items_added + 1)


def check_library_noted(state: OrgState, env: EventEnvelope, body: LibraryNoted) -> None:
    require_member(state, env.author)
    if _item(state, body.item_id).added_by != env.author:
        raise InvalidEvent("not-your-item")


def fold_library_noted(
    state: OrgState, env: EventEnvelope, body: LibraryNoted, policy: MembershipPolicy
) -> OrgState:
    item = replace(state.library[EventId(body.item_id)], note=body.note)
    return replace(state, library=state.library.set(item.item_id, item))


def check_library_removed(state: OrgState, env: EventEnvelope, body: LibraryRemoved) -> None:
    require_member(state, env.author)
    item = _item(state, body.item_id)
    if not body.decision_id:
        if item.added_by != env.author:
            raise InvalidEvent("not-your-item")
        return
    decision = state.decisions.get(EventId(body.decision_id))
    if decision is None:
        raise InvalidEvent("unknown-decision")
    adopted = decision.outcome is not None and decision.outcome.status == "adopted"
    if decision.kind not in ("consent", "proposal") or not adopted or decision.at < item.at:
        raise InvalidEvent("motion-not-adopted")


def fold_library_removed(
    state: OrgState, env: EventEnvelope, body: LibraryRemoved, policy: MembershipPolicy
) -> OrgState:
    return replace(state, library=state.library.delete(EventId(body.item_id)))
