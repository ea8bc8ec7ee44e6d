"""The ``cell.*`` family: a cell's creation and its protective settings."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import Meta

from hasteh.org.events.base import DAY, CoverName, Event, Frozen, Id, Seconds, Title

__all__ = [
    "DEFAULT_FILES_CAP",
    "DEFAULT_FILE_CAP",
    "MAX_FILES_CAP",
    "MAX_FILE_CAP",
    "MAX_RELAYS",
    "MAX_RELAY_URL",
    "MAX_TRIAL",
    "Admission",
    "CellCreated",
    "CellSettings",
    "RelayUrl",
    "SettingsChanged",
]

Admission = Literal["all", "all-but-one"]

#: The longest trial a cell may set for its newcomers (`CellSettings.trial`).
MAX_TRIAL: Final = 365 * DAY
#: A cell lists at most this many relays, each URL at most this long.
MAX_RELAYS: Final = 8
MAX_RELAY_URL: Final = 200
#: Files (``file.*``): the default caps of a cell, and the highest a decision may set.
DEFAULT_FILE_CAP: Final = 25 * 2**20
DEFAULT_FILES_CAP: Final = 250 * 2**20
MAX_FILE_CAP: Final = 60 * 2**20
MAX_FILES_CAP: Final = 2 * 2**30
#: A relay's base URL (its form is checked by `check_settings`: http(s), a host, no
#: credentials, query or trailing slash).
RelayUrl = Annotated[str, Meta(min_length=1, max_length=MAX_RELAY_URL)]


class CellSettings(Frozen, frozen=True):
    """A cell's protective settings (DESIGN §4). `size_cap` never exceeds `HARD_CAP`."""

    size_cap: Annotated[int, Meta(ge=1, le=64)] = 5
    admission: Admission = "all"
    message_expiry: Seconds = 14 * DAY
    #: The cell's relays, the **ordering relay** first (docs/org.md, "Order, time and
    #: write access"). None: unchanged (a cell made before the list was a setting keeps
    #: the relays it was created with). An empty list is refused (`no-relays`), a list
    #: longer than `MAX_RELAYS` too (`too-many-relays`; the schema bounds it loosely).
    relays: Annotated[tuple[RelayUrl, ...], Meta(max_length=8 * MAX_RELAYS)] | None = None
    #: How long a newcomer is on trial (`hasteh.org.trial`), 0: no trial. Applies to
    #: newcomers added after the setting; a trial ends only by the cell's decision.
    trial: Seconds = 0
    #: The largest file a member may share, and all files the cell holds at once, in
    #: bytes (``file.*``; every member checks them). Changed by decision like the rest.
    file_cap: Annotated[int, Meta(ge=1, le=MAX_FILE_CAP)] = DEFAULT_FILE_CAP
    files_cap: Annotated[int, Meta(ge=1, le=MAX_FILES_CAP)] = DEFAULT_FILES_CAP


class CellCreated(Event, tag="cell.created", frozen=True):
    """The first event of a cell's log. Its author (MLS leaf 0) is the founding member."""

    name: Title
    founder_cover_name: CoverName
    settings: CellSettings = CellSettings()


class SettingsChanged(Event, tag="cell.settings", frozen=True):
    """Carries out an adopted `ChangeSettings` motion of decision `decision_id`."""

    decision_id: Id
