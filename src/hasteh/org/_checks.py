"""Checks shared by the family modules."""

from __future__ import annotations

from hasteh.org.errors import InvalidEvent
from hasteh.org.events import MAX_MESSAGE_EXPIRY, MIN_MESSAGE_EXPIRY, CellSettings
from hasteh.org.state import HARD_CAP, OrgState


def require_member(state: OrgState, leaf: int) -> None:
    if leaf not in state.members:
        raise InvalidEvent("not-a-member", leaf=leaf)


def check_settings(settings: CellSettings, state: OrgState | None) -> None:
    """Refuse settings outside the protective bounds (DESIGN §4)."""
    if settings.size_cap > HARD_CAP:
        raise InvalidEvent("cap-above-hard-limit", hard=HARD_CAP)
    if settings.size_cap < 1:
        raise InvalidEvent("bad-setting", name="size_cap", low=1, high=HARD_CAP)
    if state is not None and settings.size_cap < len(state.members):
        raise InvalidEvent("cap-below-members", count=len(state.members))
    if not MIN_MESSAGE_EXPIRY <= settings.message_expiry <= MAX_MESSAGE_EXPIRY:
        raise InvalidEvent(
            "bad-setting", name="message_expiry", low=MIN_MESSAGE_EXPIRY, high=MAX_MESSAGE_EXPIRY
        )
