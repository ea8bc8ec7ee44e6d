"""The ``cell.*`` family: a cell's creation and its protective settings."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from hasteh.org.events.base import DAY, CoverName, Event, Frozen, Id, Seconds, Title

__all__ = ["Admission", "CellCreated", "CellSettings", "SettingsChanged"]

Admission = Literal["all", "all-but-one"]


class CellSettings(Frozen, frozen=True):
    """A cell's protective settings (DESIGN §4). `size_cap` never exceeds `HARD_CAP`."""

    size_cap: Annotated[int, Meta(ge=1, le=64)] = 5
    admission: Admission = "all"
    message_expiry: Seconds = 14 * DAY


class CellCreated(Event, tag="cell.created", frozen=True):
    """The first event of a cell's log. Its author (MLS leaf 0) is the founding member."""

    name: Title
    founder_cover_name: CoverName
    settings: CellSettings = CellSettings()


class SettingsChanged(Event, tag="cell.settings", frozen=True):
    """Carries out an adopted `ChangeSettings` motion of decision `decision_id`."""

    decision_id: Id
