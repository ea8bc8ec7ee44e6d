"""Checks shared by the family modules."""

from __future__ import annotations

from hasteh.org.errors import InvalidEvent
from hasteh.org.events import MAX_MESSAGE_EXPIRY, MAX_TRIAL, MIN_MESSAGE_EXPIRY, CellSettings
from hasteh.org.relays import check_relay_list
from hasteh.org.state import HARD_CAP, OrgState


def require_member(state: OrgState, leaf: int) -> None:
    """The author of an event must be a member whose device has not been reported seized:
    from the moment a `MemberSeized` is in the log until the Remove lands, whoever holds
    that device can neither post, vote, approve a newcomer nor report a counter-seizure."""
    if leaf not in state.members:
        raise InvalidEvent("not-a-member", leaf=leaf)
    if is_seized(state, leaf):
        raise InvalidEvent("member-seized", leaf=leaf)


def is_seized(state: OrgState, leaf: int) -> bool:
    seizures = state.seizures
    if not seizures:  # most cells, on every event checked: no generator to start
        return False
    return any(s.leaf == leaf and not s.removed for s in seizures.values())


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
    if not 0 <= settings.trial <= MAX_TRIAL:
        raise InvalidEvent("bad-setting", name="trial", low=0, high=MAX_TRIAL)
    if settings.relays is not None:
        check_relay_list(settings.relays)
